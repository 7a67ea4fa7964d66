// The facilitator's console for one game: every team at once (god view), phase controls,
// injects, notes, score adjustments, players, the live chart and the event log.
import {
  ConnectionBanner,
  LatestNotice,
  debriefChatText,
  offerStatusLabel,
  ErrorText,
  GameHeader,
  InjectList,
  KnownBy,
  RedLineText,
  TeamBadge,
  TermText,
  leverOf,
  leversHeldBy,
  roleCodes,
  roleName,
  useCommand,
  useStore,
} from "./components.js";
import { AlignmentChart } from "./charts.js";
import { ChatPanel } from "./chat.js";
import { actorText, eventSentence } from "./eventtext.js";
import { ResultsPanel } from "./results.js";
import * as fmt from "./format.js";
import { html, render, useEffect, useRef, useState } from "./html.js";
import { t, tn } from "./i18n.js";
import * as ready from "./readiness.js";
import { GameSocket } from "./socket.js";
import { createStore } from "./store.js";

// A button that asks before it acts; `warn` makes the question an alert (someone is not ready).
function Confirm({ label, question, confirmLabel, onConfirm, busy, danger = false, warn = false }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return html`<button type="button" class=${danger ? "danger" : ""} disabled=${busy} onClick=${() => setAsking(true)}>${label}</button>`;
  }
  return html`<span class=${warn ? "confirm warn" : "confirm"} role=${warn ? "alertdialog" : "group"} aria-label=${question}>
    <span>${question}</span>
    <button type="button" class=${danger ? "danger" : "primary"} disabled=${busy}
      onClick=${async () => { setAsking(false); await onConfirm(); }}>${confirmLabel}</button>
    <button type="button" onClick=${() => setAsking(false)}>${t("Cancel")}</button>
  </span>`;
}

function nextPhaseText(view) {
  if (view.phase === "results") {
    return view.round >= view.rounds_total
      ? t("End the results of the last round and end the game?")
      : t("Start round %(round)s?", { round: view.round + 1 });
  }
  const order = fmt.PHASES;
  const next = order[order.indexOf(view.phase) + 1];
  return t("End %(phase)s now and start %(next)s?", { phase: fmt.phaseLabel(view.phase), next: fmt.phaseLabel(next) });
}

function Controls({ view, socket }) {
  const command = useCommand(socket);
  const [seconds, setSeconds] = useState(60);
  const running = view.status === "running";
  const warning = running ? ready.advanceWarning(view.readiness, (code) => roleName(view, code)) : null;
  const prompt = ready.readyPrompt(view);
  // Names the phase it ends: a click as the timer fires never skips the next phase too.
  const advance = () => command.run("advance", { expected: { round: view.round, phase: view.phase } });
  return html`<section class="card controls" aria-labelledby="controls-title">
    <h2 id="controls-title">${t("Game controls")}</h2>
    ${prompt
      ? html`<div class="ready-prompt" role="status">
          <p>${prompt}</p>
          <button type="button" class="primary" disabled=${command.busy} onClick=${advance}>
            ${t("Advance to %(next)s", { next: ready.nextStepLabel(view) })}</button>
        </div>`
      : null}
    <div class="actions">
      ${view.status === "lobby"
        ? html`<${Confirm} label=${t("Start the game")} question=${t("Start round 1 now? Empty seats are allowed.")}
            confirmLabel=${t("Yes, start")} busy=${command.busy} onConfirm=${() => command.run("start")} />`
        : null}
      ${running
        ? html`<${Confirm} label=${t("Advance to the next phase")} question=${warning || nextPhaseText(view)}
              warn=${Boolean(warning)} confirmLabel=${t("Yes, advance")} busy=${command.busy} onConfirm=${advance} />
            ${view.paused
              ? html`<button type="button" class="primary" disabled=${command.busy} onClick=${() => command.run("resume")}>${t("Resume")}</button>`
              : html`<button type="button" disabled=${command.busy} onClick=${() => command.run("pause")}>${t("Pause")}</button>`}
            <form class="inline" onSubmit=${(event) => { event.preventDefault(); command.run("extend", { seconds }); }}>
              <label for="extend-seconds" class="visually-hidden">${t("Seconds to add")}</label>
              <input id="extend-seconds" type="number" min="1" max="3600" step="1" value=${seconds}
                onInput=${(event) => setSeconds(event.target.valueAsNumber)} />
              <button type="submit" disabled=${command.busy}>${t("Extend the timer")}</button>
            </form>
            <${Confirm} label=${t("End the game")} danger=${true}
              question=${t("End the game now for everyone? This cannot be undone.")}
              confirmLabel=${t("Yes, end the game")} busy=${command.busy} onConfirm=${() => command.run("end")} />`
        : null}
      ${view.status === "ended" ? html`<p>${t("The game has ended. Everyone now sees the debrief.")}</p>` : null}
    </div>
    <${ErrorText} error=${command.error} />
  </section>`;
}

function TeamCard({ state, view, socket, code }) {
  const draft = (view.decisions || {})[code];
  const sealed = (view.disclosures || {})[code] || [];
  const online = state.presence && state.presence.teams ? state.presence.teams[code] || [] : [];
  const roster = (view.roster || []).filter((seat) => seat.role === code);
  const lines = (view.red_lines || []).filter((line) => line.role === code);
  return html`<li class="card team">
    <h3><${TeamBadge} view=${view} code=${code} /></h3>
    <h4>${t("Players")} <span class="muted">(${ready.playersText(roster.length, ready.onlineCount(roster, state.presence))})</span></h4>
    ${roster.length
      ? html`<ul>${roster.map((seat) => html`<${Seat} key=${seat.id} view=${view} socket=${socket} seat=${seat} online=${online.some((item) => item.player_id === seat.id)} />`)}</ul>`
      : html`<p class="muted">${t("Nobody yet")}</p>`}
    ${draft
      ? html`<h4>${t("Decision draft")} ${draft.locked ? html`<span class="tag locked">${t("locked")}</span>` : html`<span class="tag">${t("not locked")}</span>`}</h4>
          <ul>${leversHeldBy(view, code).map((lever) => html`<li>${lever.label}: ${fmt.withUnit(draft.values[lever.key], lever)}</li>`)}</ul>`
      : null}
    ${sealed.length
      ? html`<h4>${t("Sealed disclosure")}</h4>
          <ul>${sealed.map((choice) => html`<li>${t("%(red_line)s: %(level)s, to %(to)s", {
            red_line: choice.red_line,
            level: choice.level === "full" ? t("in full") : t("its existence"),
            to: choice.to === "all" ? t("everyone") : choice.to.map((code) => roleName(view, code)).join(", "),
          })}</li>`)}</ul>`
      : null}
    <details>
      <summary>${t("Red lines (%(count)s)", { count: lines.length })}</summary>
      <ul class="cards">${lines.map((line) => html`<li class="card"><${RedLineText} view=${view} line=${line} /><${KnownBy} view=${view} line=${line} /></li>`)}</ul>
    </details>
  </li>`;
}

// The seat just moved: its entry under its new team takes the focus (the panel it was
// moved from closes with it, so nothing else slides under the pointer).
let seatToFocus = null;

function Seat({ view, socket, seat, online }) {
  const command = useCommand(socket);
  const [team, setTeam] = useState(seat.role);
  const summary = useRef(null);
  useEffect(() => {
    if (seatToFocus === seat.id && seat.role === team && summary.current) {
      seatToFocus = null;
      summary.current.focus();
    }
  });
  const move = async () => {
    seatToFocus = seat.id;
    if (!(await command.run("player_move", { player_id: seat.id, role: team }))) seatToFocus = null;
  };
  return html`<li class="seat">
    ${seat.name} ${online ? html`<span class="online">● ${t("online")}</span>` : html`<span class="offline">○ ${t("offline")}</span>`}
    <details>
      <summary ref=${summary}>${t("Move or remove %(name)s", { name: seat.name })}</summary>
      <label>${t("Team")}
        <select value=${team} onChange=${(event) => setTeam(event.target.value)}>
          ${roleCodes(view).map((code) => html`<option value=${code}>${roleName(view, code)}</option>`)}
        </select>
      </label>
      <div class="actions">
        <button type="button" disabled=${command.busy || team === seat.role}
          onClick=${move}>${t("Move")}</button>
        <${Confirm} label=${t("Remove")} danger=${true} busy=${command.busy}
          question=${t("Remove %(name)s from the game? Their link stops working.", { name: seat.name })}
          confirmLabel=${t("Yes, remove")} onConfirm=${() => command.run("player_remove", { player_id: seat.id })} />
      </div>
      <${ErrorText} error=${command.error} />
    </details>
  </li>`;
}

function ReadinessBoard({ state, view }) {
  const board = view.readiness;
  if (!board || view.status !== "running") return null;
  const roster = view.roster || [];
  return html`<section class="card readiness" aria-labelledby="readiness-title">
    <h2 id="readiness-title">${t("Who is ready · %(phase)s", { phase: fmt.phaseLabel(view.phase) })}</h2>
    <div class="table-scroll"><table>
      <thead><tr>
        <th scope="col">${t("Team")}</th><th scope="col">${t("Players")}</th>
        <th scope="col">${t("Disclosure")}</th><th scope="col">${t("Offers awaiting its answer")}</th>
        <th scope="col">${t("Decision")}</th><th scope="col">${t("This phase")}</th>
      </tr></thead>
      <tbody>${board.teams.map((team) => {
        const seats = roster.filter((seat) => seat.role === team.role);
        const status = team.ready === true ? "ready" : team.ready === false ? "pending" : "idle";
        return html`<tr class=${`readiness-${status}`} data-team=${team.role}>
          <th scope="row"><${TeamBadge} view=${view} code=${team.role} /></th>
          <td>${ready.playersText(seats.length, ready.onlineCount(seats, state.presence))}</td>
          <td>${ready.disclosureText(team)}</td>
          <td>${fmt.number(team.awaiting)}</td>
          <td>${ready.decisionText(team, view.phase)}</td>
          <td class="readiness-status">${team.ready === true ? "✓\u00a0" : team.ready === false ? "…\u00a0" : ""}${ready.statusText(team)}</td>
        </tr>`;
      })}</tbody>
    </table></div>
  </section>`;
}

function InjectForm({ view, socket }) {
  const command = useCommand(socket);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [audience, setAudience] = useState("all");
  const submit = async (event) => {
    event.preventDefault();
    const ok = await command.run("inject", { title, body, audience });
    if (ok) { setTitle(""); setBody(""); }
  };
  const codes = roleCodes(view);
  const chosen = audience === "all" ? [] : audience;
  return html`<form class="card" onSubmit=${submit}>
    <h2>${t("Push an inject")}</h2>
    <label for="inject-title">${t("Title")}</label>
    <input id="inject-title" required maxlength="200" value=${title} onInput=${(event) => setTitle(event.target.value)} />
    <label for="inject-body">${t("Text")}</label>
    <textarea id="inject-body" required maxlength="10000" rows="3" value=${body} onInput=${(event) => setBody(event.target.value)}></textarea>
    <fieldset>
      <legend>${t("Audience")}</legend>
      <label><input type="radio" name="inject-audience" checked=${audience === "all"} onChange=${() => setAudience("all")} /> ${t("Everyone")}</label>
      ${codes.map((code) => html`<label><input type="checkbox" checked=${chosen.includes(code)}
        onChange=${(event) => {
          const next = event.target.checked ? [...chosen, code] : chosen.filter((item) => item !== code);
          setAudience(next.length ? next : "all");
        }} /> ${roleName(view, code)}</label>`)}
    </fieldset>
    <p class="hint">${t("Ad-hoc injects are text only: they do not change costs or scores.")}</p>
    <button type="submit" disabled=${command.busy || view.status !== "running"}>${t("Publish inject")}</button>
    <${ErrorText} error=${command.error} />
  </form>`;
}

function Notes({ view, socket }) {
  const command = useCommand(socket);
  const [text, setText] = useState("");
  const submit = async (event) => {
    event.preventDefault();
    if (await command.run("note", { text })) setText("");
  };
  return html`<section class="card">
    <h2>${t("Notes (facilitators only)")}</h2>
    <form onSubmit=${submit}>
      <label for="note-text">${t("New note")}</label>
      <textarea id="note-text" required maxlength="5000" rows="2" value=${text} onInput=${(event) => setText(event.target.value)}></textarea>
      <button type="submit" disabled=${command.busy}>${t("Add note")}</button>
      <${ErrorText} error=${command.error} />
    </form>
    <ul>${[...(view.notes || [])].reverse().map((note) => html`<li>${t("Round %(round)s", { round: note.round })}: ${note.text}</li>`)}</ul>
  </section>`;
}

function AdjustScore({ view, socket }) {
  const command = useCommand(socket);
  const scored = (view.results || []).map((entry) => entry.round);
  const [role, setRole] = useState(roleCodes(view)[0]);
  const [round, setRound] = useState(null);
  const [delta, setDelta] = useState(0);
  const [reason, setReason] = useState("");
  if (!scored.length) return null;
  const submit = async (event) => {
    event.preventDefault();
    const ok = await command.run("adjust_score", { role, round: round || scored[scored.length - 1], delta, reason });
    if (ok) { setReason(""); setDelta(0); }
  };
  return html`<form class="card" onSubmit=${submit}>
    <h2>${t("Adjust a score")}</h2>
    <div class="form-row">
      <label>${t("Team")}<select value=${role} onChange=${(event) => setRole(event.target.value)}>
        ${roleCodes(view).map((code) => html`<option value=${code}>${roleName(view, code)}</option>`)}</select></label>
      <label>${t("Round")}<select value=${round || scored[scored.length - 1]} onChange=${(event) => setRound(Number(event.target.value))}>
        ${scored.map((number) => html`<option value=${number}>${number}</option>`)}</select></label>
      <label>${t("Points (+/−)")}<input type="number" step="0.5" min="-1000" max="1000" value=${delta}
        onInput=${(event) => setDelta(event.target.valueAsNumber)} /></label>
    </div>
    <label for="adjust-reason">${t("Reason (everyone sees it)")}</label>
    <input id="adjust-reason" required maxlength="500" value=${reason} onInput=${(event) => setReason(event.target.value)} />
    <button type="submit" disabled=${command.busy}>${t("Apply adjustment")}</button>
    <${ErrorText} error=${command.error} />
  </form>`;
}

// The facilitator's choice for the debrief: show every team's private chat (team and
// bilateral) to everyone once the game has ended, or keep it with its parties (the default).
function DebriefChat({ view, socket }) {
  const command = useCommand(socket);
  const ended = view.status === "ended";
  const now = ended
    ? debriefChatText(view)
    : view.chat_revealed
      ? t("When the game ends, every team will read all chat, private messages included.")
      : t("When the game ends, private chat stays with its parties.");
  return html`<section class="card debrief-chat" aria-labelledby="debrief-chat-title">
    <h2 id="debrief-chat-title">${t("Chat in the debrief")}</h2>
    <p>${now}</p>
    ${view.chat_revealed
      ? html`<${Confirm} label=${t("Keep private chat private")} busy=${command.busy}
          question=${t("Hide private chat from the other teams again? What they have already read stays read.")}
          confirmLabel=${t("Yes, keep it private")} onConfirm=${() => command.run("reveal_chat", { reveal: false })} />`
      : html`<${Confirm} label=${t("Reveal chat for the debrief")} danger=${true} busy=${command.busy}
          question=${ended
            ? t("Show every team's private chat, team and bilateral, to everyone now?")
            : t("Show every team's private chat, team and bilateral, to everyone when the game ends?")}
          confirmLabel=${t("Yes, reveal chat")} onConfirm=${() => command.run("reveal_chat", { reveal: true })} />`}
    <${ErrorText} error=${command.error} />
  </section>`;
}

function EventLog({ state, view, socket }) {
  const older = () => {
    const first = state.log[0];
    socket.request({ type: "history", kinds: "all", before: first ? first.seq : undefined }).catch(() => {});
  };
  return html`<section class="card" aria-labelledby="log-title">
    <h2 id="log-title">${t("Event log")}</h2>
    ${state.logMore ? html`<button type="button" class="link" onClick=${older}>${t("Show older events")}</button>` : null}
    <ol class="log" reversed>
      ${[...state.log].reverse().map(
        (event) => html`<li>
          <span class="muted">${fmt.time(event.at)}</span>
          <span> ${eventSentence(view, event)}</span>
          <span class="muted"> · ${actorText(view, event.actor)}</span>
        </li>`,
      )}
    </ol>
  </section>`;
}

function Offers({ view }) {
  const offers = [...(view.offers || [])].reverse();
  return html`<section class="card">
    <h2>${t("Offers")}</h2>
    ${offers.length
      ? html`<ul class="cards">${offers.map((offer) => html`<li class=${`card offer status-${offer.status}`}>
          <h4>${offer.id} · ${roleName(view, offer.proposer)} → ${offer.to.map((code) => roleName(view, code)).join(", ")}
            <span class="tag">${offerStatusLabel(offer.status)}</span></h4>
          <ul>${offer.terms.map((term) => html`<li><${TermText} view=${view} term=${term} /></li>`)}</ul>
          ${offer.note ? html`<p class="note">“${offer.note}”</p>` : null}
        </li>`)}</ul>`
      : html`<p class="muted">${t("No offers yet.")}</p>`}
  </section>`;
}

function connectedText(view, presence) {
  const roster = view.roster || [];
  return [
    ready.playersText(roster.length, ready.onlineCount(roster, presence)),
    tn("%(count)s facilitator", "%(count)s facilitators", presence.facilitators),
    tn("%(count)s observer", "%(count)s observers", presence.observers),
  ].join(" · ");
}

function ConsoleApp({ store, socket }) {
  const state = useStore(store);
  const { view, you } = state;
  if (!view || !you) {
    return html`<${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
      <main id="main"><p>${t("Loading the console…")}</p></main>`;
  }
  return html`
    <${ConnectionBanner} connection=${state.connection} closedReason=${state.closedReason} />
    <${GameHeader} view=${view} you=${you} extra=${html`<span class="tag">${t("Facilitator · code %(code)s", { code: state.game ? state.game.code : "" })}</span>`} />
    <${LatestNotice} state=${state} view=${view} />
    <main id="main" class="console-layout">
      <div class="main-column">
        <${Controls} view=${view} socket=${socket} />
        <${ReadinessBoard} state=${state} view=${view} />
        <section class="card">
          <h2>${t("Teams")}</h2>
          <p class="muted">${state.presence ? connectedText(view, state.presence) : ""}</p>
          <ul class="teams">${roleCodes(view).map((code) => html`<${TeamCard} state=${state} view=${view} socket=${socket} code=${code} />`)}</ul>
        </section>
        <${Offers} view=${view} />
        <section class="card"><h2>${t("Results")}</h2><${ResultsPanel} view=${view} /></section>
        <section class="card"><h2>${t("Injects")}</h2><${InjectList} view=${view} /></section>
      </div>
      <aside class="side-column">
        <section class="card"><h2>${t("Coalition alignment")}</h2><${AlignmentChart} view=${view} allRoles=${true} /></section>
        <${InjectForm} view=${view} socket=${socket} />
        <${AdjustScore} view=${view} socket=${socket} />
        <${Notes} view=${view} socket=${socket} />
        <${DebriefChat} view=${view} socket=${socket} />
        <${ChatPanel} state=${state} socket=${socket} view=${view} you=${you} />
        <${EventLog} state=${state} view=${view} socket=${socket} />
      </aside>
    </main>`;
}

const root = document.getElementById("app");
const store = createStore();
const socket = new GameSocket({
  code: root.dataset.code,
  store,
  onWelcome: (frame) => {
    if (!frame.resumed) socket.request({ type: "history", kinds: "all" }).catch(() => {});
  },
});
socket.start();
globalThis.redlines = { store, socket };
render(html`<${ConsoleApp} store=${store} socket=${socket} />`, root);

// Replacing the watch key cuts off the pages open with the old links (the projector too):
// ask first. The form itself is server-rendered (console.html, "Links to hand out").
document.getElementById("replace-watch-key")?.addEventListener("submit", (event) => {
  const question = t("Replace the observer and projector links? Pages open with the old links stop showing the game.");
  if (!globalThis.confirm(question)) event.preventDefault();
});
