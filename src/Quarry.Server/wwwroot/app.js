// Quarry web UI: plain JavaScript over the /v1 API, no build step and nothing loaded from the network.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { kb: localStorage.getItem("quarry.kb") || "", key: localStorage.getItem("quarry.key") || "" };

function headers(extra = {}) {
  const h = { ...extra };
  if (state.key) h["Authorization"] = "Bearer " + state.key;
  return h;
}

function showStatus(message) { $("status").textContent = message || ""; }

async function problemText(response) {
  try {
    const p = await response.json();
    return p.detail || p.title || response.statusText;
  } catch { return response.status + " " + response.statusText; }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (!response.ok) throw new Error(await problemText(response));
  return response.status === 204 ? null : response.json();
}

// ---- knowledge bases ----
async function loadKnowledgeBases() {
  const { items } = await api("/v1/knowledge-bases");
  const select = $("kb-select");
  select.replaceChildren(...items.map((kb) => new Option(`${kb.name} (${kb.documents})`, kb.name)));
  if (!items.some((kb) => kb.name === state.kb)) state.kb = items.length ? items[0].name : "";
  select.value = state.kb;
  await loadDocuments();
}

$("kb-select").addEventListener("change", async (e) => {
  state.kb = e.target.value;
  localStorage.setItem("quarry.kb", state.kb);
  $("messages").replaceChildren();
  await loadDocuments().catch((err) => showStatus(err.message));
});

$("kb-create").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = $("kb-name").value.trim();
  if (!name) return;
  try {
    await api("/v1/knowledge-bases", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name }) });
    state.kb = name;
    localStorage.setItem("quarry.kb", name);
    $("kb-name").value = "";
    showStatus("");
    await loadKnowledgeBases();
  } catch (err) { showStatus(err.message); }
});

$("api-key").value = state.key;
$("api-key").addEventListener("change", async (e) => {
  state.key = e.target.value.trim();
  localStorage.setItem("quarry.key", state.key);
  await start();
});

// ---- documents ----
async function loadDocuments() {
  const rows = $("doc-rows");
  if (!state.kb) { rows.replaceChildren(); $("doc-empty").hidden = false; return; }
  const page = await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents?limit=1000`);
  rows.replaceChildren(...page.items.map(documentRow));
  $("doc-empty").hidden = page.items.length > 0;
}

function documentRow(doc) {
  const tr = document.createElement("tr");
  tr.dataset.id = doc.id;
  const title = document.createElement("td");
  title.textContent = doc.title;
  title.title = doc.sourceUri;
  const chunks = document.createElement("td");
  chunks.textContent = doc.chunkCount;
  const updated = document.createElement("td");
  updated.textContent = new Date(doc.updatedAt).toLocaleString();
  const actions = document.createElement("td");
  const del = document.createElement("button");
  del.className = "link";
  del.textContent = "Delete";
  del.setAttribute("aria-label", "Delete " + doc.title);
  del.addEventListener("click", async () => {
    if (!confirm(`Delete "${doc.title}"?`)) return;
    try {
      await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents/${doc.id}`, { method: "DELETE" });
      await loadKnowledgeBases();
    } catch (err) { showStatus(err.message); }
  });
  actions.append(del);
  tr.append(title, chunks, updated, actions);
  return tr;
}

// ---- uploads: per-file progress, then the ingestion job's status ----
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadAll(e.dataTransfer.files); });
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file-input").click(); });
$("file-input").addEventListener("change", (e) => { uploadAll(e.target.files); e.target.value = ""; });

function uploadAll(files) {
  if (!state.kb) { showStatus("Create a knowledge base first."); return; }
  for (const file of files) upload(file);
}

function upload(file) {
  const li = document.createElement("li");
  const name = document.createElement("span");
  name.textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100; bar.value = 0;
  const status = document.createElement("span");
  status.className = "state";
  status.textContent = "uploading…";
  li.append(name, bar, status);
  $("uploads").prepend(li);

  const form = new FormData();
  form.append("file", file, file.name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents`);
  for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100); };
  xhr.onerror = () => setState(status, "failed", "upload failed: network error");
  xhr.onload = () => {
    bar.value = 100;
    let body = {};
    try { body = JSON.parse(xhr.responseText || "{}"); } catch { /* not JSON */ }
    if (xhr.status === 200 && body.status === "unchanged") setState(status, "succeeded", "unchanged: already stored");
    else if (xhr.status === 202) { li.dataset.job = body.jobId; setState(status, "queued", "queued"); watchJob(body.jobId, status); }
    else setState(status, "failed", body.detail || body.title || `upload failed (${xhr.status})`);
  };
  xhr.send(form);
}

function setState(element, kind, text) {
  element.className = "state " + kind;
  element.textContent = text;
  element.parentElement.dataset.state = kind;
}

async function watchJob(jobId, status) {
  for (;;) {
    let job;
    try { job = await api(`/v1/jobs/${jobId}`); } catch (err) { setState(status, "failed", err.message); return; }
    if (job.status === "succeeded") { setState(status, "succeeded", `ingested: ${job.outcome}`); await loadKnowledgeBases(); return; }
    if (job.status === "failed" || job.status === "cancelled") {
      setState(status, job.status, job.error ? `${job.status}: ${job.error.code}: ${job.error.message}` : job.status);
      return;
    }
    const eta = job.etaSeconds != null ? `, about ${Math.ceil(job.etaSeconds)} s left` : "";
    setState(status, job.status, `${job.status}: ${job.stage || ""} ${job.progress.done}/${job.progress.total}${eta}`);
    await new Promise((r) => setTimeout(r, 400));
  }
}

// ---- chat: streamed answers with [n] citation links ----
$("ask-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const question = $("question").value.trim();
  if (!question || !state.kb) return;
  $("question").value = "";
  addMessage("user", question);
  const answer = addMessage("answer", "");
  $("ask-button").disabled = true;
  try { await ask(question, answer); } catch (err) { answer.textContent = "Error: " + err.message; answer.classList.add("abstained"); }
  finally { $("ask-button").disabled = false; $("question").focus(); }
});

function addMessage(kind, text) {
  const li = document.createElement("li");
  li.className = kind;
  li.textContent = text;
  $("messages").append(li);
  li.scrollIntoView({ block: "end" });
  return li;
}

async function ask(question, element) {
  const response = await fetch("/v1/ask", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ question, knowledgeBase: state.kb }),
  });
  if (!response.ok) throw new Error(await problemText(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", text = "";
  element.dataset.streaming = "true";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(raw);
      if (event.name === "delta") { text += event.data.text; element.textContent = text; }
      else if (event.name === "done") renderAnswer(element, event.data.answer);
      else if (event.name === "error") throw new Error(event.data.detail || event.data.title);
    }
  }
  delete element.dataset.streaming;
}

function parseEvent(raw) {
  let name = "message", data = "";
  for (const line of raw.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  return { name, data: data ? JSON.parse(data) : null };
}

function renderAnswer(element, answer) {
  element.replaceChildren();
  if (answer.abstained) {
    element.classList.add("abstained");
    element.append("Not found in the knowledge base.");
    if (answer.abstentionReason) element.append(meta(answer.abstentionReason));
    return;
  }
  const byNumber = new Map(answer.citations.map((c) => [c.n, c]));
  let last = 0;
  for (const match of answer.text.matchAll(/\[(\d+)\]/g)) {
    element.append(answer.text.slice(last, match.index));
    const citation = byNumber.get(Number(match[1]));
    element.append(citation ? citeLink(citation) : match[0]);
    last = match.index + match[0].length;
  }
  element.append(answer.text.slice(last));
  if (answer.citations.length) {
    const list = document.createElement("ol");
    list.className = "sources";
    for (const c of answer.citations) {
      const item = document.createElement("li");
      item.value = c.n;
      item.append(citeLink(c, `${c.title}${c.section ? " — " + c.section : ""}${c.page ? ` (p. ${c.page})` : ""}`));
      list.append(item);
    }
    element.append(list);
  }
  element.append(meta(`${answer.model}${answer.degraded ? " · " + answer.degraded : ""}`));
}

function meta(text) {
  const span = document.createElement("span");
  span.className = "meta";
  span.textContent = text;
  return span;
}

function citeLink(citation, label) {
  const a = document.createElement("a");
  a.className = "cite";
  a.href = "#";
  a.textContent = label || `[${citation.n}]`;
  a.dataset.n = citation.n;
  a.addEventListener("click", (e) => { e.preventDefault(); openCitation(citation); });
  return a;
}

function openCitation(c) {
  $("citation-title").textContent = `[${c.n}] ${c.title}`;
  $("citation-where").textContent = [c.section, c.page ? `page ${c.page}` : ""].filter(Boolean).join(" · ");
  $("citation-quote").textContent = c.quote;
  $("citation-source").textContent = c.sourceUri;
  $("citation").showModal();
}

async function start() {
  try { showStatus(""); await loadKnowledgeBases(); }
  catch (err) { showStatus(err.message + (state.key ? "" : " — enter an API key (top right), or start the server with --dev.")); }
}

start();
