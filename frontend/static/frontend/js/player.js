// The player's table: lobby, briefing, red lines, negotiation, decision, results and the
// debrief. Everything shown comes from the server's view for this team; every figure about a
// move (its cost, the red line it would cross, its effect on the score) comes from the
// server's `preview`. No game rule is computed here.
import {
  ConnectionBanner,
  LatestNotice,
  GameHeader,
  useStore,
} from "./components.js";
import { debriefChatText } from "./components.js";
import { AlignmentChart } from "./charts.js";
import { ChatPanel } from "./chat.js";
import { ResultsPanel } from "./results.js";
import { html, render, useEffect, useState } from "./html.js";
import { t } from "./i18n.js";
import { BriefingPanel, Lobby } from "./player/briefing.js";
import { DecisionPanel } from "./player/decision.js";
import { NegotiationPanel } from "./player/negotiation.js";
import { RedLinesPanel } from "./player/redlines.js";
import { GameSocket } from "./socket.js";
import { createStore } from "./store.js";

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

function Table({ state, view, you, socket }) {
  const debrief = view.status === "ended";
  const [tab, setTab] = useState(debrief ? "results" : TAB_FOR_PHASE[view.phase] || "briefing");
  useEffect(() => {
    if (!debrief && TAB_FOR_PHASE[view.phase]) setTab(TAB_FOR_PHASE[view.phase]);
  }, [view.round, view.phase]);
  useEffect(() => {
    if (debrief) setTab("results");
  }, [debrief]);
  useEffect(() => {
    if (view.chat_revealed && debrief) socket.loadHistory(); // the others' chat, revealed
  }, [view.chat_revealed, debrief]);
  const tabs = TABS().filter(([key]) => !(debrief && key === "decision"));
  return html`<div class="table-layout">
    <div class="main-column">
      ${debrief
        ? html`<div class="banner banner-debrief" role="status">
            <p>${t("Debrief: the game has ended and everything is revealed — every team's red lines, offers and decisions.")}</p>
            <p class="debrief-chat">${debriefChatText(view)}</p>
            <p><a href=${`/games/${encodeURIComponent(state.game.code)}/report/`}>${t("Open the after-action report")}</a>${" · "}<a
              href=${`/api/games/${encodeURIComponent(state.game.code)}/report.pdf`}>${t("Download it as PDF")}</a></p>
          </div>`
        : null}
      <nav class="tabs main-tabs" role="tablist" aria-label=${t("Sections")}>
        ${tabs.map(
          ([key, label]) => html`<button type="button" role="tab" id=${`tab-${key}`} aria-controls=${`panel-${key}`}
            aria-selected=${tab === key ? "true" : "false"} class=${tab === key ? "tab active" : "tab"}
            onClick=${() => setTab(key)}>${label}${key === TAB_FOR_PHASE[view.phase] && !debrief ? html` <span class="now">${t("(now)")}</span>` : null}</button>`,
        )}
      </nav>
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
      <${ChatPanel} state=${state} socket=${socket} view=${view} you=${you} />
      <section class="card">
        <h2>${t("Coalition so far")}</h2>
        <${AlignmentChart} view=${view} role=${you.role} />
      </section>
    </aside>
  </div>`;
}

function PlayerApp({ store, socket }) {
  const state = useStore(store);
  const { view, you } = state;
  return html`
    <${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
    ${view && you
      ? html`<${GameHeader} view=${view} you=${you} />
          <${LatestNotice} state=${state} view=${view} />
          <main id="main">
            ${view.status === "lobby"
              ? html`<${Lobby} state=${state} view=${view} you=${you} />`
              : html`<${Table} state=${state} view=${view} you=${you} socket=${socket} />`}
          </main>`
      : html`<main id="main"><p>${t("Loading the game…")}</p></main>`}
  `;
}

const root = document.getElementById("app");
const store = createStore();
const socket = new GameSocket({ code: root.dataset.code, store });
socket.start();
globalThis.redlines = { store, socket };
render(html`<${PlayerApp} store=${store} socket=${socket} />`, root);
