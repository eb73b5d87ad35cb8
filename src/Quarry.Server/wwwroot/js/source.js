// The source panel: the cited passage with its title, section trail and page. Focus moves into it and returns to the
// marker that opened it when it closes (Close button or Esc).
import { $, api, state } from "./api.js";
import { sectionTrail } from "./chat.js";
import { openPanel, closePanel } from "./panels.js";

export function openSource(c, opener) {
  $("citation-title").textContent = `[${c.n}] ${c.title}`;
  $("citation-where").textContent = [sectionTrail(c), c.page ? `page ${c.page}` : ""].filter(Boolean).join(" · ");
  $("citation-quote").textContent = c.quote;
  $("citation-source").textContent = c.sourceUri;
  openPanel("source", opener, $("close-source"));
  showContext(c);
}

let shown = null;

/** The cited chunk around the quote, the quote marked: fetched when the panel opens, best effort. */
async function showContext(c) {
  shown = c;
  $("citation-context-section").hidden = true;
  let chunk;
  try {
    const doc = await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents/${encodeURIComponent(c.documentId)}?include=chunks`, { quiet: true });
    chunk = doc.chunks?.find((k) => k.id === c.chunkId);
  } catch { return; } // the quote alone is still shown
  if (!chunk || shown !== c) return;
  const text = chunk.text;
  const at = text.indexOf(c.quote);
  const context = $("citation-context");
  if (at < 0) context.replaceChildren(text);
  else {
    const mark = document.createElement("mark");
    mark.textContent = c.quote;
    context.replaceChildren(text.slice(0, at), mark, text.slice(at + c.quote.length));
  }
  $("citation-context-section").hidden = false;
}

$("close-source").addEventListener("click", () => closePanel("source"));
