// The conversation: streamed answers rendered as sanitized Markdown, [n] markers that open the source panel, stop,
// regenerate and copy. Conversations are server-side sessions (conversation-store.js): they survive a reload.
import { $, state, request, showError, UiError } from "./api.js";
import { openSource } from "./source.js";
import { listConversations, createConversation, loadTurns, saveTurns } from "./conversation-store.js";

const HistoryTurns = 10;
let turns = [];
let current = null; // the open conversation's id; null for a new chat not yet saved
let running = null; // { controller } while an answer streams
const listeners = [];

/** Called whenever the open conversation or its title may have changed. */
export function onConversationChange(listener) { listeners.push(listener); }
const changed = () => { for (const listener of listeners) listener(current); };
export function currentConversation() { return current; }
const rememberedKey = () => "quarry.current." + (state.kb || "");

/** Opens the conversation last used with this knowledge base (or its newest one). */
export async function loadConversation() {
  const conversations = await listConversations(state.kb || "");
  const remembered = localStorage.getItem(rememberedKey());
  const pick = conversations.find((c) => c.id === remembered) ?? conversations[0];
  await openConversation(pick?.id ?? null);
}

export async function openConversation(id) {
  if (running) running.controller.abort();
  current = id;
  turns = id ? await loadTurns(id) : [];
  if (id) localStorage.setItem(rememberedKey(), id); else localStorage.removeItem(rememberedKey());
  renderAll();
  changed();
}

let creating = null;
async function save() {
  // A new chat becomes a stored conversation with its first question.
  if (!current) {
    creating ??= createConversation(state.kb || "").then((c) => { current = c.id; localStorage.setItem(rememberedKey(), c.id); });
    await creating;
    creating = null;
  }
  await saveTurns(current, turns);
  changed();
}

export async function newConversation() {
  await openConversation(null);
  $("question").focus();
}

function renderAll() {
  $("messages").replaceChildren(...turns.map((turn, i) => turn.role === "user" ? userItem(turn.text) : answerItem(turn, i === turns.length - 1)));
  $("chat-empty").hidden = turns.length > 0;
  scrollToEnd();
}

function scrollToEnd() {
  const scroller = $("scroller");
  scroller.scrollTop = scroller.scrollHeight;
}

function userItem(text) {
  const li = document.createElement("li");
  li.className = "user";
  li.textContent = text;
  return li;
}

// ---- sending ----
$("ask-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const question = $("question").value.trim();
  if (!question || running) return;
  // A question sent while the page is still loading waits for the knowledge bases instead of racing them.
  await state.ready;
  if (!state.kb) { showError("There is no knowledge base yet: open Documents, create one and add files, then ask again."); return; }
  $("question").value = "";
  autosize();
  turns.push({ role: "user", text: question });
  $("chat-empty").hidden = true;
  $("messages").append(userItem(question));
  // Saved first, so a new chat is a stored conversation (with an id) before its answer streams.
  await save().catch(() => {});
  send(question);
});

$("question").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("ask-form").requestSubmit(); }
});
$("question").addEventListener("input", autosize);
function autosize() {
  const q = $("question");
  q.style.height = "auto";
  q.style.height = Math.min(q.scrollHeight, 160) + "px";
}

$("stop-button").addEventListener("click", () => running?.controller.abort());

function history() {
  // Prior turns (without the question being asked), errors left out: the model sees what the user saw.
  return turns.slice(0, -1).filter((t) => !t.error && t.text).slice(-HistoryTurns)
    .map((t) => ({ role: t.role === "user" ? "user" : "assistant", content: t.text }));
}

// fresh: regenerate asks the server to answer again rather than repeat its cached answer.
async function send(question, fresh = false) {
  const turn = { role: "assistant", text: "" };
  const li = answerItem(turn, true, true);
  $("messages").append(li);
  scrollToEnd();
  const controller = new AbortController();
  // Opening another conversation stops this answer; it then belongs to the conversation it was asked in.
  const owner = { id: current, turns };
  running = { controller, deltas: 0 };
  const progress = running;
  $("stop-button").hidden = false;
  $("ask-button").disabled = true;
  try {
    const response = await request("/v1/ask", {
      method: "POST",
      signal: controller.signal,
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      // In a stored conversation the server supplies the history (and records this turn); a chat that could not
      // be stored sends its own.
      body: JSON.stringify({ question, knowledgeBase: state.kb, sessionId: owner.id ?? undefined, history: owner.id ? undefined : history(), cache: fresh ? "bypass" : undefined }),
    });
    await readStream(response, turn, li, progress);
    showError("");
  } catch (err) {
    if (err.name === "AbortError") turn.stopped = true;
    else turn.error = err instanceof UiError ? err.message : "The answer could not be completed: " + err.message;
  } finally {
    if (running === progress) running = null;
    $("stop-button").hidden = !running;
    $("ask-button").disabled = !!running;
    if (turns !== owner.turns) {
      owner.turns.push(turn);
      if (owner.id) await saveTurns(owner.id, owner.turns);
      return;
    }
    turns.push(turn);
    save();
    const final = answerItem(turn, true);
    final.dataset.deltas = progress.deltas; // how many pieces the answer arrived in (tests read it)
    li.replaceWith(final);
    scrollToEnd();
  }
}

async function readStream(response, turn, li, progress) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const body = li.querySelector(".body");
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end, changed = false;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event.name === "delta") {
        turn.text += event.data.text;
        progress.deltas++;
        changed = true;
      } else if (event.name === "done") {
        const a = event.data.answer;
        turn.text = a.text;
        turn.answer = { citations: a.citations, model: a.model, abstained: a.abstained, abstentionReason: a.abstentionReason, degraded: a.degraded };
      } else if (event.name === "error") {
        throw new UiError(event.data.detail || event.data.title || "The answer failed.");
      }
    }
    // Once per network read, not per delta: the text grows as it arrives without re-rendering for every token.
    if (changed) { body.replaceChildren(renderMarkdown(turn.text, [])); scrollToEnd(); }
  }
}

function parseEvent(raw) {
  let name = "message", data = "";
  for (const line of raw.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  return { name, data: data ? JSON.parse(data) : null };
}

// ---- rendering an answer ----
function answerItem(turn, isLast, streaming = false) {
  const li = document.createElement("li");
  li.className = "answer";
  const body = document.createElement("div");
  body.className = "body";
  li.append(body);
  if (streaming) {
    li.dataset.streaming = "true";
    const typing = document.createElement("span");
    typing.className = "typing";
    typing.setAttribute("role", "status");
    typing.setAttribute("aria-label", "Quarry is answering");
    typing.append(dot(), dot(), dot());
    body.append(typing);
    return li;
  }
  const answer = turn.answer;
  if (turn.error) {
    li.classList.add("failed");
    body.textContent = turn.error;
  } else if (answer?.abstained) {
    li.classList.add("abstained");
    body.textContent = "Not found in the knowledge base.";
    if (answer.abstentionReason) li.append(meta(answer.abstentionReason));
  } else {
    const citations = answer?.citations ?? [];
    body.append(renderMarkdown(turn.text, citations));
    if (citations.length) li.append(sourceList(citations));
    if (turn.stopped) li.append(meta("Stopped."));
    else if (answer) {
      // Degradation notes ("keyword-only: no embedder is configured") are for operators: Settings explains the
      // configuration, so they stay in a tooltip rather than under every answer.
      const m = meta(describeModel(answer));
      if (answer.degraded) m.title = answer.degraded;
      li.append(m);
    }
  }
  if (turn.stopped && !turn.text) body.textContent = "Stopped before the answer began.";
  li.append(actions(turn, isLast));
  return li;
}

function dot() { const s = document.createElement("span"); s.textContent = "•"; return s; }

function describeModel(answer) {
  const written = answer.model && !answer.model.startsWith("extractive") ? `Written by ${answer.model}` : "Quoted from your documents";
  return written;
}

function meta(text) {
  const span = document.createElement("span");
  span.className = "meta";
  span.textContent = text;
  return span;
}

/** Sanitized Markdown (vendor bundle) with [n] markers outside code turned into links to their source. */
function renderMarkdown(text, citations) {
  const template = document.createElement("template");
  template.innerHTML = globalThis.QuarryMarkdown.render(text || "");
  const fragment = template.content;
  const byNumber = new Map(citations.map((c) => [c.n, c]));
  if (byNumber.size) linkMarkers(fragment, byNumber);
  for (const pre of fragment.querySelectorAll("pre")) {
    const wrap = document.createElement("div");
    wrap.className = "code";
    pre.replaceWith(wrap);
    const copy = button("Copy code", () => copyText(pre.textContent, copy), "copy-code");
    wrap.append(copy, pre);
  }
  for (const a of fragment.querySelectorAll("a[href]:not(.cite)")) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
  return fragment;
}

function linkMarkers(root, byNumber) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement?.closest("code, pre, a") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const nodes = [];
  while (walker.nextNode()) if (/\[\d+\]/.test(walker.currentNode.nodeValue)) nodes.push(walker.currentNode);
  for (const node of nodes) {
    // "[1] [1]": the same source cited twice in a row reads as one citation.
    node.nodeValue = node.nodeValue.replace(/\[(\d+)\](?:\s*\[\1\])+/g, "[$1]");
    const parts = [];
    let last = 0;
    for (const match of node.nodeValue.matchAll(/\[(\d+)\]/g)) {
      parts.push(node.nodeValue.slice(last, match.index));
      const citation = byNumber.get(Number(match[1]));
      parts.push(citation ? citeLink(citation, match[0]) : match[0]);
      last = match.index + match[0].length;
    }
    parts.push(node.nodeValue.slice(last));
    node.replaceWith(...parts);
  }
}

/** One entry per cited chunk, however many markers point at it. */
function sourceList(citations) {
  const byChunk = new Map();
  for (const c of citations) {
    const entry = byChunk.get(c.chunkId);
    if (entry) { if (!entry.numbers.includes(c.n)) entry.numbers.push(c.n); } else byChunk.set(c.chunkId, { citation: c, numbers: [c.n] });
  }
  const list = document.createElement("ol");
  list.className = "sources";
  list.setAttribute("aria-label", "Sources");
  for (const { citation, numbers } of byChunk.values()) {
    const item = document.createElement("li");
    const label = `[${numbers.join(", ")}] ${citation.title}${sectionTrail(citation) ? " — " + sectionTrail(citation) : ""}${citation.page ? ` (p. ${citation.page})` : ""}`;
    item.append(citeLink(citation, label));
    list.append(item);
  }
  return list;
}

/** The section path without the document title repeated as its first heading. */
export function sectionTrail(c) {
  const parts = (c.section || "").split(" > ").filter(Boolean);
  if (parts.length && parts[0].trim().toLowerCase() === (c.title || "").trim().toLowerCase()) parts.shift();
  return parts.join(" › ");
}

function citeLink(citation, label) {
  const a = document.createElement("a");
  a.className = "cite";
  a.href = "#";
  a.textContent = label;
  a.dataset.n = citation.n;
  a.setAttribute("aria-label", `Source ${citation.n}: ${citation.title}`);
  a.addEventListener("click", (e) => { e.preventDefault(); openSource(citation, a); });
  return a;
}

function actions(turn, isLast) {
  const bar = document.createElement("div");
  bar.className = "message-actions";
  if (turn.text) bar.append(button("Copy", (e) => copyText(turn.text, e.currentTarget), "copy-answer"));
  if (isLast) bar.append(button("Regenerate", regenerate, "regenerate"));
  return bar;
}

function button(label, onClick, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "ghost small " + className;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

async function copyText(text, feedback) {
  try {
    await navigator.clipboard.writeText(text);
    flash(feedback, "Copied");
  } catch {
    flash(feedback, "Copy failed");
  }
}

function flash(element, text) {
  const original = element.textContent;
  element.textContent = text;
  setTimeout(() => { element.textContent = original; }, 1500);
}

function regenerate() {
  if (running) return;
  if (turns.length && turns[turns.length - 1].role === "assistant") turns.pop();
  const question = turns.length ? turns[turns.length - 1] : null;
  if (!question || question.role !== "user") return;
  save();
  renderAll();
  send(question.text, true);
}
