// Knowledge bases: the picker, create, rename and delete (in the Documents panel).
import { $, state, api, showError } from "./api.js";
import { loadDocuments } from "./documents.js";
import { moveConversations } from "./conversation-store.js";

const listeners = [];
/** Called with the knowledge base name whenever the selection changes. */
export function onKnowledgeBaseChange(listener) { listeners.push(listener); }

let knowledgeBases = [];
export function currentKnowledgeBases() { return knowledgeBases; }

export async function loadKnowledgeBases() {
  // Hidden knowledge bases (evaluation corpora) are not listed: the picker never offers them.
  const { items } = await api("/v1/knowledge-bases");
  knowledgeBases = items;
  const select = $("kb-select");
  select.replaceChildren(...items.map((kb) => new Option(label(kb), kb.name)));
  if (!items.length) select.append(new Option("no knowledge base yet", ""));
  const previous = state.kb;
  if (!items.some((kb) => kb.name === state.kb)) state.kb = items.length ? items[0].name : "";
  select.value = state.kb;
  $("kb-delete").disabled = $("kb-rename").disabled = !state.kb;
  if (previous !== state.kb) notify();
  showVectors();
  refreshWhileVectorizing();
  await loadDocuments({ reset: previous !== state.kb });
}

const vectorizing = (kb) => kb.vectors && kb.vectors.embedded < kb.vectors.chunks;

/** "docs (12) · vectors 1,234/5,183" while the background stage is still filling the vectors in. */
function label(kb) {
  const v = kb.vectors;
  return `${kb.name} (${kb.documents})` + (vectorizing(kb) ? ` · vectors ${v.embedded.toLocaleString()}/${v.chunks.toLocaleString()}` : "");
}

/** The selected knowledge base's progress as a percentage beside the picker, for screens too narrow for the label. */
function showVectors() {
  const badge = $("kb-vectors");
  const kb = knowledgeBases.find((k) => k.name === state.kb);
  badge.hidden = !kb || !vectorizing(kb);
  if (badge.hidden) return;
  const { embedded, chunks } = kb.vectors;
  badge.textContent = `vectors ${Math.floor((100 * embedded) / chunks)}%`;
  badge.title = `${embedded.toLocaleString()} of ${chunks.toLocaleString()} passages have vectors; keyword search covers all of them meanwhile`;
}

let refresh;
/** Only the labels are refreshed: reloading the documents every few seconds would fight the user's scrolling. */
function refreshWhileVectorizing() {
  clearTimeout(refresh);
  if (!knowledgeBases.some(vectorizing)) return;
  refresh = setTimeout(async () => {
    try {
      knowledgeBases = (await api("/v1/knowledge-bases", { quiet: true })).items;
      for (const option of $("kb-select").options) {
        const kb = knowledgeBases.find((k) => k.name === option.value);
        if (kb) option.text = label(kb);
      }
      showVectors();
    } catch { /* the next load tries again */ }
    refreshWhileVectorizing();
  }, 5000);
}

function notify() {
  localStorage.setItem("quarry.kb", state.kb);
  for (const listener of listeners) listener(state.kb);
}

$("kb-select").addEventListener("change", async (e) => {
  state.kb = e.target.value;
  notify();
  showVectors();
  await loadDocuments({ reset: true }).catch((err) => showError(err.message));
});

$("kb-create").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = $("kb-name").value.trim();
  if (!name) return;
  try {
    await api("/v1/knowledge-bases", { method: "POST", json: { name } });
    $("kb-name").value = "";
    state.kb = name;
    notify();
    await loadKnowledgeBases();
  } catch (err) { showError(err.message); }
});

$("kb-rename").addEventListener("click", async () => {
  const from = state.kb;
  const name = from && prompt(`New name for "${from}":`, from)?.trim();
  if (!name || name === from) return;
  try {
    await api(`/v1/knowledge-bases/${encodeURIComponent(from)}`, { method: "PATCH", json: { name } });
    // Conversations belong to a knowledge base: they follow the new name.
    await moveConversations(from, name);
    state.kb = name;
    notify();
    await loadKnowledgeBases();
  } catch (err) { showError(err.message); }
});

$("kb-delete").addEventListener("click", async () => {
  if (!state.kb || !confirm(`Delete the knowledge base "${state.kb}" with all its documents? This cannot be undone.`)) return;
  try {
    await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}`, { method: "DELETE" });
    await loadKnowledgeBases();
  } catch (err) { showError(err.message); }
});
