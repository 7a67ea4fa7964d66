// The player's table: lobby, briefing, red lines, negotiation, decision, results and the
// debrief. Everything shown comes from the server's view for this team; every figure about a
// move (its cost, the red line it would cross, its effect on the score) comes from the
// server's `preview`. No game rule is computed here.
import { ConnectionBanner, GameHeader, debriefChatText, useStore } from "./components.js";
import { AlignmentChart } from "./charts.js";
import { ChatPanel } from "./chat.js";
import { ResultsPanel } from "./results.js";
import { html, render, useEffect, useState } from "./html.js";
import { t } from "./i18n.js";
import { CountBadge, Notices, awaitingLabel, unreadLabel } from "./layout.js";
import { BriefingPanel, Lobby } from "./player/briefing.js";
import { DecisionPanel } from "./player/decision.js";
import { NegotiationPanel } from "./player/negotiation.js";
import { RedLinesPanel } from "./player/redlines.js";
import { GameSocket } from "./socket.js";
import { awaitingAnswer, createStore, unreadByChannel } from "./store.js";

const TAB_FOR_PHASE = {
  briefing: "briefing",
  disclosure: "redlines",
  negotiation: "negotiation",
  decision: "decision",
  results: "results",
};

const TABS = () => [
  ["briefing", t("Briefing")],
  ["redlines", t("Red lines")],
  ["negotiation", t("Negotiation")],
  ["decision", t("Decision")],
  ["results", t("Results")],
];

// A link to the chat, with its unread count: on a narrow screen the chat sits below the
// panels, and this link stays in view in the sticky header.
function ChatJump({ unread }) {
  return html`<a class="jump-chat" href="#chat">${t("Chat")}<${CountBadge} count=${unread} label=${unreadLabel(unread)} /></a>`;
}

function Table({ state, view, you, socket, store }) {
  const debrief = view.status === "ended";
  const [tab, setTab] = useState(debrief ? "results" : TAB_FOR_PHASE[view.phase] || "briefing");
  useEffect(() => {
    if (!debrief && TAB_FOR_PHASE[view.phase]) setTab(TAB_FOR_PHASE[view.phase]);
  }, [view.round, view.phase]);
  useEffect(() => {
    if (debrief) setTab("results");
  }, [debrief]);
  useEffect(() => {
    // The tab row scrolls sideways on a phone: keep the open tab in it.
    const active = document.getElementById(`tab-${tab}`);
    if (active && active.parentElement.scrollWidth > active.parentElement.clientWidth) {
      active.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }, [tab]);
  useEffect(() => {
    if (view.chat_revealed && debrief) socket.loadHistory(); // the others' chat, revealed
  }, [view.chat_revealed, debrief]);
  const open = (key) => {
    setTab(key);
    globalThis.scrollTo({ top: 0 });
  };
  const tabs = TABS().filter(([key]) => !(debrief && key === "decision"));
  const awaiting = debrief ? 0 : awaitingAnswer(view, you.role).length;
  const unread = Object.values(unreadByChannel(state)).reduce((sum, count) => sum + count, 0);
  useEffect(() => {
    // A window in the background says in its title how much waits: "(3) …".
    const plain = document.title.replace(/^\(\d+\) /, "");
    document.title = awaiting + unread ? `(${awaiting + unread}) ${plain}` : plain;
  }, [awaiting, unread]);
  return html`<div class="sticky-top">
      <${GameHeader} view=${view} you=${you} extra=${html`<${ChatJump} unread=${unread} />`} />
      <nav class="tabs main-tabs" role="tablist" aria-label=${t("Sections")}>
        ${tabs.map(
          ([key, label]) => html`<button type="button" role="tab" id=${`tab-${key}`} aria-controls=${`panel-${key}`}
            aria-selected=${tab === key ? "true" : "false"} class=${tab === key ? "tab active" : "tab"}
            onClick=${() => open(key)}>${label}${key === TAB_FOR_PHASE[view.phase] && !debrief ? html` <span class="now">${t("(now)")}</span>` : null}${key === "negotiation"
              ? html`<${CountBadge} count=${awaiting} label=${awaitingLabel(awaiting)} />`
              : null}</button>`,
        )}
      </nav>
      <${Notices} notices=${state.notices} view=${view} role=${you.role} onOpen=${open} />
    </div>
    <main id="main" class=${`table-layout showing-${tab}`}>
    <div class="main-column">
      ${debrief
        ? html`<div class="banner banner-debrief" role="status">
            <p>${t("Debrief: the game has ended and everything is revealed — every team's red lines, offers and decisions.")}</p>
            <p class="debrief-chat">${debriefChatText(view)}</p>
            <p><a href=${`/games/${encodeURIComponent(state.game.code)}/report/`}>${t("Open the after-action report")}</a>${" · "}<a
              href=${`/api/games/${encodeURIComponent(state.game.code)}/report.pdf`}>${t("Download it as PDF")}</a></p>
          </div>`
        : null}
      <div role="tabpanel" id="panel-briefing" aria-labelledby="tab-briefing" hidden=${tab !== "briefing"}>
        <${BriefingPanel} view=${view} you=${you} />
      </div>
      <div role="tabpanel" id="panel-redlines" aria-labelledby="tab-redlines" hidden=${tab !== "redlines"}>
        <${RedLinesPanel} view=${view} socket=${socket} you=${you} debrief=${debrief} />
      </div>
      <div role="tabpanel" id="panel-negotiation" aria-labelledby="tab-negotiation" hidden=${tab !== "negotiation"}>
        <${NegotiationPanel} view=${view} socket=${socket} you=${you} debrief=${debrief} />
      </div>
      ${debrief ? null : html`<div role="tabpanel" id="panel-decision" aria-labelledby="tab-decision" hidden=${tab !== "decision"}>
        <${DecisionPanel} state=${state} view=${view} socket=${socket} you=${you} />
      </div>`}
      <div role="tabpanel" id="panel-results" aria-labelledby="tab-results" hidden=${tab !== "results"}>
        <${ResultsPanel} view=${view} role=${you.role} />
      </div>
    </div>
    <aside class="side-column">
      <${ChatPanel} state=${state} socket=${socket} view=${view} you=${you} store=${store} />
      <section class="card side-chart">
        <h2>${t("Coalition so far")}</h2>
        <${AlignmentChart} view=${view} role=${you.role} />
      </section>
    </aside>
  </main>`;
}

function PlayerApp({ store, socket }) {
  const state = useStore(store);
  const { view, you } = state;
  if (!view || !you) {
    return html`<${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
      <main id="main"><p>${t("Loading the game…")}</p></main>`;
  }
  return html`
    <${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
    ${view.status === "lobby"
      ? html`<div class="sticky-top">
            <${GameHeader} view=${view} you=${you} />
            <${Notices} notices=${state.notices} view=${view} role=${you.role} />
          </div>
          <main id="main"><${Lobby} state=${state} view=${view} you=${you} /></main>`
      : html`<${Table} state=${state} view=${view} you=${you} socket=${socket} store=${store} />`}
  `;
}

const root = document.getElementById("app");
const store = createStore();
const socket = new GameSocket({ code: root.dataset.code, store });
socket.start();
globalThis.redlines = { store, socket };
render(html`<${PlayerApp} store=${store} socket=${socket} />`, root);
