// The source panel: the cited passage with its title, section trail and page. Focus moves into it and returns to the
// marker that opened it when it closes (Close button or Esc).
import { $ } from "./api.js";
import { sectionTrail } from "./chat.js";
import { openPanel, closePanel } from "./panels.js";

export function openSource(c, opener) {
  $("citation-title").textContent = `[${c.n}] ${c.title}`;
  $("citation-where").textContent = [sectionTrail(c), c.page ? `page ${c.page}` : ""].filter(Boolean).join(" · ");
  $("citation-quote").textContent = c.quote;
  $("citation-source").textContent = c.sourceUri;
  openPanel("source", opener, $("close-source"));
}

$("close-source").addEventListener("click", () => closePanel("source"));
