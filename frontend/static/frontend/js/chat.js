// The chat panel: channels (everyone, the team, each partner), paged history, a composer
// per channel whose draft survives switching tabs and reconnecting. Given the page's store,
// each channel tab counts its unread messages, and the open channel is read while on screen.
import { useCommand, roleName, roleCodes, ErrorText } from "./components.js";
import * as fmt from "./format.js";
import { html, useEffect, useRef, useState } from "./html.js";
import { t } from "./i18n.js";
import { CountBadge, unreadLabel, useOnScreen } from "./layout.js";
import { chatKey as channelKey, unreadByChannel } from "./store.js";

export { channelKey };

export function ChatPanel({ state, socket, view, you, readOnly = false, store = null }) {
  const codes = roleCodes(view);
  const me = you.role;
  const tabs = [{ key: "all", label: t("Everyone"), channel: "all" }];
  if (me) {
    tabs.push({ key: `team:${me}`, label: t("My team"), channel: "team" });
    for (const code of codes) {
      if (code !== me) {
        const pair = [me, code].sort();
        tabs.push({ key: `to:${pair.join(",")}`, label: t("With %(team)s", { team: roleName(view, code) }), channel: [me, code] });
      }
    }
  } else if (!readOnly) {
    for (const code of codes) {
      tabs.push({ key: `team:${code}`, label: t("%(team)s team", { team: code }), channel: null });
    }
  }
  const seen = new Set(tabs.map((tab) => tab.key));
  for (const event of state.chat) {
    const key = channelKey(event.data.channel, event.data.from, you);
    if (!seen.has(key)) {
      seen.add(key);
      const list = event.data.channel;
      tabs.push({ key, label: Array.isArray(list) ? list.join(" · ") : key, channel: Array.isArray(list) ? list : null });
    }
  }
  const [active, setActive] = useState("all");
  const [drafts, setDrafts] = useState({});
  const command = useCommand(socket);
  const list = useRef(null);
  const tab = tabs.find((item) => item.key === active) || tabs[0];
  const messages = state.chat.filter((event) => channelKey(event.data.channel, event.data.from, you) === tab.key);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [messages.length, tab.key]);
  const unread = store ? unreadByChannel(state) : {};
  const newest = messages.length ? messages[messages.length - 1].seq : 0;
  useOnScreen(list, () => store && store.dispatch({ type: "chat_read", channel: tab.key }), [store, tab.key, newest]);
  const draft = drafts[tab.key] || "";
  const send = async (event) => {
    event.preventDefault();
    if (!draft.trim() || !tab.channel) return;
    const ok = await command.run("chat", { channel: tab.channel, text: draft });
    if (ok) setDrafts({ ...drafts, [tab.key]: "" });
  };
  const older = () => {
    const first = state.chat[0];
    socket.request({ type: "history", kinds: "chat", before: first ? first.seq : undefined }).catch(() => {});
  };
  return html`<section class="chat card" id="chat" aria-labelledby="chat-title">
    <h2 id="chat-title">${t("Chat")}</h2>
    <div class="tabs" role="tablist" aria-label=${t("Chat channels")}>
      ${tabs.map(
        (item) => html`<button
          type="button"
          role="tab"
          aria-selected=${item.key === tab.key ? "true" : "false"}
          class=${item.key === tab.key ? "tab active" : "tab"}
          onClick=${() => setActive(item.key)}
        >${item.label}<${CountBadge} count=${unread[item.key]} label=${unreadLabel(unread[item.key])} /></button>`,
      )}
    </div>
    <div class="messages" ref=${list} role="log" aria-label=${t("Messages: %(channel)s", { channel: tab.label })}>
      ${state.chatMore
        ? html`<button type="button" class="link" onClick=${older}>${t("Show older messages")}</button>`
        : null}
      ${messages.length
        ? messages.map(
            (event) => html`<p class="message">
              <span class="who">${event.data.from === "facilitator" ? t("Facilitator") : `${event.actor.name} (${event.data.from})`}</span>
              <time datetime=${event.at}>${fmt.time(event.at)}</time>
              <span class="text">${event.data.text}</span>
            </p>`,
          )
        : html`<p class="muted">${t("No messages here yet.")}</p>`}
    </div>
    ${readOnly || !tab.channel || view.status !== "running"
      ? null
      : html`<form class="chat-form" onSubmit=${send}>
          <label for="chat-text" class="visually-hidden">${t("Message to %(channel)s", { channel: tab.label })}</label>
          <input
            id="chat-text"
            maxlength="2000"
            autocomplete="off"
            value=${draft}
            placeholder=${t("Message to %(channel)s", { channel: tab.label })}
            onInput=${(event) => setDrafts({ ...drafts, [tab.key]: event.target.value })}
          />
          <button type="submit" disabled=${command.busy}>${t("Send")}</button>
          <${ErrorText} error=${command.error} />
        </form>`}
  </section>`;
}
