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
import { t } from "../i18n.js";
import { CountBadge, FoldOnPhone, awaitingLabel } from "../layout.js";
import { awaitingAnswer } from "../store.js";
import { PreviewWarnings, standing, usePreview } from "./preview.js";

function emptyTerm(view, by) {
  const lever = leversHeldBy(view, by)[0];
  return { by, lever: lever ? lever.key : "", op: lever && lever.pressure === "down" ? "<=" : ">=",
    value: lever ? standing(view, by, lever.key) : 0, duration: "round" };
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
      <span class="tag">${offerStatusLabel(offer.status)}</span>
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

export function NegotiationPanel({ view, socket, you, debrief }) {
  const [counter, setCounter] = useState(null);
  const [composing, setComposing] = useState(false);
  const composer = useRef(null);
  const offers = [...(view.offers || [])].reverse();
  const waiting = debrief ? [] : awaitingAnswer({ offers }, you.role);
  const rest = offers.filter((offer) => !waiting.includes(offer));
  const canPropose = view.status === "running" && view.phase === "negotiation" && !debrief;
  const startCounter = (offer) => {
    setCounter(offer);
    if (composer.current) composer.current.scrollIntoView({ behavior: "smooth", block: "start" });
  };
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
            <ul class="cards">${waiting.map((offer) => html`<${OfferCard} key=${offer.id} view=${view} socket=${socket} you=${you} offer=${offer} onCounter=${startCounter} debrief=${debrief} />`)}</ul>`
        : null}
      ${rest.length
        ? html`<ul class="cards">${rest.map((offer) => html`<${OfferCard} key=${offer.id} view=${view} socket=${socket} you=${you} offer=${offer} onCounter=${startCounter} debrief=${debrief} />`)}</ul>`
        : waiting.length ? null : html`<p class="muted">${t("No offers yet.")}</p>`}
    </section>
  </div>`;
}
