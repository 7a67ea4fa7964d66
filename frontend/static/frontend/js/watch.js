// Read-only pages with public information only: the observer view and the room's projector
// (room.js). The socket opens with the game's watch key; the server sends the observer's
// view, which never holds a team's secrets.
import {
  ConnectionBanner,
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
import { RoomScreen } from "./room.js";
import { t } from "./i18n.js";
import { GameSocket } from "./socket.js";
import { createStore } from "./store.js";

function RevealedLines({ view }) {
  const lines = view.red_lines || [];
  if (!lines.length) return html`<p class="muted">${t("No red line has been revealed to everyone yet.")}</p>`;
  return html`<ul class="cards">${lines.map((line) => html`<li class="card red-line"><${RedLineText} view=${view} line=${line} /></li>`)}</ul>`;
}

function WatchApp({ store, socket, join }) {
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
  if (join) {
    return html`<${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
      <${RoomScreen} view=${view} join=${join} />`;
  }
  return html`
    <${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
    <${GameHeader} view=${view} you=${null} extra=${html`<span class="tag">${t("Observer (read-only)")}</span>`} />
    <main id="main" class="panel-grid">
      ${view.status === "ended" ? html`<p class="banner banner-debrief" role="status">${t("Debrief: the game has ended and everything is revealed.")}</p>` : null}
      <section class="card">
        <h2>${t("Coalition alignment by round")}</h2>
        <${AlignmentChart} view=${view} allRoles=${true} />
      </section>
      <section class="card"><h2>${t("Injects")}</h2><${InjectList} view=${view} /></section>
      <section class="card"><h2>${view.status === "ended" ? t("Red lines") : t("Red lines revealed to everyone")}</h2><${RevealedLines} view=${view} /></section>
      <section class="card"><h2>${t("Scores")}</h2><${ResultsPanel} view=${view} /></section>
      <section class="card"><h2>${t("Teams")}</h2><${TeamsPresence} view=${view} presence=${state.presence} /></section>
      <${ChatPanel} state=${state} socket=${socket} view=${view} you=${you} readOnly=${true} />
    </main>`;
}

const root = document.getElementById("app");
const store = createStore();
const socket = new GameSocket({ code: root.dataset.code, store, watch: root.dataset.key });
socket.start();
globalThis.redlines = { store, socket };
// The projector (room screen) gets the join link and its QR code from the page.
const qr = document.getElementById("join-qr");
const join =
  root.dataset.mode === "projector"
    ? { code: root.dataset.code, url: root.dataset.joinUrl || "", qr: qr ? qr.innerHTML.trim() : "" }
    : null;
render(html`<${WatchApp} store=${store} socket=${socket} join=${join} />`, root);
