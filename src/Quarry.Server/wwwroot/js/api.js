// The /v1 API as the UI uses it: the key, the caller (GET /v1/me), and errors as sentences a person understands.

export const $ = (id) => document.getElementById(id);

export const state = {
  // Settles when the first load (caller, knowledge bases) has finished, however it ended.
  ready: Promise.resolve(),
  kb: localStorage.getItem("quarry.kb") || "",
  key: localStorage.getItem("quarry.key") || "",
  me: null,
};

export function headers(extra = {}) {
  const h = { ...extra };
  if (state.key) h["Authorization"] = "Bearer " + state.key;
  return h;
}

/** An error whose message is already fit to show. */
export class UiError extends Error {
  constructor(message, { status = 0, offline = false } = {}) {
    super(message);
    this.status = status;
    this.offline = offline;
  }
}

export const offlineMessage = "Can't reach the Quarry server. Check that it is running; this page retries on its own.";

export async function explain(response) {
  let detail = "";
  try {
    const p = await response.json();
    detail = p.detail || p.title || "";
  } catch { /* not a problem document */ }
  switch (response.status) {
    case 401: return new UiError("This page needs an API key: open Settings and paste one (or start the server with --dev).", { status: 401 });
    case 403: return new UiError(`Your key (${state.me?.role ?? "this role"}) may not do that. Ask an administrator for a key with more rights.`, { status: 403 });
    case 429: return new UiError("Too many requests right now. Wait a few seconds and try again.", { status: 429 });
    case 502: case 503: case 504:
      return new UiError(detail ? `The server is busy or a model is unavailable: ${detail}` : "The server is busy or unavailable. Try again in a moment.", { status: response.status });
    default: return new UiError(detail || `The server answered ${response.status} ${response.statusText}.`, { status: response.status });
  }
}

export async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: headers(options.headers) });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    setOffline(true);
    throw new UiError(offlineMessage, { offline: true });
  }
  setOffline(false);
  if (!response.ok) throw await explain(response);
  return response;
}

/** JSON in and out; a success clears the error shown for an earlier failure (unless quiet, for background polls). */
export async function api(path, options = {}) {
  const { quiet, json, ...rest } = options;
  if (json !== undefined) {
    rest.body = JSON.stringify(json);
    rest.headers = { ...(rest.headers || {}), "Content-Type": "application/json" };
  }
  const response = await request(path, rest);
  if (!quiet) showError("");
  return response.status === 204 ? null : response.json();
}

export function showError(message) {
  const status = $("status");
  status.textContent = message || "";
  status.hidden = !message;
}

const offlineListeners = [];
export function onOfflineChange(listener) { offlineListeners.push(listener); }
function setOffline(offline) {
  if (document.body.classList.contains("offline") === offline) return;
  document.body.classList.toggle("offline", offline);
  for (const listener of offlineListeners) listener(offline);
}

/** May the caller do this? Unknown (no /v1/me yet) means no, so controls appear only once allowed. */
export function may(permission) { return !!state.me?.permissions?.[permission]; }

export function applyPermissions() {
  for (const element of document.querySelectorAll("[data-requires]")) element.hidden = !may(element.dataset.requires);
}
