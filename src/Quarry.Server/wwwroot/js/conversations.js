// The conversation list (the Chats panel): open, start, rename and delete conversations of this knowledge base.
import { $, state, showError } from "./api.js";
import { listConversations, renameConversation, deleteConversation } from "./conversation-store.js";
import { currentConversation, openConversation, newConversation, onConversationChange } from "./chat.js";
import { closePanel } from "./panels.js";

const narrow = () => window.matchMedia("(max-width: 900px)").matches;

export async function renderConversations() {
  const conversations = await listConversations(state.kb || "");
  const active = currentConversation();
  $("conversation-list").replaceChildren(...conversations.map((c) => item(c, c.id === active)));
  $("conversations-empty").hidden = conversations.length > 0;
}

function item(conversation, active) {
  const li = document.createElement("li");
  li.dataset.id = conversation.id;
  if (active) li.className = "active";
  const open = document.createElement("button");
  open.type = "button";
  open.className = "ghost open-conversation";
  open.textContent = conversation.title || "Untitled chat";
  open.title = `${conversation.title} · ${new Date(conversation.updatedAt).toLocaleString()}`;
  if (active) open.setAttribute("aria-current", "true");
  open.addEventListener("click", async () => {
    await openConversation(conversation.id);
    if (narrow()) closePanel("conversations");
  });
  const rename = small("Rename", `Rename ${conversation.title}`, async () => {
    const title = prompt("New name for this conversation:", conversation.title)?.trim();
    if (!title) return;
    await renameConversation(conversation.id, title);
    await renderConversations();
  });
  const remove = small("Delete", `Delete ${conversation.title}`, async () => {
    if (!confirm(`Delete the conversation "${conversation.title}"? This cannot be undone.`)) return;
    await deleteConversation(conversation.id);
    if (conversation.id === currentConversation()) await openConversation(null);
    else await renderConversations();
  });
  li.append(open, rename, remove);
  return li;
}

function small(label, name, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "ghost small";
  b.textContent = label;
  b.setAttribute("aria-label", name);
  b.addEventListener("click", () => onClick().catch((err) => showError(err.message)));
  return b;
}

$("new-conversation").addEventListener("click", async () => {
  await newConversation();
  if (narrow()) closePanel("conversations");
});
onConversationChange(() => renderConversations().catch(() => {}));
