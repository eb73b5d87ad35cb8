// Side panels (documents, source): one open at a time on narrow screens; Esc closes the top one and focus goes back
// to whatever opened it.
const openers = new Map();
const order = [];

export function openPanel(id, opener, focusTarget) {
  const panel = document.getElementById(id);
  if (!openers.has(id)) order.push(id);
  openers.set(id, opener ?? document.activeElement);
  panel.hidden = false;
  document.body.classList.add("panel-open-" + id);
  document.querySelector(`[aria-controls="${id}"]`)?.setAttribute("aria-expanded", "true");
  (focusTarget ?? panel).focus();
}

export function closePanel(id) {
  const panel = document.getElementById(id);
  if (panel.hidden) return;
  panel.hidden = true;
  document.body.classList.remove("panel-open-" + id);
  document.querySelector(`[aria-controls="${id}"]`)?.setAttribute("aria-expanded", "false");
  const opener = openers.get(id);
  openers.delete(id);
  order.splice(order.indexOf(id), 1);
  if (opener && document.contains(opener)) opener.focus();
}

/** Closes the most recently opened panel; false when none was open. */
export function closeTopPanel() {
  const id = order[order.length - 1];
  if (!id) return false;
  closePanel(id);
  return true;
}

export function isOpen(id) { return !document.getElementById(id).hidden; }
