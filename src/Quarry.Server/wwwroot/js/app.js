// Quarry web UI: plain JavaScript modules over the /v1 API. The only build step is the vendored Markdown bundle
// (ui/build.sh); nothing is loaded from the network.
import { $, state, api, showError, applyPermissions, onOfflineChange, UiError } from "./api.js";
import { loadKnowledgeBases, onKnowledgeBaseChange } from "./knowledge-bases.js";
import { loadConversation, newConversation } from "./chat.js";
import { renderConversations } from "./conversations.js";
import { onDocumentDeleted } from "./documents.js";
import { refreshJobs } from "./jobs.js";
import { onIngested } from "./uploads.js";
import { openPanel, closePanel, closeTopPanel, isOpen } from "./panels.js";

const ExtractiveHint = "Quoting the best passages. Configure a chat model for written answers — see docs/LLM-GATEWAY.md";

async function loadMe() {
  state.me = await api("/v1/me");
  document.body.dataset.role = state.me.role;
  applyPermissions();
  const server = state.me.server;
  $("hint").textContent = ExtractiveHint;
  $("hint").hidden = server.answerMode !== "extractive";
  renderServerInfo();
}

function renderServerInfo() {
  const me = state.me;
  const rows = me ? [
    ["Tenant", me.tenant],
    ["Role", me.role],
    ["Key", me.keyId],
    ["Knowledge bases", me.knowledgeBases ? me.knowledgeBases.join(", ") : "all of the tenant's"],
    ["Answers", me.server.answerMode === "extractive" ? "extractive (quotes passages; no chat model configured)" : `written by ${me.server.chatModel}`],
    ["Search", me.server.embedder ? `keyword + vectors (${me.server.embedder})` : "keyword only (no embedding model configured)"],
  ] : [["Server", "not connected"]];
  $("server-info").replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v;
    return [dt, dd];
  }));
}

// ---- views ----
function toggle(id, focusTarget, onOpen) {
  $("open-" + id).addEventListener("click", (e) => {
    if (isOpen(id)) { closePanel(id); return; }
    openPanel(id, e.currentTarget, $(focusTarget));
    onOpen?.();
  });
  $("close-" + id).addEventListener("click", () => closePanel(id));
}
toggle("docs", "close-docs");
toggle("jobs", "close-jobs", () => refreshJobs().catch((err) => showError(err.message)));
toggle("conversations", "new-conversation", () => renderConversations().catch(() => {}));
$("new-chat").addEventListener("click", newConversation);

const settings = $("settings");
let settingsOpener = null;
$("open-settings").addEventListener("click", (e) => { settingsOpener = e.currentTarget; renderServerInfo(); settings.showModal(); $("api-key").focus(); });
settings.addEventListener("close", () => settingsOpener?.focus());

$("api-key").value = state.key;
$("api-key").addEventListener("change", async (e) => {
  state.key = e.target.value.trim();
  localStorage.setItem("quarry.key", state.key);
  await start();
});

// ---- keyboard: "/" focuses the composer, Esc closes the top panel ----
document.addEventListener("keydown", (e) => {
  const typing = e.target.closest?.("input, textarea, select, [contenteditable]");
  if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    $("question").focus();
  } else if (e.key === "Escape" && !settings.open) {
    if (closeTopPanel()) e.preventDefault();
  }
});

onKnowledgeBaseChange(() => { loadConversation(); refreshJobs().catch(() => {}); });
// A document ingested or deleted changes the list and the knowledge base's count in the picker.
const reloadLists = () => loadKnowledgeBases().catch((err) => showError(err.message));
onIngested(reloadLists);
onDocumentDeleted(reloadLists);

// ---- start, and retry while the server is down ----
let retry = null;
onOfflineChange((offline) => {
  if (offline && !retry) retry = setInterval(() => start(), 5000);
  if (!offline && retry) { clearInterval(retry); retry = null; }
});

async function start() {
  try {
    await loadMe();
    await loadKnowledgeBases();
    await refreshJobs();
    showError("");
  } catch (err) {
    applyPermissions();
    showError(err instanceof UiError ? err.message : "Something went wrong while loading: " + err.message);
  }
}

loadConversation();
state.ready = start();
