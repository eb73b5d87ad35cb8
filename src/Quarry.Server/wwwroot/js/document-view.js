// The Document panel: one document's details, its versions, its text chunk by chunk (rendered Markdown), replace
// (upload a new version of the same source) and delete. A citation opens it at the cited chunk with the quote marked.
import { $, state, api } from "./api.js";
import { openPanel, closePanel } from "./panels.js";
import { renderMarked } from "./markdown-view.js";
import { sectionTrail } from "./chat.js";

let shown = null; // the document on display
let previous = null;

/** Opens a document; with a chunk id the panel scrolls to that chunk and marks the quote in it. */
export async function openDocument(id, { opener, chunkId, quote } = {}) {
  const detail = await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents/${encodeURIComponent(id)}?include=chunks`);
  shown = detail.document;
  $("document-heading").textContent = shown.title;
  renderFacts(shown);
  if (id !== previous) $("document-uploads").replaceChildren();
  previous = id;
  renderVersions(detail.versions);
  const target = renderChunks(detail.chunks ?? [], chunkId, quote);
  openPanel("document", opener, $("close-document"));
  if (target) target.scrollIntoView({ block: "center" });
  else $("document-body").scrollTop = 0;
}

function renderFacts(doc) {
  const rows = [
    ["Source", doc.sourceUri],
    ["Type", doc.contentType],
    ["Size", `${(doc.sizeBytes / 1024).toFixed(1)} KB`],
    ["Version", `${doc.version} · ${plural(doc.chunkCount, "chunk")}`],
    ["Updated", new Date(doc.updatedAt).toLocaleString()],
    ...Object.entries(doc.tags ?? {}).map(([k, v]) => [k, v]),
  ];
  $("document-facts").replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v;
    return [dt, dd];
  }));
}

function renderVersions(versions) {
  $("document-versions").replaceChildren(...[...versions].sort((a, b) => b.version - a.version).map((v) => {
    const li = document.createElement("li");
    li.textContent = `v${v.version} · ${new Date(v.createdAt).toLocaleString()} · ${(v.sizeBytes / 1024).toFixed(1)} KB · ${plural(v.chunkCount, "chunk")}`;
    li.title = "checksum " + v.checksum;
    if (v.version === shown.version) li.classList.add("current");
    return li;
  }));
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Returns the element to scroll to: the first marked quote, else the cited chunk. */
function renderChunks(chunks, chunkId, quote) {
  let target = null;
  $("document-chunks").replaceChildren(...chunks.map((chunk) => {
    const section = document.createElement("section");
    section.className = "doc-chunk";
    section.id = "chunk-" + chunk.id;
    const trail = sectionTrail({ section: chunk.section.join(" > "), title: shown.title });
    // A chunk that opens with its headings shows them itself; the trail is for chunks cut mid-section.
    if (trail && !chunk.text.trimStart().startsWith("#")) {
      const where = document.createElement("p");
      where.className = "muted small";
      where.textContent = trail + (chunk.pageStart ? ` · page ${chunk.pageStart}` : "");
      section.append(where);
    }
    const cited = chunk.id === chunkId;
    const { fragment, first } = renderMarked(chunk.text, cited ? quote : null);
    const body = document.createElement("div");
    body.className = "markdown";
    body.append(fragment);
    section.append(body);
    if (cited) { section.classList.add("cited"); target = first ?? section; }
    return section;
  }));
  return target;
}

// ---- replace and delete ----
$("document-replace").addEventListener("click", () => $("document-file").click());
$("document-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  e.target.value = "";
  if (!file || !shown) return;
  const { uploadAll } = await import("./uploads.js");
  uploadAll([file], { sourceUri: shown.sourceUri, list: $("document-uploads") });
});

$("document-delete").addEventListener("click", async () => {
  if (!shown) return;
  const { deleteDocument } = await import("./documents.js");
  if (await deleteDocument(shown)) closePanel("document");
});

$("close-document").addEventListener("click", () => closePanel("document"));
