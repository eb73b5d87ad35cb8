// Where conversations are kept: server-side sessions (/v1/sessions), so they follow the user's key to any browser.
// The server appends each answered turn itself (the question is asked with its sessionId); this module lists, opens,
// titles, renames, moves and deletes sessions. The rest of the UI only calls the functions exported here.
import { api } from "./api.js";

const TitleLength = 60;
// Sessions this page has already titled (by their first question or by the user): not retitled.
const titled = new Set();

const summary = (s) => ({ id: s.id, kb: s.knowledgeBase || "", title: s.title, createdAt: s.createdAt, updatedAt: s.updatedAt });

async function sessions() {
  return (await api("/v1/sessions?limit=500", { quiet: true })).items;
}

/** The knowledge base's conversations, newest first: { id, kb, title, createdAt, updatedAt }. */
export async function listConversations(kb) {
  return (await sessions()).filter((s) => (s.knowledgeBase || "") === kb).map(summary);
}

export async function createConversation(kb, title = "New chat") {
  return summary(await api("/v1/sessions", { method: "POST", json: { title, knowledgeBase: kb || undefined }, quiet: true }));
}

/** The conversation's turns as the chat renders them; none when it no longer exists (deleted, expired). */
export async function loadTurns(id) {
  let detail;
  try { detail = await api(`/v1/sessions/${encodeURIComponent(id)}`, { quiet: true }); } catch (err) {
    if (err.status === 404) return [];
    throw err;
  }
  if (detail.session.title !== "New chat") titled.add(id);
  return detail.turns.flatMap((t) => [
    { role: "user", text: t.question },
    { role: "assistant", text: t.answer, answer: { citations: t.citations, rewrittenQuery: t.rewrittenQuery } },
  ]);
}

/** The server stores the turns as they are answered; until the user names it, the conversation is titled by its
 * first question. */
export async function saveTurns(id, turns) {
  const first = turns.find((t) => t.role === "user");
  if (!first || titled.has(id)) return;
  titled.add(id);
  await api(`/v1/sessions/${encodeURIComponent(id)}`, { method: "PATCH", json: { title: first.text.slice(0, TitleLength) }, quiet: true });
}

export async function renameConversation(id, title) {
  titled.add(id);
  await api(`/v1/sessions/${encodeURIComponent(id)}`, { method: "PATCH", json: { title } });
}

export async function deleteConversation(id) {
  await api(`/v1/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Conversations follow their knowledge base when it is renamed. */
export async function moveConversations(fromKb, toKb) {
  const moving = (await sessions()).filter((s) => s.knowledgeBase === fromKb);
  await Promise.all(moving.map((s) => api(`/v1/sessions/${encodeURIComponent(s.id)}`, { method: "PATCH", json: { knowledgeBase: toKb }, quiet: true })));
}
