// The player's table: lobby, briefing, red lines, negotiation, decision, results and the
// debrief. Everything shown comes from the server's view for this team; every figure about a
// move (its cost, the red line it would cross, its effect on the score) comes from the
// server's `preview`. No game rule is computed here.
import {
  AlignmentChart,
  ChatPanel,
  ConnectionBanner,
  ErrorText,
  GameHeader,
  InjectList,
  KnownBy,
  RedLineText,
  ResultsPanel,
  TeamBadge,
  TeamsPresence,
  TermText,
  Text,
  leverOf,
  leversHeldBy,
  roleCodes,
  roleName,
  useCommand,
  useStore,
} from "./components.js";
import * as fmt from "./format.js";
import { html, render, useEffect, useRef, useState } from "./html.js";
import { t } from "./i18n.js";
import { GameSocket } from "./socket.js";
import { createStore } from "./store.js";

const TAB_FOR_PHASE = {
  briefing: "briefing",
  disclosure: "redlines",
  negotiation: "negotiation",
  decision: "decision",
  results: "results",
};

// A preview of what a move means for the team, asked of the server after the user pauses.
function usePreview(socket, request, deps, enabled = true) {
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!enabled || !request) {
      setPreview(null);
      setError(null);
      return undefined;
    }
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const answer = await socket.request({ type: "preview", ...request });
        if (current) {
          setPreview(answer.preview);
          setError(null);
        }
      } catch (refused) {
        if (current) {
          setPreview(null);
          setError(refused.message);
        }
      }
    }, 350);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, deps);
  return { preview, error };
}

function PreviewWarnings({ view, preview, error, kind }) {
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!preview) return null;
  const crossed = preview.red_lines.filter((line) => !line.lifted);
  const lifted = preview.red_lines.filter((line) => line.lifted);
  const unmet = preview.commitments.filter((item) => !item.met);
  return html`<div class="preview" aria-live="polite">
    ${crossed.map(
      (line) => html`<p class="warning">
        <span aria-hidden="true">⚠ </span><strong>${t("Crosses your red line")}</strong>${": "}
        ${line.statement} (${t("−%(points)s points", { points: fmt.number(line.penalty) })})
      </p>`,
    )}
    ${lifted.map(
      (line) => html`<p class="ok">
        <span aria-hidden="true">✓ </span>${t("Crosses your red line, but the conditions to lift it would be met")}${": "}${line.statement}
      </p>`,
    )}
    ${unmet.map(
      (item) => html`<p class="warning">
        <span aria-hidden="true">⚠ </span><strong>${t("Breaks a commitment")}</strong>${": "}
        <${TermText} view=${view} term=${item.term} />
      </p>`,
    )}
    <p>
      ${kind === "offer"
        ? html`${t("Domestic cost for you")}: <strong>${fmt.signed(preview.cost_change)}</strong>${" · "}
            ${t("Change in your estimated round score")}: <strong>${fmt.signed(preview.score_change)}</strong>`
        : html`${t("Domestic cost")}: <strong>${fmt.score(preview.cost)}</strong>${" · "}
            ${t("Estimated round score")}: <strong>${fmt.score(preview.estimate.score)}</strong>`}
      <span class="muted"> ${t("(assuming partners keep their last decisions and honour their commitments)")}</span>
    </p>
  </div>`;
}

// -- briefing ---------------------------------------------------------------------------------

function BriefingPanel({ view, you }) {
  const role = view.scenario.roles.find((item) => item.code === you.role) || {};
  const mine = view.role || {};
  const round = (view.rounds || []).find((item) => item.round === view.round);
  return html`<div class="panel-grid">
    ${round
      ? html`<section class="card">
          <h2>${round.title}</h2>
          <${Text} text=${round.briefing} />
        </section>`
      : null}
    <section class="card">
      <h2>${t("Injects")}</h2>
      <${InjectList} view=${view} role=${you.role} />
    </section>
    <section class="card">
      <h2>${t("Your team's brief")}</h2>
      <h3>${t("Public brief (every team knows this)")}</h3>
      <${Text} text=${role.public_brief} />
      ${mine.private_brief
        ? html`<h3>${t("Private brief (your team only)")}</h3><${Text} text=${mine.private_brief} />`
        : null}
      ${mine.objectives && mine.objectives.length
        ? html`<h3>${t("Objectives")}</h3><ul>${mine.objectives.map((item) => html`<li>${item}</li>`)}</ul>`
        : null}
      <${LeverCosts} view=${view} you=${you} />
    </section>
    <section class="card">
      <h2>${t("The scenario")}</h2>
      <${Text} text=${view.scenario.summary} />
      <${Text} text=${view.scenario.background} />
      ${view.scenario.learning_objectives && view.scenario.learning_objectives.length
        ? html`<h3>${t("Learning objectives")}</h3>
            <ul>${view.scenario.learning_objectives.map((item) => html`<li>${item}</li>`)}</ul>`
        : null}
    </section>
  </div>`;
}

function LeverCosts({ view, you }) {
  const mine = view.role;
  if (!mine || !mine.costs) return null;
  const levers = leversHeldBy(view, you.role);
  return html`<div class="table-scroll"><table>
    <caption>${t("Your levers")}</caption>
    <thead><tr>
      <th scope="col">${t("Lever")}</th><th scope="col">${t("Start")}</th>
      <th scope="col">${t("Cost per unit of pressure")}</th>
    </tr></thead>
    <tbody>
      ${levers.map((lever) => {
        const multiplier = (mine.multipliers || {})[lever.key];
        return html`<tr>
          <th scope="row">${lever.label}</th>
          <td>${fmt.withUnit(lever.holders[you.role].start, lever)}</td>
          <td>${fmt.number(mine.costs[lever.key])}${multiplier && multiplier !== 1
            ? html` <span class="tag">× ${fmt.number(multiplier)} ${t("(injects)")}</span>`
            : null}</td>
        </tr>`;
      })}
    </tbody>
  </table></div>`;
}

// -- red lines --------------------------------------------------------------------------------

function AudiencePicker({ view, you, value, onChange, idPrefix }) {
  const others = roleCodes(view).filter((code) => code !== you.role);
  const everyone = value === "all";
  const chosen = everyone ? [] : value;
  return html`<fieldset class="audience">
    <legend>${t("Reveal to")}</legend>
    <label><input type="radio" name=${`${idPrefix}-to`} checked=${everyone}
      onChange=${() => onChange("all")} /> ${t("Everyone (public, also observers)")}</label>
    ${others.map(
      (code) => html`<label><input
          type="checkbox"
          checked=${chosen.includes(code)}
          onChange=${(event) =>
            onChange(event.target.checked ? [...chosen, code] : chosen.filter((item) => item !== code))}
        /> ${t("Only %(team)s", { team: roleName(view, code) })}</label>`,
    )}
  </fieldset>`;
}

function RevealForm({ view, socket, you, line }) {
  const [level, setLevel] = useState("existence");
  const [to, setTo] = useState("all");
  const command = useCommand(socket);
  const [done, setDone] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    if (Array.isArray(to) && !to.length) {
      command.setError(t("Choose at least one team."));
      return;
    }
    const ok = await command.run("reveal", { red_line: line.id, to, level });
    setDone(ok ? t("Revealed.") : null);
  };
  return html`<form class="inline-form" onSubmit=${submit}>
    <label>${t("Level")}
      <select value=${level} onChange=${(event) => setLevel(event.target.value)}>
        <option value="existence">${t("Existence only (lever and direction)")}</option>
        <option value="full">${t("In full (value, conditions, statement)")}</option>
      </select>
    </label>
    <${AudiencePicker} view=${view} you=${you} value=${to} onChange=${setTo} idPrefix=${`reveal-${line.id}`} />
    <button type="submit" disabled=${command.busy}>${t("Reveal now")}</button>
    ${done ? html`<span class="ok" role="status">${done}</span>` : null}
    <${ErrorText} error=${command.error} />
  </form>`;
}

function DisclosureEditor({ view, socket, you, lines }) {
  const saved = (view.disclosures && view.disclosures[you.role]) || [];
  const fromSaved = () =>
    Object.fromEntries(lines.map((line) => {
      const choice = saved.find((item) => item.red_line === line.id);
      return [line.id, choice ? { level: choice.level, to: choice.to } : { level: "none", to: "all" }];
    }));
  const [choices, setChoices] = useState(fromSaved);
  const [dirty, setDirty] = useState(false);
  const command = useCommand(socket);
  useEffect(() => {
    if (!dirty) setChoices(fromSaved());
  }, [JSON.stringify(saved)]);
  const update = (id, patch) => {
    setChoices({ ...choices, [id]: { ...choices[id], ...patch } });
    setDirty(true);
  };
  const submit = async (event) => {
    event.preventDefault();
    const list = Object.entries(choices)
      .filter(([, choice]) => choice.level !== "none")
      .map(([id, choice]) => ({ red_line: id, to: choice.to, level: choice.level }));
    if (list.some((choice) => Array.isArray(choice.to) && !choice.to.length)) {
      command.setError(t("Each red line you reveal needs at least one team to reveal it to."));
      return;
    }
    const ok = await command.run("disclosure_set", { choices: list });
    if (ok) setDirty(false);
  };
  return html`<form class="card disclosure" onSubmit=${submit}>
    <h3>${t("Sealed disclosure")}</h3>
    <p class="muted">${t("Choose which red lines to reveal, to whom and how much. Nobody sees your choices until the phase ends; then every team's choices are published together.")}</p>
    ${lines.map(
      (line) => html`<fieldset class="choice">
        <legend>${leverOf(view, line.lever).label}: ${line.id}</legend>
        <label>${t("Reveal")}
          <select value=${choices[line.id].level}
            onChange=${(event) => update(line.id, { level: event.target.value })}>
            <option value="none">${t("Keep it secret")}</option>
            <option value="existence">${t("Its existence only")}</option>
            <option value="full">${t("In full")}</option>
          </select>
        </label>
        ${choices[line.id].level !== "none"
          ? html`<${AudiencePicker} view=${view} you=${you} value=${choices[line.id].to}
              onChange=${(to) => update(line.id, { to })} idPrefix=${`disclose-${line.id}`} />`
          : null}
      </fieldset>`,
    )}
    <button type="submit" disabled=${command.busy}>${t("Save sealed choices")}</button>
    <span role="status">${dirty ? t("Unsaved changes") : saved.length ? t("Saved") : ""}</span>
    <${ErrorText} error=${command.error} />
  </form>`;
}

function RedLinesPanel({ view, socket, you, debrief }) {
  const own = (view.red_lines || []).filter((line) => line.role === you.role);
  const others = (view.red_lines || []).filter((line) => line.role !== you.role);
  // Forms stay while the game is paused (what is typed is kept); the server refuses to act.
  const canReveal = view.status === "running" && view.phase === "negotiation";
  return html`<div class="panel-grid">
    <section class="card">
      <h2>${debrief ? t("Your team's red lines") : t("Your red lines (secret unless you reveal them)")}</h2>
      ${own.length ? null : html`<p class="muted">${t("Your team has no red lines in this scenario.")}</p>`}
      <ul class="cards">
        ${own.map(
          (line) => html`<li class="card red-line own">
            <${RedLineText} view=${view} line=${line} />
            <${KnownBy} view=${view} line=${line} />
            ${canReveal && !debrief ? html`<${RevealForm} view=${view} socket=${socket} you=${you} line=${line} />` : null}
          </li>`,
        )}
      </ul>
      ${view.status === "running" && view.phase === "disclosure" && own.length
        ? html`<${DisclosureEditor} view=${view} socket=${socket} you=${you} lines=${own} />`
        : null}
      ${view.status === "running" && !["disclosure", "negotiation"].includes(view.phase)
        ? html`<p class="muted">${t("You can reveal red lines in the disclosure phase (sealed) and at any time during negotiation.")}</p>`
        : null}
    </section>
    <section class="card">
      <h2>${debrief ? t("Every other team's red lines") : t("What you know of partners' red lines")}</h2>
      ${others.length
        ? html`<ul class="cards">
            ${others.map(
              (line) => html`<li class="card red-line">
                <p class="muted">${line.level === "existence"
                  ? t("Revealed to you: its existence only")
                  : line.level === "full"
                    ? debrief ? "" : t("Revealed to you in full")
                    : ""}</p>
                <${RedLineText} view=${view} line=${line} />
                ${debrief ? html`<${KnownBy} view=${view} line=${line} />` : null}
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">${t("No partner has revealed a red line to you yet.")}</p>`}
    </section>
  </div>`;
}

// -- negotiation ----------------------------------------------------------------------------------

function emptyTerm(view, by) {
  const lever = leversHeldBy(view, by)[0];
  return { by, lever: lever ? lever.key : "", op: lever && lever.pressure === "down" ? "<=" : ">=",
    value: lever ? standing(view, by, lever.key) : 0, duration: "round" };
}

function standing(view, code, key) {
  const values = view.standing_decisions && view.standing_decisions[code];
  return values && key in values ? values[key] : 0;
}

function TermEditor({ view, term, parties, index, onChange, onRemove }) {
  const lever = leverOf(view, term.lever);
  const held = leversHeldBy(view, term.by);
  const id = `term-${index}`;
  return html`<fieldset class="term-editor">
    <legend>${t("Term %(number)s", { number: index + 1 })}</legend>
    <label for=${`${id}-by`}>${t("Who commits")}</label>
    <select id=${`${id}-by`} value=${term.by} onChange=${(event) => {
      const by = event.target.value;
      const first = leversHeldBy(view, by)[0];
      onChange({ ...term, by, lever: first ? first.key : "", value: first ? standing(view, by, first.key) : 0 });
    }}>
      ${parties.map((code) => html`<option value=${code}>${roleName(view, code)}</option>`)}
    </select>
    <label for=${`${id}-lever`}>${t("Lever")}</label>
    <select id=${`${id}-lever`} value=${term.lever} onChange=${(event) =>
      onChange({ ...term, lever: event.target.value, value: standing(view, term.by, event.target.value) })}>
      ${held.map((item) => html`<option value=${item.key}>${item.label}</option>`)}
    </select>
    <label for=${`${id}-op`}>${t("Commitment")}</label>
    <select id=${`${id}-op`} value=${term.op} onChange=${(event) => onChange({ ...term, op: event.target.value })}>
      <option value=">=">${t("at least")}</option>
      <option value="<=">${t("at most")}</option>
    </select>
    <label for=${`${id}-value`}>${t("Value")} (${lever.unit})</label>
    <input id=${`${id}-value`} type="number" min=${lever.min} max=${lever.max} step=${lever.step}
      value=${term.value} onInput=${(event) => onChange({ ...term, value: event.target.valueAsNumber })} />
    <p class="hint">${t("Range %(min)s–%(max)s, step %(step)s. Now: %(now)s.", {
      min: fmt.withUnit(lever.min, lever), max: fmt.withUnit(lever.max, lever), step: fmt.number(lever.step),
      now: fmt.withUnit(standing(view, term.by, term.lever), lever),
    })}</p>
    <label for=${`${id}-duration`}>${t("Binds")}</label>
    <select id=${`${id}-duration`} value=${term.duration} onChange=${(event) => onChange({ ...term, duration: event.target.value })}>
      <option value="round">${t("this round's decision")}</option>
      <option value="game">${t("this and every later round")}</option>
    </select>
    <button type="button" class="link" onClick=${onRemove}>${t("Remove term %(number)s", { number: index + 1 })}</button>
  </fieldset>`;
}

function OfferComposer({ view, socket, you, counter, onDone }) {
  const others = roleCodes(view).filter((code) => code !== you.role);
  const [to, setTo] = useState(counter ? counter.parties.filter((code) => code !== you.role) : []);
  const [terms, setTerms] = useState(counter ? counter.terms.map((term) => ({ ...term })) : [emptyTerm(view, you.role)]);
  const [note, setNote] = useState("");
  const command = useCommand(socket);
  const [sent, setSent] = useState(null);
  useEffect(() => {
    if (counter) {
      setTo(counter.parties.filter((code) => code !== you.role));
      setTerms(counter.terms.map((term) => ({ ...term })));
    }
  }, [counter && counter.id]);
  const parties = [you.role, ...to];
  const complete = to.length && terms.length && terms.every((term) => term.lever && Number.isFinite(term.value));
  const previewRequest = complete
    ? { terms: terms.filter((term) => parties.includes(term.by)).map(({ by, lever, op, value }) => ({ by, lever, op, value })) }
    : null;
  const { preview, error } = usePreview(socket, previewRequest && previewRequest.terms.length ? previewRequest : null, [JSON.stringify(previewRequest)]);
  const submit = async (event) => {
    event.preventDefault();
    if (!to.length) {
      command.setError(t("Choose at least one team to address the offer to."));
      return;
    }
    const payload = { to, terms: terms.filter((term) => parties.includes(term.by)), note: note || undefined };
    const ack = counter
      ? await command.run("offer_counter", { offer: counter.id, ...payload })
      : await command.run("offer_propose", payload);
    if (ack) {
      setSent(t("Offer %(id)s sent.", { id: ack.offer || "" }));
      setTerms([emptyTerm(view, you.role)]);
      setNote("");
      if (onDone) onDone();
    }
  };
  return html`<form class="card composer" onSubmit=${submit} aria-labelledby="composer-title">
    <h3 id="composer-title">${counter ? t("Counter-offer to %(id)s", { id: counter.id }) : t("Make an offer")}</h3>
    <fieldset>
      <legend>${t("Address it to")}</legend>
      ${others.map(
        (code) => html`<label><input type="checkbox" checked=${to.includes(code)}
          onChange=${(event) => setTo(event.target.checked ? [...to, code] : to.filter((item) => item !== code))} />
          ${roleName(view, code)}</label>`,
      )}
    </fieldset>
    ${terms.map(
      (term, index) => html`<${TermEditor} view=${view} term=${term} parties=${parties} index=${index}
        onChange=${(next) => setTerms(terms.map((item, at) => (at === index ? next : item)))}
        onRemove=${() => setTerms(terms.filter((_, at) => at !== index))} />`,
    )}
    <p><button type="button" onClick=${() => setTerms([...terms, emptyTerm(view, you.role)])}>${t("Add a term")}</button></p>
    <label for="offer-note">${t("Note (optional)")}</label>
    <textarea id="offer-note" maxlength="2000" rows="2" value=${note} onInput=${(event) => setNote(event.target.value)}></textarea>
    <${PreviewWarnings} view=${view} preview=${preview} error=${error} kind="offer" />
    <p>
      <button type="submit" class="primary" disabled=${command.busy}>${counter ? t("Send counter-offer") : t("Propose")}</button>
      ${counter ? html` <button type="button" onClick=${onDone}>${t("Cancel counter-offer")}</button>` : null}
      ${sent ? html` <span class="ok" role="status">${sent}</span>` : null}
    </p>
    <${ErrorText} error=${command.error} />
  </form>`;
}

const STATUS_LABEL = () => ({
  open: t("open"),
  accepted: t("accepted"),
  rejected: t("rejected"),
  withdrawn: t("withdrawn"),
  countered: t("countered"),
  expired: t("expired"),
});

function OfferCard({ view, socket, you, offer, onCounter, debrief }) {
  const command = useCommand(socket);
  const [check, setCheck] = useState(null);
  const [checkError, setCheckError] = useState(null);
  const parties = [offer.proposer, ...offer.to];
  const addressee = offer.to.includes(you.role);
  const accepted = (offer.accepted_by || []).includes(you.role);
  const open = offer.status === "open" && view.status === "running" && view.phase === "negotiation" && !debrief;
  const askCheck = async () => {
    try {
      const answer = await socket.request({ type: "preview", offer: offer.id });
      setCheck(answer.preview);
      setCheckError(null);
      return answer.preview;
    } catch (refused) {
      setCheckError(refused.message);
      return null;
    }
  };
  const accept = async () => {
    const preview = check || (await askCheck());
    const risky = preview && (preview.red_lines.some((line) => !line.lifted) || preview.cost_change > 0);
    if (risky && !check) return; // the warning is now shown; accepting needs a second click
    await command.run("offer_accept", { offer: offer.id });
  };
  return html`<li class=${`card offer status-${offer.status}`}>
    <h4>
      ${t("Offer %(id)s", { id: offer.id })} · ${t("from %(team)s to %(teams)s", {
        team: roleName(view, offer.proposer),
        teams: offer.to.map((code) => roleName(view, code)).join(", "),
      })}
      <span class="tag">${STATUS_LABEL()[offer.status] || offer.status}</span>
    </h4>
    ${offer.counter_of ? html`<p class="muted">${t("Counter to %(id)s", { id: offer.counter_of })}</p>` : null}
    <ul>${offer.terms.map((term) => html`<li><${TermText} view=${view} term=${term} /></li>`)}</ul>
    ${offer.note ? html`<p class="note">“${offer.note}”</p>` : null}
    ${offer.accepted_by && offer.accepted_by.length && offer.status === "open"
      ? html`<p class="muted">${t("Accepted so far by")}: ${offer.accepted_by.map((code) => roleName(view, code)).join(", ")}</p>`
      : null}
    ${check ? html`<${PreviewWarnings} view=${view} preview=${check} kind="offer" />` : null}
    <${ErrorText} error=${checkError} />
    ${open && parties.includes(you.role)
      ? html`<div class="actions">
          ${addressee && !accepted
            ? html`<button type="button" class="primary" disabled=${command.busy} onClick=${accept}>
                  ${check ? t("Accept %(id)s", { id: offer.id }) : t("Check and accept %(id)s", { id: offer.id })}</button>
                <button type="button" disabled=${command.busy} onClick=${() => command.run("offer_reject", { offer: offer.id })}>${t("Reject %(id)s", { id: offer.id })}</button>`
            : null}
          ${!check ? html`<button type="button" onClick=${askCheck}>${t("What it means for us")}</button>` : null}
          <button type="button" onClick=${() => onCounter({ ...offer, parties })}>${t("Counter %(id)s", { id: offer.id })}</button>
          ${offer.proposer === you.role
            ? html`<button type="button" disabled=${command.busy} onClick=${() => command.run("offer_withdraw", { offer: offer.id })}>${t("Withdraw %(id)s", { id: offer.id })}</button>`
            : null}
        </div>`
      : null}
    <${ErrorText} error=${command.error} />
  </li>`;
}

function NegotiationPanel({ view, socket, you, debrief }) {
  const [counter, setCounter] = useState(null);
  const composer = useRef(null);
  const offers = [...(view.offers || [])].reverse();
  const waiting = offers.filter((offer) => offer.status === "open" && offer.to.includes(you.role) && !(offer.accepted_by || []).includes(you.role));
  const rest = offers.filter((offer) => !waiting.includes(offer));
  const canPropose = view.status === "running" && view.phase === "negotiation" && !debrief;
  const startCounter = (offer) => {
    setCounter(offer);
    if (composer.current) composer.current.scrollIntoView({ behavior: "smooth", block: "start" });
  };
  return html`<div class="panel-grid">
    <div ref=${composer}>
      ${canPropose
        ? html`<${OfferComposer} view=${view} socket=${socket} you=${you} counter=${counter} onDone=${() => setCounter(null)} />`
        : html`<section class="card"><p class="muted">${debrief
            ? t("Every offer of the game, as it ended.")
            : t("Offers are made, accepted and countered during the negotiation phase.")}</p></section>`}
    </div>
    <section class="card">
      <h2>${debrief ? t("All offers") : t("Offers")}</h2>
      ${waiting.length
        ? html`<h3>${t("Waiting for your answer")}</h3>
            <ul class="cards">${waiting.map((offer) => html`<${OfferCard} key=${offer.id} view=${view} socket=${socket} you=${you} offer=${offer} onCounter=${startCounter} debrief=${debrief} />`)}</ul>`
        : null}
      ${rest.length
        ? html`<ul class="cards">${rest.map((offer) => html`<${OfferCard} key=${offer.id} view=${view} socket=${socket} you=${you} offer=${offer} onCounter=${startCounter} debrief=${debrief} />`)}</ul>`
        : waiting.length ? null : html`<p class="muted">${t("No offers yet.")}</p>`}
    </section>
  </div>`;
}

// -- decision ---------------------------------------------------------------------------------------

function lockedBy(log, role, round) {
  for (let index = log.length - 1; index >= 0; index -= 1) {
    const event = log[index];
    if (event.round !== round) break;
    if (event.data && event.data.role === role && event.kind === "decision_locked") return event.actor.name;
    if (event.data && event.data.role === role && event.kind === "decision_unlocked") return null;
  }
  return null;
}

function DecisionPanel({ state, view, socket, you }) {
  const mine = (view.decisions && view.decisions[you.role]) || { values: {}, locked: false };
  const levers = leversHeldBy(view, you.role);
  const [edits, setEdits] = useState({});
  const command = useCommand(socket);
  const active = view.status === "running" && view.phase === "decision" && !view.paused;
  const values = { ...mine.values, ...edits };
  const timer = useRef(null);
  const send = (next) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      const ack = await command.run("decision_set", { values: next });
      if (ack || command.error) {
        setEdits((current) => Object.fromEntries(Object.entries(current).filter(([key, value]) => next[key] !== value)));
      }
    }, 400);
  };
  const change = (key, value) => {
    if (!Number.isFinite(value)) return;
    const next = { ...edits, [key]: value };
    setEdits(next);
    send(next);
  };
  const previewRequest = active ? { decision: values } : null;
  const { preview, error } = usePreview(socket, previewRequest, [JSON.stringify(values), active, view.round], active);
  const who = lockedBy(state.log, you.role, view.round);
  return html`<section class="card decision" aria-labelledby="decision-title">
    <h2 id="decision-title">${t("Your team's decision for round %(round)s", { round: view.round })}</h2>
    <p class="muted">${t("Teammates see this draft change live. Nobody else sees it before results. If your team has not locked when the phase ends, it keeps its last decision.")}</p>
    ${!active ? html`<p class="muted">${t("Decisions are set during the decision phase.")}</p>` : null}
    ${levers.map((lever) => {
      const id = `lever-${lever.key}`;
      const start = lever.holders[you.role].start;
      const last = standing(view, you.role, lever.key);
      const owed = preview ? preview.commitments.filter((item) => item.term.lever === lever.key) : [];
      const cost = preview ? preview.cost_by_lever[lever.key] : null;
      return html`<div class="lever-control">
        <label for=${id}><strong>${lever.label}</strong> (${lever.unit})</label>
        ${lever.description ? html`<p class="hint">${lever.description}</p>` : null}
        <div class="slider-row">
          <input type="range" id=${id} min=${lever.min} max=${lever.max} step=${lever.step}
            value=${values[lever.key]} disabled=${!active || mine.locked}
            aria-describedby=${`${id}-facts`}
            onInput=${(event) => change(lever.key, event.target.valueAsNumber)} />
          <input type="number" aria-label=${t("%(lever)s value", { lever: lever.label })} min=${lever.min} max=${lever.max}
            step=${lever.step} value=${values[lever.key]} disabled=${!active || mine.locked}
            onChange=${(event) => change(lever.key, event.target.valueAsNumber)} />
        </div>
        <p class="hint" id=${`${id}-facts`}>
          ${t("Range %(min)s–%(max)s, step %(step)s", { min: fmt.withUnit(lever.min, lever), max: fmt.withUnit(lever.max, lever), step: fmt.number(lever.step) })}
          · ${t("start %(start)s", { start: fmt.withUnit(start, lever) })}
          · ${t("last round %(last)s", { last: fmt.withUnit(last, lever) })}
          ${cost !== null && cost !== undefined ? html` · ${t("cost of this move %(cost)s", { cost: fmt.score(cost) })}` : null}
        </p>
        ${owed.map(
          (item) => html`<p class=${item.met ? "ok" : "warning"}>
            <span aria-hidden="true">${item.met ? "✓ " : "⚠ "}</span>
            ${item.met ? t("Meets your commitment") : t("Breaks your commitment")}: <${TermText} view=${view} term=${item.term} />
          </p>`,
        )}
      </div>`;
    })}
    ${active ? html`<${PreviewWarnings} view=${view} preview=${preview} error=${error} kind="decision" />` : null}
    <div class="actions" role="group" aria-label=${t("Lock")}>
      ${mine.locked
        ? html`<p class="ok" role="status">${who ? t("Locked by %(name)s", { name: who }) : t("Locked")}</p>
            ${active ? html`<button type="button" disabled=${command.busy} onClick=${() => command.run("decision_unlock")}>${t("Unlock to change")}</button>` : null}`
        : html`<p role="status">${mine.drafted ? t("Draft saved, not locked") : t("Not locked")}</p>
            ${active ? html`<button type="button" class="primary" disabled=${command.busy || Object.keys(edits).length > 0}
                onClick=${() => command.run("decision_lock")}>${t("Lock our decision")}</button>` : null}`}
    </div>
    <${ErrorText} error=${command.error} />
  </section>`;
}

// -- the page -------------------------------------------------------------------------------------

function Lobby({ state, view, you }) {
  const role = view.scenario.roles.find((item) => item.code === you.role) || {};
  return html`<div class="panel-grid">
    <section class="card">
      <h2>${t("Welcome, %(name)s", { name: you.name })}</h2>
      <p>${t("You are on team")} <${TeamBadge} view=${view} code=${you.role} />. ${t("The facilitator will start the game soon; this page updates by itself.")}</p>
      <h3>${t("Your team's public brief")}</h3>
      <${Text} text=${role.public_brief} />
      ${view.role && view.role.private_brief
        ? html`<h3>${t("Private brief (your team only)")}</h3><${Text} text=${view.role.private_brief} />`
        : null}
    </section>
    <section class="card">
      <h2>${t("Who is here")}</h2>
      <${TeamsPresence} view=${view} presence=${state.presence} />
    </section>
    <section class="card">
      <h2>${t("The scenario")}</h2>
      <${Text} text=${view.scenario.summary} />
      <${Text} text=${view.scenario.background} />
    </section>
  </div>`;
}

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
  const tabs = TABS().filter(([key]) => !(debrief && key === "decision"));
  return html`<div class="table-layout">
    <div class="main-column">
      ${debrief ? html`<p class="banner banner-debrief" role="status">${t("Debrief: the game has ended and everything is revealed — every team's red lines, offers and decisions.")}</p>` : null}
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
