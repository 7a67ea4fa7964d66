// The negotiation board: the offer composer (with the server's preview) and the offers with
// their state and actions.
import {
  ErrorText,
  offerStatusLabel,
  TermText,
  leverOf,
  leversHeldBy,
  roleCodes,
  roleName,
  useCommand,
} from "../components.js";
import * as fmt from "../format.js";
import { html, useEffect, useRef, useState } from "../html.js";
import { t, tn } from "../i18n.js";
import { CountBadge, FoldOnPhone, awaitingLabel } from "../layout.js";
import { awaitingAnswer } from "../store.js";
import {
  ARM_MS,
  checkReducer,
  initialCheck,
  mayAccept,
  offerVersion,
  partyDiff,
  termDiff,
} from "./offers.js";
import { PausedNote, isPaused } from "./paused.js";
import { PreviewWarnings, standing, usePreview } from "./preview.js";

function emptyTerm(view, by) {
  const lever = leversHeldBy(view, by)[0];
  return { by, lever: lever ? lever.key : "", op: lever && lever.pressure === "down" ? "<=" : ">=",
    value: lever ? standing(view, by, lever.key) : 0, duration: "round" };
}

// A term that asks for no move (its team is already there) is flagged while it is composed.
function NoMoveFlag({ view, term, effect }) {
  if (!effect || !effect.changes_nothing) return null;
  const lever = leverOf(view, term.lever);
  return html`<p class="warning no-move" role="status">
    <span aria-hidden="true">⚠ </span><strong>${t("Changes nothing")}</strong>${": "}
    ${t("%(team)s is already at %(now)s, so “%(op)s %(value)s” asks for no move.", {
      team: roleName(view, term.by),
      now: fmt.withUnit(effect.now, lever),
      op: fmt.opLabel(term.op),
      value: fmt.withUnit(term.value, lever),
    })}
  </p>`;
}

function TermEditor({ view, term, parties, index, effect, onChange, onRemove }) {
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
    <${NoMoveFlag} view=${view} term=${term} effect=${effect} />
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
  const complete = terms.length && terms.every((term) => term.lever && Number.isFinite(term.value));
  const previewRequest = complete
    ? { terms: terms.filter((term) => parties.includes(term.by)).map(({ by, lever, op, value }) => ({ by, lever, op, value })) }
    : null;
  const { preview, error, answered } = usePreview(socket, previewRequest && previewRequest.terms.length ? previewRequest : null, [JSON.stringify(previewRequest)]);
  // Per term, what the preview of exactly these terms says of it (null while it is asked).
  const effects = [];
  if (preview && preview.terms && answered === JSON.stringify(previewRequest)) {
    let at = 0;
    for (const term of terms) effects.push(parties.includes(term.by) ? preview.terms[at++] : null);
  }
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
      (term, index) => html`<${TermEditor} view=${view} term=${term} parties=${parties} index=${index} effect=${effects[index]}
        onChange=${(next) => setTerms(terms.map((item, at) => (at === index ? next : item)))}
        onRemove=${() => setTerms(terms.filter((_, at) => at !== index))} />`,
    )}
    <p><button type="button" onClick=${() => setTerms([...terms, emptyTerm(view, you.role)])}>${t("Add a term")}</button></p>
    <label for="offer-note">${t("Note (optional)")}</label>
    <textarea id="offer-note" maxlength="2000" rows="2" value=${note} onInput=${(event) => setNote(event.target.value)}></textarea>
    <${PreviewWarnings} view=${view} preview=${preview} error=${error} kind="offer" />
    <${PausedNote} view=${view} />
    <p>
      <button type="submit" class="primary" disabled=${command.busy || isPaused(view)}>${counter ? t("Send counter-offer") : t("Propose")}</button>
      ${counter ? html` <button type="button" onClick=${onDone}>${t("Cancel counter-offer")}</button>` : null}
      ${sent ? html` <span class="ok" role="status">${sent}</span>` : null}
    </p>
    <${ErrorText} error=${command.error} />
  </form>`;
}


// The new side of a changed term: its commitment and how long it binds (who and which lever
// are those of the term it replaces).
function TermChange({ view, term }) {
  const lever = leverOf(view, term.lever);
  return html`<span class="term">${fmt.opLabel(term.op)} <strong>${fmt.withUnit(term.value, lever)}</strong>
    ${" "}<span class="muted">(${term.duration === "game" ? t("every round from now on") : t("this round")})</span></span>`;
}

// What a counter changes from the offer it answers, when this team can see that offer.
function CounterDiff({ view, offer }) {
  const original = (view.offers || []).find((item) => item.id === offer.counter_of);
  if (!original) return html`<p class="muted">${t("Counter to %(id)s", { id: offer.counter_of })}</p>`;
  const changes = termDiff(original.terms, offer.terms);
  const parties = partyDiff(original, offer);
  const names = (codes) => codes.map((code) => roleName(view, code)).join(", ");
  return html`<div class="counter-diff">
    <p class="muted">${t("Counter to %(id)s — what it changes:", { id: offer.counter_of })}</p>
    <ul>
      ${changes.map((change) =>
        change.kind === "changed"
          ? html`<li class="diff-changed"><span class="diff-tag">${t("Changed")}</span>${" "}<${TermText} view=${view} term=${change.before} />
              <span aria-hidden="true"> → </span><span class="visually-hidden">${t("becomes")}</span>
              <${TermChange} view=${view} term=${change.term} /></li>`
          : change.kind === "added"
            ? html`<li class="diff-added"><span class="diff-tag">${t("Added")}</span>${" "}<${TermText} view=${view} term=${change.term} /></li>`
            : html`<li class="diff-removed"><span class="diff-tag">${t("Removed")}</span>${" "}<${TermText} view=${view} term=${change.term} /></li>`,
      )}
      ${parties.added.length ? html`<li class="diff-added"><span class="diff-tag">${t("Added")}</span> ${t("Now also with %(teams)s", { teams: names(parties.added) })}</li>` : null}
      ${parties.removed.length ? html`<li class="diff-removed"><span class="diff-tag">${t("Removed")}</span> ${t("No longer with %(teams)s", { teams: names(parties.removed) })}</li>` : null}
      ${!changes.length && !parties.added.length && !parties.removed.length
        ? html`<li>${t("The same terms as %(id)s.", { id: offer.counter_of })}</li>`
        : null}
    </ul>
  </div>`;
}

// The one way to accept: ask the server what this version of the offer means for the team,
// show it, and accept only with a separate tap once it has been on screen (offers.js).
function useInformedAccept(socket, offer, version) {
  const box = useRef(initialCheck());
  const [, rerender] = useState(0);
  const dispatch = (action) => {
    const next = checkReducer(box.current, action);
    if (next !== box.current) {
      box.current = next;
      rerender((count) => count + 1);
    }
    return next;
  };
  const ask = async () => {
    const before = box.current;
    const asked = dispatch({ type: "ask", key: version });
    if (asked === before) return;
    const { ticket } = asked;
    try {
      const answer = await socket.request({ type: "preview", offer: offer.id });
      dispatch({ type: "answer", key: version, ticket, preview: answer.preview });
    } catch (refused) {
      dispatch({ type: "answer", key: version, ticket, error: refused.message || t("The server refused this.") });
    }
  };
  const { step } = box.current;
  useEffect(() => {
    // A new version under an open check (another team accepted, an offer was agreed): ask
    // again, and the accept waits for the new answer on screen.
    if (["checking", "shown", "failed"].includes(step) && box.current.key !== version) ask();
  }, [version, step]);
  useEffect(() => {
    const state = box.current;
    if (state.step === "shown" && state.shownAt === null) {
      // Painted once the browser has drawn the frame that holds the preview.
      const frame = requestAnimationFrame(() => dispatch({ type: "painted", at: performance.now() }));
      return () => cancelAnimationFrame(frame);
    }
    if (state.step === "shown" && !mayAccept(state, version, performance.now())) {
      const timer = setTimeout(() => rerender((count) => count + 1), ARM_MS - (performance.now() - state.shownAt) + 20);
      return () => clearTimeout(timer);
    }
    return undefined;
  });
  // Asked again at the tap itself: the state held in the ref, not the one last rendered.
  const mayAcceptNow = () => mayAccept(box.current, version, performance.now());
  return { state: box.current, ask, dispatch, armed: mayAcceptNow(), mayAcceptNow };
}

function RejectForm({ view, offer, command, onCancel }) {
  const [reason, setReason] = useState("");
  const id = `reject-${offer.id}`;
  const submit = async (event) => {
    event.preventDefault();
    await command.run("offer_reject", { offer: offer.id, reason: reason.trim() || undefined });
  };
  return html`<form class="reject-form" onSubmit=${submit} aria-label=${t("Reject %(id)s", { id: offer.id })}>
    <label for=${id}>${t("Why? (optional — the teams in this offer see it)")}</label>
    <textarea id=${id} maxlength="500" rows="2" value=${reason} onInput=${(event) => setReason(event.target.value)}></textarea>
    <p>
      <button type="submit" disabled=${command.busy || isPaused(view)}>${t("Send the rejection")}</button>
      ${" "}<button type="button" onClick=${onCancel}>${t("Keep %(id)s open", { id: offer.id })}</button>
    </p>
  </form>`;
}

function OfferCard({ view, socket, you, offer, onCounter, debrief }) {
  const command = useCommand(socket);
  const [rejecting, setRejecting] = useState(false);
  const parties = [offer.proposer, ...offer.to];
  const addressee = offer.to.includes(you.role);
  const accepted = (offer.accepted_by || []).includes(you.role);
  const open = offer.status === "open" && view.status === "running" && view.phase === "negotiation" && !debrief;
  const paused = isPaused(view);
  const canAccept = open && addressee && !accepted;
  const check = useInformedAccept(socket, offer, offerVersion(view, offer));
  const { step, preview, error } = check.state;
  const accept = async () => {
    if (!check.mayAcceptNow() || paused) return;
    check.dispatch({ type: "accepting" });
    const ack = await command.run("offer_accept", { offer: offer.id });
    check.dispatch(ack ? { type: "cancel" } : { type: "refused" });
  };
  const checking = step === "checking";
  return html`<li class=${`card offer status-${offer.status}`}>
    <h4>
      ${t("Offer %(id)s", { id: offer.id })} · ${t("from %(team)s to %(teams)s", {
        team: roleName(view, offer.proposer),
        teams: offer.to.map((code) => roleName(view, code)).join(", "),
      })}
      <span class="tag">${offerStatusLabel(offer.status)}</span>
    </h4>
    ${offer.counter_of ? html`<${CounterDiff} view=${view} offer=${offer} />` : null}
    <ul>${offer.terms.map((term) => html`<li><${TermText} view=${view} term=${term} /></li>`)}</ul>
    ${offer.note ? html`<p class="note">“${offer.note}”</p>` : null}
    ${offer.accepted_by && offer.accepted_by.length && offer.status === "open"
      ? html`<p class="muted">${t("Accepted so far by")}: ${offer.accepted_by.map((code) => roleName(view, code)).join(", ")}</p>`
      : null}
    ${offer.status === "rejected" && offer.rejected_by
      ? html`<p class="reject-reason">${offer.reject_reason
          ? t("Rejected by %(team)s: “%(reason)s”", { team: roleName(view, offer.rejected_by), reason: offer.reject_reason })
          : t("Rejected by %(team)s (no reason given).", { team: roleName(view, offer.rejected_by) })}</p>`
      : null}
    ${open && (step === "shown" || step === "accepting")
      ? html`<div class="accept-check" role="group" aria-label=${t("What %(id)s means for your team", { id: offer.id })}>
          <${PreviewWarnings} view=${view} preview=${preview} kind="offer" />
          ${canAccept
            ? html`<p class="actions">
                <button type="button" class="primary" disabled=${!check.armed || command.busy || paused} onClick=${accept}>
                  ${t("Accept %(id)s", { id: offer.id })}</button>
                ${" "}<button type="button" onClick=${() => check.dispatch({ type: "cancel" })}>${t("Not now")}</button>
              </p>`
            : html`<p><button type="button" onClick=${() => check.dispatch({ type: "cancel" })}>${t("Hide")}</button></p>`}
        </div>`
      : null}
    <${ErrorText} error=${step === "failed" ? error : null} />
    ${open && parties.includes(you.role)
      ? html`<div class="actions">
          ${canAccept && (step === "idle" || step === "checking" || step === "failed")
            ? html`<button type="button" class="primary" disabled=${checking || paused} aria-busy=${checking ? "true" : null} onClick=${check.ask}>
                  ${checking ? t("Checking what %(id)s means for you…", { id: offer.id }) : t("Check and accept %(id)s", { id: offer.id })}</button>`
            : null}
          ${canAccept && !rejecting
            ? html`<button type="button" disabled=${command.busy || paused} onClick=${() => setRejecting(true)}>${t("Reject %(id)s", { id: offer.id })}</button>`
            : null}
          ${step === "idle" ? html`<button type="button" onClick=${check.ask}>${t("What it means for us")}</button>` : null}
          <button type="button" disabled=${paused} onClick=${() => onCounter({ ...offer, parties })}>${t("Counter %(id)s", { id: offer.id })}</button>
          ${offer.proposer === you.role
            ? html`<button type="button" disabled=${command.busy || paused} onClick=${() => command.run("offer_withdraw", { offer: offer.id })}>${t("Withdraw %(id)s", { id: offer.id })}</button>`
            : null}
        </div>
        ${rejecting && canAccept ? html`<${RejectForm} view=${view} offer=${offer} command=${command} onCancel=${() => setRejecting(false)} />` : null}
        <${PausedNote} view=${view} />`
      : null}
    <${ErrorText} error=${command.error} />
  </li>`;
}

// An offer no longer open: one summary line, the whole card on demand.
function ClosedOffer(props) {
  const { view, offer } = props;
  const who = t("from %(team)s to %(teams)s", {
    team: roleName(view, offer.proposer),
    teams: offer.to.map((code) => roleName(view, code)).join(", "),
  });
  return html`<li class="closed-offer">
    <details>
      <summary>
        <strong>${t("Offer %(id)s", { id: offer.id })}</strong> · ${who} · <span class="tag">${offerStatusLabel(offer.status)}</span>
        ${" · "}${tn("%(count)s term", "%(count)s terms", offer.terms.length)}
      </summary>
      <ul class="cards"><${OfferCard} ...${props} /></ul>
    </details>
  </li>`;
}

export function NegotiationPanel({ view, socket, you, debrief }) {
  const [counter, setCounter] = useState(null);
  const [composing, setComposing] = useState(false);
  const composer = useRef(null);
  const offers = [...(view.offers || [])].reverse();
  const waiting = debrief ? [] : awaitingAnswer({ offers }, you.role);
  const openRest = offers.filter((offer) => offer.status === "open" && !waiting.includes(offer));
  const closed = offers.filter((offer) => offer.status !== "open");
  const canPropose = view.status === "running" && view.phase === "negotiation" && !debrief;
  const startCounter = (offer) => {
    setCounter(offer);
    if (composer.current) composer.current.scrollIntoView({ behavior: "smooth", block: "start" });
  };
  const card = (offer) => html`<${OfferCard} key=${offer.id} view=${view} socket=${socket} you=${you} offer=${offer} onCounter=${startCounter} debrief=${debrief} />`;
  return html`<div class="panel-grid negotiation">
    <div ref=${composer} class="composer-slot">
      ${canPropose
        ? html`<${FoldOnPhone} summary=${t("Make an offer")} open=${composing || Boolean(counter)} onToggle=${setComposing} className="composer-fold">
            <${OfferComposer} view=${view} socket=${socket} you=${you} counter=${counter} onDone=${() => setCounter(null)} />
          </${FoldOnPhone}>`
        : html`<section class="card"><p class="muted">${debrief
            ? t("Every offer of the game, as it ended.")
            : t("Offers are made, accepted and countered during the negotiation phase.")}</p></section>`}
    </div>
    <section class="card offers-list">
      <h2>${debrief ? t("All offers") : t("Offers")}</h2>
      ${waiting.length
        ? html`<h3>${t("Waiting for your answer")}<${CountBadge} count=${waiting.length} label=${awaitingLabel(waiting.length)} /></h3>
            <ul class="cards">${waiting.map(card)}</ul>`
        : null}
      ${openRest.length ? html`<ul class="cards">${openRest.map(card)}</ul>` : null}
      ${closed.length
        ? html`<h3>${debrief ? t("Answered and expired") : t("Answered, withdrawn and expired")}</h3>
            <ul class="cards closed-offers">${closed.map(
              (offer) => html`<${ClosedOffer} key=${offer.id} view=${view} socket=${socket} you=${you} offer=${offer} onCounter=${startCounter} debrief=${debrief} />`,
            )}</ul>`
        : null}
      ${offers.length ? null : html`<p class="muted">${t("No offers yet.")}</p>`}
    </section>
  </div>`;
}
