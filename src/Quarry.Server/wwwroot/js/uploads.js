// Uploads (the drop zone of the Documents panel): the HTTP upload is the first third of each bar, the ingestion job
// the rest, so the bar reaches the end when the document can be searched, not when the bytes have arrived.
import { $, state, api, showError, headers, explain } from "./api.js";
import { refreshJobs, duration } from "./jobs.js";

const listeners = [];
/** Called when an upload's document has been ingested (lists and counts change). */
export function onIngested(listener) { listeners.push(listener); }
const ingested = () => Promise.all(listeners.map((l) => l())).catch(() => {});

const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadAll(e.dataTransfer.files); });
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("file-input").click(); } });
$("file-input").addEventListener("change", (e) => { uploadAll(e.target.files); e.target.value = ""; });
$("clear-finished").addEventListener("click", () => {
  for (const li of [...$("uploads").children]) if (["succeeded", "failed", "cancelled"].includes(li.dataset.state)) li.remove();
});

/** Uploads each file; with a source URI the file replaces that document; progress goes to `list` (the panel's by default). */
export function uploadAll(files, { sourceUri, list = $("uploads") } = {}) {
  if (!state.kb) { showError("Create a knowledge base first, then add documents to it."); return; }
  for (const file of files) upload(file, sourceUri, list);
}

function upload(file, sourceUri, list) {
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
  list.prepend(li);

  const form = new FormData();
  form.append("file", file, file.name);
  // Re-uploading a document names its source: the new file becomes the next version of the same document.
  if (sourceUri) form.append("sourceUri", sourceUri);
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
    else if (xhr.status === 202) {
      li.dataset.job = body.jobId;
      setState(status, "queued", "queued");
      refreshJobs().catch(() => {});
      watchJob(body.jobId, status, bar);
    }
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
      await ingested();
      return;
    }
    if (job.status === "failed" || job.status === "cancelled") {
      setState(status, job.status, job.error ? `${job.status}: ${job.error.code}: ${job.error.message}` : job.status);
      return;
    }
    if (job.progress?.total) bar.value = 33 + Math.round((job.progress.done / job.progress.total) * 67);
    const eta = job.etaSeconds != null ? `, about ${duration(job.etaSeconds)} left` : "";
    setState(status, job.status, `${job.status}: ${job.stage || ""} ${job.progress?.done ?? 0}/${job.progress?.total ?? "?"}${eta}`);
    await new Promise((r) => setTimeout(r, 400));
  }
}
