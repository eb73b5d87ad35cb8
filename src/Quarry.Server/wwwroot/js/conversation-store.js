// Where conversations are kept. For now the browser's localStorage; a server session API can replace this module:
// the rest of the UI only calls the functions exported here, and they already return promises.
const IndexKey = "quarry.conversations";
const turnsKey = (id) => "quarry.conversation." + id;
const MaxTurns = 50;

function readIndex() {
  try { return JSON.parse(localStorage.getItem(IndexKey) || "[]"); } catch { return []; }
}
function writeIndex(index) { localStorage.setItem(IndexKey, JSON.stringify(index)); }
const now = () => new Date().toISOString();
// crypto.randomUUID exists only in secure contexts (https, localhost); a server on a LAN address is neither.
const newId = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 10);

/** The knowledge base's conversations, newest first: { id, kb, title, createdAt, updatedAt }. */
export async function listConversations(kb) {
  adoptLegacy(kb);
  return readIndex().filter((c) => c.kb === kb).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

export async function createConversation(kb, title = "New chat") {
  const conversation = { id: newId(), kb, title, named: false, createdAt: now(), updatedAt: now() };
  writeIndex([...readIndex(), conversation]);
  localStorage.setItem(turnsKey(conversation.id), "[]");
  return conversation;
}

export async function loadTurns(id) {
  try { return JSON.parse(localStorage.getItem(turnsKey(id)) || "[]"); } catch { return []; }
}

/** Stores the turns (the newest 50) and, until the user names it, titles the conversation by its first question. */
export async function saveTurns(id, turns) {
  localStorage.setItem(turnsKey(id), JSON.stringify(turns.slice(-MaxTurns)));
  const first = turns.find((t) => t.role === "user");
  writeIndex(readIndex().map((c) => c.id !== id ? c : {
    ...c,
    title: !c.named && first ? first.text.slice(0, 60) : c.title,
    updatedAt: now(),
  }));
}

export async function renameConversation(id, title) {
  writeIndex(readIndex().map((c) => c.id === id ? { ...c, title, named: true } : c));
}

export async function deleteConversation(id) {
  writeIndex(readIndex().filter((c) => c.id !== id));
  localStorage.removeItem(turnsKey(id));
}

/** Conversations follow their knowledge base when it is renamed. */
export async function moveConversations(fromKb, toKb) {
  writeIndex(readIndex().map((c) => c.kb === fromKb ? { ...c, kb: toKb } : c));
}

// The first version kept one conversation per knowledge base under "quarry.chat.<kb>": it becomes a listed one.
function adoptLegacy(kb) {
  const legacy = localStorage.getItem("quarry.chat." + kb);
  if (legacy === null) return;
  localStorage.removeItem("quarry.chat." + kb);
  let turns = [];
  try { turns = JSON.parse(legacy); } catch { /* unreadable: dropped */ }
  if (!turns.length) return;
  const id = newId();
  const first = turns.find((t) => t.role === "user");
  writeIndex([...readIndex(), { id, kb, title: first ? first.text.slice(0, 60) : "Earlier chat", named: false, createdAt: now(), updatedAt: now() }]);
  localStorage.setItem(turnsKey(id), legacy);
}
