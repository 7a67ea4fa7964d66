// The decision panel: a control per lever, the team's live draft, the server's preview of the
// move, lock and unlock.
import {
  ErrorText,
  TermText,
  leversHeldBy,
  useCommand,
} from "../components.js";
import * as fmt from "../format.js";
import { html, useRef, useState } from "../html.js";
import { t } from "../i18n.js";
import { FoldOnPhone } from "../layout.js";
import { PausedNote, isPaused } from "./paused.js";
import { PreviewWarnings, standing, usePreview } from "./preview.js";

function lockedBy(log, role, round) {
  for (let index = log.length - 1; index >= 0; index -= 1) {
    const event = log[index];
    if (event.round !== round) break;
    if (event.data && event.data.role === role && event.kind === "decision_locked") return event.actor.name;
    if (event.data && event.data.role === role && event.kind === "decision_unlocked") return null;
  }
  return null;
}

export function DecisionPanel({ state, view, socket, you }) {
  const mine = (view.decisions && view.decisions[you.role]) || { values: {}, locked: false };
  const levers = leversHeldBy(view, you.role);
  const [edits, setEdits] = useState({});
  const command = useCommand(socket);
  const inPhase = view.status === "running" && view.phase === "decision";
  const active = inPhase && !view.paused;
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
    ${inPhase && isPaused(view)
      ? html`<${PausedNote} view=${view} />`
      : !active ? html`<p class="muted">${t("Decisions are set during the decision phase.")}</p>` : null}
    ${levers.map((lever) => {
      const id = `lever-${lever.key}`;
      const start = lever.holders[you.role].start;
      const last = standing(view, you.role, lever.key);
      const owed = preview ? preview.commitments.filter((item) => item.term.lever === lever.key) : [];
      const cost = preview ? preview.cost_by_lever[lever.key] : null;
      return html`<div class="lever-control">
        <label for=${id}><strong>${lever.label}</strong> (${lever.unit})</label>
        ${lever.description
          ? html`<${FoldOnPhone} summary=${t("About this lever")} className="lever-about"><p class="hint">${lever.description}</p></${FoldOnPhone}>`
          : null}
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
    <div class="actions lock-bar" role="group" aria-label=${t("Lock")}>
      ${mine.locked
        ? html`<p class="ok" role="status">${who ? t("Locked by %(name)s", { name: who }) : t("Locked")}</p>
            ${inPhase ? html`<button type="button" disabled=${command.busy || !active} onClick=${() => command.run("decision_unlock")}>${t("Unlock to change")}</button>` : null}`
        : html`<p role="status">${mine.drafted ? t("Draft saved, not locked") : t("Not locked")}</p>
            ${inPhase ? html`<button type="button" class="primary" disabled=${command.busy || !active || Object.keys(edits).length > 0}
                onClick=${() => command.run("decision_lock")}>${t("Lock our decision")}</button>` : null}`}
    </div>
    <${ErrorText} error=${command.error} />
  </section>`;
}
