// The room screen (projector): one screen per phase that fits the display without
// scrolling, in type readable from the back of the room. It shows the observer's view
// (public information only; everything once the game has ended) and summarises rather
// than lists: long lists are cut with "and N more".
import { AlignmentChart } from "./charts.js";
import {
  PhaseSteps,
  Text,
  TeamBadge,
  leverOf,
  roleCodes,
  roleName,
  roleOf,
  useNow,
} from "./components.js";
import * as fmt from "./format.js";
import { html } from "./html.js";
import { t, tn } from "./i18n.js";

const MAX_NAMES = 5;
const MAX_LINES = 6;
const MAX_QUESTIONS = 3;

function stageOf(view) {
  if (view.status === "lobby") return "lobby";
  if (view.status === "ended") return "ended";
  return view.phase;
}

function More({ count }) {
  return count > 0 ? html`<p class="room-more">${tn("and %(count)s more", "and %(count)s more", count)}</p>` : null;
}

// -- lobby: the screen a room joins from ---------------------------------------------------

function JoinPanel({ join }) {
  return html`<section class="room-join" aria-labelledby="room-join-title">
    <h2 id="room-join-title">${t("Join on your phone or laptop")}</h2>
    <p class="room-label">${t("Game code")}</p>
    <p class="room-code" data-testid="room-code">${join.code}</p>
    <p class="room-url">${join.url}</p>
    ${join.qr
      ? html`<figure class="room-qr" role="img" aria-label=${t("QR code of the join page")}
          dangerouslySetInnerHTML=${{ __html: join.qr }}></figure>`
      : null}
  </section>`;
}

function Roster({ view }) {
  const codes = roleCodes(view);
  const total = codes.reduce((sum, code) => sum + ((view.players || {})[code] || []).length, 0);
  return html`<section class="room-roster" aria-labelledby="room-roster-title">
    <h2 id="room-roster-title">${t("Teams")} <span class="room-count">${tn("%(count)s player", "%(count)s players", total)}</span></h2>
    <ul class=${codes.length > 4 ? "room-teams room-teams-many" : "room-teams"}>${codes.map((code) => {
      const names = (view.players || {})[code] || [];
      return html`<li class="room-team" style=${`border-color:${roleOf(view, code).color || "#888"}`}>
        <h3><${TeamBadge} view=${view} code=${code} /> <span class="room-count">${names.length}</span></h3>
        ${names.length
          ? html`<p class="room-names">${names.slice(0, MAX_NAMES).join(", ")}</p><${More} count=${names.length - MAX_NAMES} />`
          : html`<p class="muted">${t("Waiting for players…")}</p>`}
      </li>`;
    })}</ul>
  </section>`;
}

// -- in play -------------------------------------------------------------------------------

function LineItem({ view, line }) {
  const lever = leverOf(view, line.lever);
  const direction = line.kind === "floor" ? t("not below") : t("not above");
  return html`<li class="room-line">
    <${TeamBadge} view=${view} code=${line.role} />
    <span>${lever.label}: ${direction}${" "}${line.value !== undefined
      ? html`<strong>${fmt.withUnit(line.value, lever)}</strong>`
      : html`<em>${t("(value not revealed)")}</em>`}</span>
  </li>`;
}

function RevealedLines({ view, title }) {
  const lines = view.red_lines || [];
  return html`<section class="room-panel" aria-labelledby="room-lines-title">
    <h2 id="room-lines-title">${title || t("Red lines revealed to everyone")}</h2>
    ${lines.length
      ? html`<ul class="room-lines">${lines.slice(0, MAX_LINES).map((line) => html`<${LineItem} view=${view} line=${line} />`)}</ul>
          <${More} count=${lines.length - MAX_LINES} />`
      : html`<p class="muted">${t("None yet.")}</p>`}
  </section>`;
}

function LatestInject({ view }) {
  const injects = (view.injects || []).filter((item) => item.round === view.round);
  const latest = injects[injects.length - 1];
  if (!latest) return null;
  return html`<section class="room-panel room-inject" aria-labelledby="room-inject-title">
    <h2 id="room-inject-title">${t("News")}: ${latest.title}</h2>
    <div class="room-clamp"><${Text} text=${latest.body} /></div>
    <${More} count=${injects.length - 1} />
  </section>`;
}

const PHASE_TEXT = {
  disclosure: () =>
    t("Each team is choosing, in secret, which of its red lines to reveal and to whom. The choices are published together when this phase ends."),
  negotiation: () =>
    t("Teams make offers, answer them and talk. An accepted offer binds the decisions that follow."),
  decision: () =>
    t("Each team sets its policies and locks its decision. Decisions stay sealed until the results."),
};

function Briefing({ view }) {
  const round = (view.rounds || [])[view.round - 1];
  return html`<div class="room-columns">
    <section class="room-panel room-briefing" aria-labelledby="room-briefing-title">
      <h2 id="room-briefing-title">${round ? round.title : t("Round %(round)s", { round: view.round })}</h2>
      <div class="room-clamp room-clamp-long">${round ? html`<${Text} text=${round.briefing} />` : null}</div>
    </section>
    <${LatestInject} view=${view} />
  </div>`;
}

function InPlay({ view }) {
  return html`<div class="room-columns">
    <div class="room-stack">
      <p class="room-lead">${PHASE_TEXT[view.phase]()}</p>
      <${LatestInject} view=${view} />
    </div>
    <${RevealedLines} view=${view} />
  </div>`;
}

// -- scores --------------------------------------------------------------------------------

function Bars({ view, values, label }) {
  const top = Math.max(100, ...Object.values(values).map((value) => Math.abs(value || 0)));
  return html`<table class="room-bars" aria-label=${label}>
    <tbody>${roleCodes(view).map((code) => {
      const value = values[code];
      const width = Math.max(0, (value || 0) / top) * 100;
      return html`<tr>
        <th scope="row">${roleName(view, code)}</th>
        <td><span class="room-bar" style=${`width:${width}%;background:${roleOf(view, code).color || "#888"}`}></span></td>
        <td class="room-number">${fmt.score(value)}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function Metrics({ items }) {
  return html`<dl class="room-metrics">${items.map(
    ([label, value]) => html`<div><dt>${label}</dt><dd>${fmt.score(value)}</dd></div>`,
  )}</dl>`;
}

function Results({ view }) {
  const entry = (view.results || []).find((item) => item.round === view.round);
  if (!entry) return html`<p class="room-lead">${t("Scoring the round…")}</p>`;
  const scores = Object.fromEntries(roleCodes(view).map((code) => [code, entry.scores[code].score]));
  const round = (view.rounds || [])[view.round - 1];
  const questions = (round && round.questions) || [];
  return html`<div class="room-columns">
    <section class="room-panel" aria-labelledby="room-results-title">
      <h2 id="room-results-title">${t("Round %(round)s results", { round: view.round })}</h2>
      <${Metrics} items=${[
        [t("Coalition alignment"), entry.metrics.alignment_points],
        [t("Effectiveness"), entry.metrics.effectiveness],
        [t("Coalition score"), entry.metrics.coalition],
      ]} />
      <h3>${t("Round score by team")}</h3>
      <${Bars} view=${view} values=${scores} label=${t("Round score by team")} />
      ${view.results.length > 1
        ? html`<div class="room-chart"><h3>${t("Alignment by round")}</h3><${AlignmentChart} view=${view} /></div>`
        : null}
    </section>
    <section class="room-panel" aria-labelledby="room-questions-title">
      <h2 id="room-questions-title">${t("To discuss")}</h2>
      ${questions.length
        ? html`<ul class="room-questions">${questions.slice(0, MAX_QUESTIONS).map((text) => html`<li>${text}</li>`)}</ul>
            <${More} count=${questions.length - MAX_QUESTIONS} />`
        : html`<p class="muted">${t("What did each team expect of the others, and what happened?")}</p>`}
    </section>
  </div>`;
}

// What the game came to, in a few numbers.
export function gameFacts(view) {
  const lines = view.red_lines || [];
  const revealed = lines.filter((line) => Object.values(line.known_by || {}).some(Boolean)).length;
  const offers = view.offers || [];
  const accepted = offers.filter((offer) => offer.status === "accepted").length;
  const broken = (view.results || []).reduce(
    (sum, entry) => sum + (entry.commitments || []).filter((item) => item.status === "broken").length,
    0,
  );
  return [
    t("Red lines revealed: %(revealed)s of %(total)s", { revealed, total: lines.length }),
    t("Offers accepted: %(accepted)s of %(total)s", { accepted, total: offers.length }),
    tn("%(count)s commitment broken", "%(count)s commitments broken", broken),
  ];
}

function Ended({ view }) {
  const final = view.final;
  if (!final) return html`<p class="room-lead">${t("The game ended before any round was scored.")}</p>`;
  const source = final.scores || final.roles || {};
  const scores = Object.fromEntries(
    roleCodes(view).map((code) => [code, typeof source[code] === "object" ? source[code].score : source[code]]),
  );
  return html`<div class="room-columns">
    <section class="room-panel" aria-labelledby="room-final-title">
      <h2 id="room-final-title">${t("Final scores")}</h2>
      <${Metrics} items=${[[t("Coalition score"), final.coalition]]} />
      <${Bars} view=${view} values=${scores} label=${t("Final score by team")} />
      <ul class="room-facts">${gameFacts(view).map((text) => html`<li>${text}</li>`)}</ul>
    </section>
    <section class="room-panel room-chart"><h2>${t("Alignment by round")}</h2><${AlignmentChart} view=${view} allRoles=${true} /></section>
  </div>`;
}

// -- the screen ----------------------------------------------------------------------------

// The time left, large; a word when paused; nothing when the facilitator advances by hand.
function Clock({ view }) {
  const now = useNow();
  const { seconds, paused } = fmt.countdown(view, now);
  if (view.status !== "running" || seconds === null) return null;
  const urgent = !paused && seconds <= 30;
  return html`<div role="timer" aria-live="off">
    <p class=${urgent ? "room-time urgent" : "room-time"}>${fmt.clock(seconds)}</p>
    ${paused ? html`<p class="room-time-note">${t("Paused")}</p>` : null}
  </div>`;
}

export function RoomScreen({ view, join }) {
  const stage = stageOf(view);
  const status =
    stage === "lobby"
      ? t("Waiting for everyone to join")
      : stage === "ended"
        ? t("Debrief: the game has ended and everything is revealed.")
        : t("Round %(round)s of %(total)s · %(phase)s", {
            round: view.round,
            total: view.rounds_total,
            phase: fmt.phaseLabel(view.phase),
          });
  const body = {
    lobby: () => html`<div class="room-columns room-join-columns">
      <${JoinPanel} join=${join} /><${Roster} view=${view} /></div>`,
    briefing: () => html`<${Briefing} view=${view} />`,
    disclosure: () => html`<${InPlay} view=${view} />`,
    negotiation: () => html`<${InPlay} view=${view} />`,
    decision: () => html`<${InPlay} view=${view} />`,
    results: () => html`<${Results} view=${view} />`,
    ended: () => html`<${Ended} view=${view} />`,
  }[stage];
  return html`<div class=${`room room-${stage}`}>
    <header class="room-head">
      <div class="room-heading">
        <h1>${view.scenario.title}</h1>
        <p class="room-status">${status}</p>
        <${PhaseSteps} view=${view} />
      </div>
      <div class="room-clock">
        <${Clock} view=${view} />
        ${stage !== "lobby" && stage !== "ended" ? html`<p class="room-joinline">${t("Join: %(url)s", { url: join.url })}</p>` : null}
      </div>
    </header>
    <main id="main" class="room-body">${body ? body() : null}</main>
  </div>`;
}
