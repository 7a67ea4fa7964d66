// Read-only pages with public information only: the observer view and the room's projector
// (large type). The socket opens with the game's watch key; the server sends the observer's
// view, which never holds a team's secrets.
import {
  ConnectionBanner,
  Countdown,
  GameHeader,
  InjectList,
  RedLineText,
  TeamsPresence,
  useStore,
} from "./components.js";
import { AlignmentChart } from "./charts.js";
import { ChatPanel } from "./chat.js";
import { ResultsPanel } from "./results.js";
import { html, render } from "./html.js";
import { t } from "./i18n.js";
import { GameSocket } from "./socket.js";
import { createStore } from "./store.js";

function RevealedLines({ view }) {
  const lines = view.red_lines || [];
  if (!lines.length) return html`<p class="muted">${t("No red line has been revealed to everyone yet.")}</p>`;
  return html`<ul class="cards">${lines.map((line) => html`<li class="card red-line"><${RedLineText} view=${view} line=${line} /></li>`)}</ul>`;
}

function WatchApp({ store, socket, mode }) {
  const state = useStore(store);
  const { view, you } = state;
  if (state.closedReason === "link replaced") {
    // Nothing of the game stays on screen (a projector may be left unattended).
    return html`<main id="main" class="link-replaced"><div role="alert">
      <h1>${t("This link has been replaced; ask the facilitator for the new one.")}</h1></div></main>`;
  }
  if (!view || !you) {
    return html`<${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
      <main id="main"><p>${t("Loading…")}</p></main>`;
  }
  const projector = mode === "projector";
  const latest = (view.results || [])[view.results.length - 1];
  return html`
    <${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
    <${GameHeader} view=${view} you=${null} showCountdown=${!projector} extra=${html`<span class="tag">${projector ? t("Projector") : t("Observer (read-only)")}</span>`} />
    ${projector && view.status === "running" ? html`<${Countdown} view=${view} large=${true} />` : null}
    <main id="main" class="panel-grid">
      ${view.status === "ended" ? html`<p class="banner banner-debrief" role="status">${t("Debrief: the game has ended and everything is revealed.")}</p>` : null}
      <section class="card">
        <h2>${t("Coalition alignment by round")}</h2>
        <${AlignmentChart} view=${view} allRoles=${!projector} />
        ${latest && projector
          ? html`<p>${t("Round %(round)s: alignment %(points)s points, effectiveness %(effect)s", {
              round: latest.round,
              points: latest.metrics.alignment_points.toFixed(1),
              effect: latest.metrics.effectiveness.toFixed(1),
            })}</p>`
          : null}
      </section>
      <section class="card"><h2>${t("Injects")}</h2><${InjectList} view=${view} /></section>
      <section class="card"><h2>${view.status === "ended" ? t("Red lines") : t("Red lines revealed to everyone")}</h2><${RevealedLines} view=${view} /></section>
      <section class="card"><h2>${t("Scores")}</h2><${ResultsPanel} view=${view} /></section>
      ${projector ? null : html`<section class="card"><h2>${t("Teams")}</h2><${TeamsPresence} view=${view} presence=${state.presence} /></section>
        <${ChatPanel} state=${state} socket=${socket} view=${view} you=${you} readOnly=${true} />`}
    </main>`;
}

const root = document.getElementById("app");
const store = createStore();
const socket = new GameSocket({ code: root.dataset.code, store, watch: root.dataset.key });
socket.start();
globalThis.redlines = { store, socket };
render(html`<${WatchApp} store=${store} socket=${socket} mode=${root.dataset.mode} />`, root);
