// The document list of the Documents panel: searched and paged by the server, with each document's status.
import { $, state, api, may, showError } from "./api.js";
import { openDocument } from "./document-view.js";
import { onJobs } from "./jobs.js";

export const PageSize = 25;
let offset = 0;
let page = { total: 0, items: [] };
let updating = new Set(); // documents with a queued or running job

export async function loadDocuments({ reset = false } = {}) {
  if (reset) offset = 0;
  if (!state.kb) { page = { total: 0, items: [] }; render(); return; }
  const q = $("doc-filter").value.trim();
  const query = new URLSearchParams({ offset, limit: PageSize });
  if (q) query.set("q", q);
  page = await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents?${query}`);
  // Deleting the last document of the last page leaves an empty page: step back to one that has documents.
  if (!page.items.length && offset > 0) { offset = Math.max(0, offset - PageSize); return loadDocuments(); }
  render();
}

let typing = null;
$("doc-filter").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => loadDocuments({ reset: true }).catch((err) => showError(err.message)), 200);
});
$("doc-prev").addEventListener("click", () => { offset = Math.max(0, offset - PageSize); loadDocuments().catch((err) => showError(err.message)); });
$("doc-next").addEventListener("click", () => { offset += PageSize; loadDocuments().catch((err) => showError(err.message)); });

onJobs((jobs) => {
  const next = new Set(jobs.filter((j) => j.documentId && (j.status === "queued" || j.status === "running")).map((j) => j.documentId));
  const changed = next.size !== updating.size || [...next].some((id) => !updating.has(id));
  updating = next;
  if (changed) render();
});

function render() {
  $("doc-rows").replaceChildren(...page.items.map(row));
  const filtered = $("doc-filter").value.trim() !== "";
  $("doc-empty").hidden = page.items.length > 0;
  $("doc-empty").textContent = filtered ? "No document matches the search." : "No documents yet.";
  const first = page.total ? offset + 1 : 0;
  const last = offset + page.items.length;
  $("doc-count").textContent = page.total > PageSize ? `${first}–${last} of ${page.total} documents` : `${page.total} document${page.total === 1 ? "" : "s"}`;
  $("doc-pager").hidden = page.total <= PageSize;
  $("doc-prev").disabled = offset === 0;
  $("doc-next").disabled = last >= page.total;
}

function row(doc) {
  const tr = document.createElement("tr");
  tr.dataset.id = doc.id;
  const title = document.createElement("td");
  const open = document.createElement("button");
  open.type = "button";
  open.className = "link doc-title";
  open.textContent = doc.title;
  open.title = doc.sourceUri;
  open.addEventListener("click", () => openDocument(doc.id, { opener: open }));
  title.append(open);
  const status = document.createElement("td");
  status.className = "doc-status";
  status.textContent = updating.has(doc.id) ? "updating…" : `v${doc.version} · ${doc.chunkCount} chunk${doc.chunkCount === 1 ? "" : "s"}`;
  status.title = `Updated ${new Date(doc.updatedAt).toLocaleString()}`;
  const actions = document.createElement("td");
  // Controls the key may not use are not drawn at all, rather than failing after the click.
  if (may("deleteDocuments")) {
    const del = document.createElement("button");
    del.type = "button";
    del.className = "link danger-text";
    del.textContent = "Delete";
    del.setAttribute("aria-label", "Delete " + doc.title);
    del.addEventListener("click", () => deleteDocument(doc));
    actions.append(del);
  }
  tr.append(title, status, actions);
  return tr;
}

const listeners = [];
/** Called after a document was deleted (the knowledge base's document count changed). */
export function onDocumentDeleted(listener) { listeners.push(listener); }

export async function deleteDocument(doc) {
  if (!confirm(`Delete "${doc.title}" with all its versions? This cannot be undone.`)) return false;
  try {
    await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents/${encodeURIComponent(doc.id)}`, { method: "DELETE" });
    for (const listener of listeners) await listener(doc);
    return true;
  } catch (err) { showError(err.message); return false; }
}
