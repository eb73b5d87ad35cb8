// Knowledge bases, documents, uploads and their ingestion jobs (the Documents drawer).
import { $, state, api, may, showError, headers, explain } from "./api.js";

const listeners = [];
/** Called with the knowledge base name whenever the selection changes. */
export function onKnowledgeBaseChange(listener) { listeners.push(listener); }

let knowledgeBases = [];
export function currentKnowledgeBases() { return knowledgeBases; }

export async function loadKnowledgeBases() {
  // Hidden knowledge bases (evaluation corpora) are not listed: the picker never offers them.
  const { items } = await api("/v1/knowledge-bases");
  knowledgeBases = items;
  const select = $("kb-select");
  select.replaceChildren(...items.map((kb) => new Option(`${kb.name} (${kb.documents})`, kb.name)));
  if (!items.length) select.append(new Option("no knowledge base yet", ""));
  const previous = state.kb;
  if (!items.some((kb) => kb.name === state.kb)) state.kb = items.length ? items[0].name : "";
  select.value = state.kb;
  $("kb-delete").disabled = $("kb-rename").disabled = !state.kb;
  if (previous !== state.kb) notify();
  await loadDocuments();
}

function notify() {
  localStorage.setItem("quarry.kb", state.kb);
  for (const listener of listeners) listener(state.kb);
}

$("kb-select").addEventListener("change", async (e) => {
  state.kb = e.target.value;
  notify();
  await loadDocuments().catch((err) => showError(err.message));
});

$("kb-create").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = $("kb-name").value.trim();
  if (!name) return;
  try {
    await api("/v1/knowledge-bases", { method: "POST", json: { name } });
    $("kb-name").value = "";
    state.kb = name;
    notify();
    await loadKnowledgeBases();
  } catch (err) { showError(err.message); }
});

$("kb-rename").addEventListener("click", async () => {
  const from = state.kb;
  const name = from && prompt(`New name for "${from}":`, from)?.trim();
  if (!name || name === from) return;
  try {
    await api(`/v1/knowledge-bases/${encodeURIComponent(from)}`, { method: "PATCH", json: { name } });
    // The conversation is kept per knowledge base: it follows the new name.
    const chat = localStorage.getItem("quarry.chat." + from);
    if (chat !== null) { localStorage.setItem("quarry.chat." + name, chat); localStorage.removeItem("quarry.chat." + from); }
    state.kb = name;
    notify();
    await loadKnowledgeBases();
  } catch (err) { showError(err.message); }
});

$("kb-delete").addEventListener("click", async () => {
  if (!state.kb || !confirm(`Delete the knowledge base "${state.kb}" with all its documents? This cannot be undone.`)) return;
  try {
    await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}`, { method: "DELETE" });
    await loadKnowledgeBases();
  } catch (err) { showError(err.message); }
});

// ---- documents ----
let documents = [];

export async function loadDocuments() {
  if (!state.kb) { documents = []; renderDocuments(); return; }
  const page = await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents?limit=1000`);
  documents = page.items;
  renderDocuments();
}

$("doc-filter").addEventListener("input", renderDocuments);

function renderDocuments() {
  const filter = $("doc-filter").value.trim().toLowerCase();
  const shown = filter ? documents.filter((d) => d.title.toLowerCase().includes(filter) || d.sourceUri.toLowerCase().includes(filter)) : documents;
  $("doc-rows").replaceChildren(...shown.map(documentRow));
  $("doc-empty").hidden = shown.length > 0;
  $("doc-empty").textContent = documents.length ? "No document matches the filter." : "No documents yet.";
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
  updated.textContent = new Date(doc.updatedAt).toLocaleDateString();
  updated.title = new Date(doc.updatedAt).toLocaleString();
  const actions = document.createElement("td");
  // Controls the key may not use are not drawn at all, rather than failing after the click.
  if (may("deleteDocuments")) {
    const del = document.createElement("button");
    del.type = "button";
    del.className = "link danger-text";
    del.textContent = "Delete";
    del.setAttribute("aria-label", "Delete " + doc.title);
    del.addEventListener("click", async () => {
      if (!confirm(`Delete "${doc.title}"?`)) return;
      try {
        await api(`/v1/knowledge-bases/${encodeURIComponent(state.kb)}/documents/${doc.id}`, { method: "DELETE" });
        await loadKnowledgeBases();
      } catch (err) { showError(err.message); }
    });
    actions.append(del);
  }
  tr.append(title, chunks, updated, actions);
  return tr;
}

// ---- uploads: HTTP progress, then the ingestion job's progress ----
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadAll(e.dataTransfer.files); });
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("file-input").click(); } });
$("file-input").addEventListener("change", (e) => { uploadAll(e.target.files); e.target.value = ""; });
$("clear-finished").addEventListener("click", () => {
  for (const li of [...$("uploads").children]) if (["succeeded", "failed", "cancelled"].includes(li.dataset.state)) li.remove();
});

function uploadAll(files) {
  if (!state.kb) { showError("Create a knowledge base first, then add documents to it."); return; }
  for (const file of files) upload(file);
}

function upload(file) {
  const li = document.createElement("li");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100; bar.value = 0;
  bar.setAttribute("aria-label", `Progress of ${file.name}`);
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
  // The upload is the first third of the bar; ingestion (parse, chunk, embed) is the rest.
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 33); };
  xhr.onerror = () => setState(status, "failed", "Upload failed: the server could not be reached.");
  xhr.onload = async () => {
    bar.value = 33;
    let body = {};
    try { body = JSON.parse(xhr.responseText || "{}"); } catch { /* not JSON */ }
    if (xhr.status === 200 && body.status === "unchanged") { bar.value = 100; setState(status, "succeeded", "unchanged: already stored"); }
    else if (xhr.status === 202) { li.dataset.job = body.jobId; setState(status, "queued", "queued"); watchJob(body.jobId, status, bar); }
    else {
      const err = await explain(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText }));
      setState(status, "failed", err.message);
    }
  };
  xhr.send(form);
}

function setState(element, kind, text) {
  element.className = "state " + kind;
  element.textContent = text;
  element.parentElement.dataset.state = kind;
}

async function watchJob(jobId, status, bar) {
  for (;;) {
    let job;
    try { job = await api(`/v1/jobs/${jobId}`, { quiet: true }); } catch (err) { setState(status, "failed", err.message); return; }
    if (job.status === "succeeded") {
      bar.value = 100;
      setState(status, "succeeded", `ingested: ${job.outcome}`);
      await loadKnowledgeBases().catch(() => {});
      return;
    }
    if (job.status === "failed" || job.status === "cancelled") {
      setState(status, job.status, job.error ? `${job.status}: ${job.error.code}: ${job.error.message}` : job.status);
      return;
    }
    if (job.progress?.total) bar.value = 33 + Math.round((job.progress.done / job.progress.total) * 67);
    const eta = job.etaSeconds != null ? `, about ${Math.ceil(job.etaSeconds)} s left` : "";
    setState(status, job.status, `${job.status}: ${job.stage || ""} ${job.progress?.done ?? 0}/${job.progress?.total ?? "?"}${eta}`);
    await new Promise((r) => setTimeout(r, 400));
  }
}
