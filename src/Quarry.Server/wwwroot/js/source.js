// The source panel: the cited passage with its title, section trail and page, the chunk around it rendered as
// Markdown with the quote marked, and a link to the whole document. Focus moves into the panel and returns to the
// marker that opened it when it closes (Close button or Esc).
import { $, api, state, showError } from "./api.js";
import { sectionTrail } from "./chat.js";
import { openPanel, closePanel } from "./panels.js";
import { renderMarked } from "./markdown-view.js";
import { openDocument } from "./document-view.js";

let shown = null;
let opener = null;

export function openSource(c, from) {
  shown = c;
  opener = from;
  $("citation-title").textContent = `[${c.n}] ${c.title}`;
  $("citation-where").textContent = [sectionTrail(c), c.page ? `page ${c.page}` : ""].filter(Boolean).join(" · ");
  $("citation-quote").textContent = c.quote;
  $("citation-source").textContent = c.sourceUri;
  openPanel("source", from, $("close-source"));
  showContext(c);
}

/** The cited chunk around the quote, the quote marked: fetched when the panel opens, best effort. */
async function showContext(c) {
  $("citation-context-section").hidden = true;
  let chunk;
  try {
    const doc = await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents/${encodeURIComponent(c.documentId)}?include=chunks`, { quiet: true });
    chunk = doc.chunks?.find((k) => k.id === c.chunkId);
  } catch { return; } // the quote alone is still shown
  if (!chunk || shown !== c) return;
  $("citation-context").replaceChildren(renderMarked(chunk.text, c.quote).fragment);
  $("citation-context-section").hidden = false;
}

$("citation-open").addEventListener("click", async () => {
  const c = shown;
  if (!c) return;
  // The document replaces the source panel; closing it returns to the marker, as closing the source would.
  closePanel("source");
  try {
    await openDocument(c.documentId, { opener, chunkId: c.chunkId, quote: c.quote });
  } catch (err) { showError(err.message); }
});

$("close-source").addEventListener("click", () => closePanel("source"));
