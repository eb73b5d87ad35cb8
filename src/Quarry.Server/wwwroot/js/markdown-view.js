// Stored text shown as sanitized Markdown (the vendored renderer neutralizes raw HTML), with an exact quote marked:
// the quote is bracketed by two private-use characters before rendering, so it is found again whatever Markdown
// did to the text around it, and every piece of text between them is wrapped in <mark>.
const Open = "\uE000";
const Close = "\uE001";

/** A fragment of the rendered text; `first` is the first <mark> (to scroll to), null when the quote is not in the text. */
export function renderMarked(text, quote) {
  const at = quote ? text.indexOf(quote) : -1;
  const source = at < 0 ? text : text.slice(0, at) + Open + quote + Close + text.slice(at + quote.length);
  const template = document.createElement("template");
  template.innerHTML = globalThis.QuarryMarkdown.render(source);
  const fragment = template.content;
  for (const a of fragment.querySelectorAll("a[href]")) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
  return { fragment, first: at < 0 ? null : markBetweenSentinels(fragment) };
}

function markBetweenSentinels(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  let inside = false;
  let first = null;
  for (const node of nodes) {
    if (!inside && !node.nodeValue.includes(Open)) continue;
    const parts = [];
    let piece = "";
    const flush = () => { if (piece) parts.push([piece, inside]); piece = ""; };
    for (const ch of node.nodeValue) {
      if (ch === Open) { flush(); inside = true; } else if (ch === Close) { flush(); inside = false; } else piece += ch;
    }
    flush();
    node.replaceWith(...parts.map(([text, marked]) => {
      if (!marked) return text;
      const mark = document.createElement("mark");
      mark.textContent = text;
      first ??= mark;
      return mark;
    }));
  }
  return first;
}
