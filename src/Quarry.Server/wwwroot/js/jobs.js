// The Jobs panel: ingestion jobs of this knowledge base from the server's job list (so failed files and their reasons
// are still there after a reload), with progress and time left, and "Clear finished" remembered in this browser.
import { $, state, api } from "./api.js";
import { isOpen } from "./panels.js";

const ClearedKey = "quarry.jobs.clearedBefore";
const Finished = ["succeeded", "failed", "cancelled"];
let jobs = [];
let timer = null;
const listeners = [];

/** Called with the jobs after every refresh (the documents list shows which documents are being updated). */
export function onJobs(listener) { listeners.push(listener); }
export function activeJobs() { return jobs.filter((j) => !Finished.includes(j.status)); }

export async function refreshJobs() {
  const { items } = await api("/v1/jobs?limit=200", { quiet: true });
  jobs = items.filter((j) => j.knowledgeBase === state.kb);
  render();
  for (const listener of listeners) listener(jobs);
  schedule();
}

/** Polls while something is queued or running, or while the panel is open. */
function schedule() {
  clearTimeout(timer);
  if (activeJobs().length || isOpen("jobs")) timer = setTimeout(() => refreshJobs().catch(() => schedule()), activeJobs().length ? 1000 : 5000);
}

function cleared() { return localStorage.getItem(ClearedKey + "." + state.kb) || ""; }

function render() {
  const shown = jobs.filter((j) => !Finished.includes(j.status) || j.updatedAt > cleared());
  $("job-list").replaceChildren(...shown.map(row));
  $("jobs-empty").hidden = shown.length > 0;
  $("jobs-summary").textContent = summary();
  const active = activeJobs().length;
  $("open-jobs").textContent = active ? `Jobs (${active})` : "Jobs";
}

function summary() {
  const active = activeJobs();
  if (!active.length) return jobs.some((j) => j.status === "failed") ? "Nothing is running. Failed files are listed with the reason." : "Nothing is running.";
  const eta = active.reduce((sum, j) => sum + (estimate(j) ?? 0), 0);
  return `${active.length} file${active.length > 1 ? "s" : ""} ingesting` + (eta > 0 ? `, about ${duration(eta)} left` : "");
}

/** The server's estimate (its workers' measured seconds per byte); else this tenant's recent jobs' bytes per second. */
function estimate(job) {
  if (job.etaSeconds != null) return job.etaSeconds;
  const done = jobs.filter((j) => j.status === "succeeded" && j.sizeBytes > 0).slice(0, 20);
  const bytes = done.reduce((s, j) => s + j.sizeBytes, 0);
  const seconds = done.reduce((s, j) => s + Math.max(0.05, (Date.parse(j.updatedAt) - Date.parse(j.createdAt)) / 1000), 0);
  if (!bytes || !seconds || !job.sizeBytes) return null;
  const left = 1 - (job.progress.total ? job.progress.done / job.progress.total : 0);
  return (job.sizeBytes / (bytes / seconds)) * left;
}

export function duration(seconds) {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function row(job) {
  const li = document.createElement("li");
  li.dataset.status = job.status;
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = job.fileName || job.sourceUri || job.id;
  name.title = job.sourceUri || "";
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = job.status === "succeeded" ? 100 : job.progress.total ? Math.round((job.progress.done / job.progress.total) * 100) : 0;
  bar.setAttribute("aria-label", `Progress of ${name.textContent}`);
  const status = document.createElement("span");
  status.className = "state " + job.status;
  status.textContent = describe(job);
  // A bar only while there is progress to show: a full bar on a failed file would read as success.
  li.append(name);
  if (!Finished.includes(job.status)) li.append(bar);
  li.append(status);
  return li;
}

function describe(job) {
  switch (job.status) {
    case "succeeded": return `Done: ${job.outcome ?? "ingested"} · ${new Date(job.updatedAt).toLocaleString()}`;
    case "failed": return `Failed: ${job.error ? job.error.message : "no reason given"}`;
    case "cancelled": return "Cancelled";
    case "queued": { const eta = estimate(job); return "Waiting for a worker" + (eta ? `, about ${duration(eta)}` : ""); }
    default: {
      const eta = estimate(job);
      return `${job.stage || "working"} ${job.progress.done}/${job.progress.total}` + (eta ? ` · about ${duration(eta)} left` : "");
    }
  }
}

$("clear-jobs").addEventListener("click", () => {
  const newest = jobs.filter((j) => Finished.includes(j.status)).map((j) => j.updatedAt).sort().pop();
  if (newest) localStorage.setItem(ClearedKey + "." + state.kb, newest);
  render();
});
