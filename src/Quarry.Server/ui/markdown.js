// Entry point of the vendor bundle: Markdown to sanitized HTML, nothing else. Raw HTML in answers (copied from source
// files) is escaped by the renderer and anything that slips through is removed by DOMPurify.
import { Marked } from "marked";
import DOMPurify from "dompurify";

const marked = new Marked({ gfm: true, breaks: false });
marked.use({
  renderer: {
    // Source files carry markup (<span style=…><font …>): show it as text, never as elements.
    html(token) { return escapeHtml(token.text ?? token.raw ?? ""); },
  },
});

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function renderMarkdown(text) {
  const html = marked.parse(text ?? "", { async: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input", "img"], FORBID_ATTR: ["style"] });
}

globalThis.QuarryMarkdown = { render: renderMarkdown };
