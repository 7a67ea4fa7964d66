// What a move would mean for the team, as the server's `preview` answers it (never computed
// here), and how the pages show it.
import { TermText, leverOf } from "../components.js";
import * as fmt from "../format.js";
import { html, useEffect, useState } from "../html.js";
import { t } from "../i18n.js";

// A preview of what a move means for the team, asked of the server after the user pauses.
export function usePreview(socket, request, deps, enabled = true) {
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [answered, setAnswered] = useState(null); // the request (as JSON) answered
  useEffect(() => {
    if (!enabled || !request) {
      setPreview(null);
      setError(null);
      setAnswered(null);
      return undefined;
    }
    let current = true;
    const key = JSON.stringify(request);
    const timer = setTimeout(async () => {
      try {
        const answer = await socket.request({ type: "preview", ...request });
        if (current) {
          setPreview(answer.preview);
          setError(null);
          setAnswered(key);
        }
      } catch (refused) {
        if (current) {
          setPreview(null);
          setError(refused.message);
          setAnswered(key);
        }
      }
    }, 350);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, deps);
  return { preview, error, answered };
}

export function PreviewWarnings({ view, preview, error, kind }) {
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!preview) return null;
  const crossed = preview.red_lines.filter((line) => !line.lifted);
  const lifted = preview.red_lines.filter((line) => line.lifted);
  const unmet = preview.commitments.filter((item) => !item.met);
  return html`<div class="preview" aria-live="polite">
    ${crossed.map(
      (line) => html`<div class="warning red-line-check">
        <p><span aria-hidden="true">⚠ </span><strong>${t("Crosses your red line")}</strong>${": "}
          ${line.statement} (${t("−%(points)s points", { points: fmt.number(line.penalty) })})</p>
        <${WhyRedLine} view=${view} line=${line} />
      </div>`,
    )}
    ${lifted.map(
      (line) => html`<div class="ok red-line-check">
        <p><span aria-hidden="true">✓ </span>${t("Crosses your red line, but the conditions to lift it would be met")}${": "}${line.statement}</p>
        <${WhyRedLine} view=${view} line=${line} />
      </div>`,
    )}
    ${kind === "offer" && !crossed.length && !lifted.length && !unmet.length
      ? html`<p class="ok"><span aria-hidden="true">✓ </span>${t("Crosses none of your red lines and breaks none of your commitments.")}</p>`
      : null}
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

// Why a crossed red line is lifted or not: each of its conditions, met (and by which offer)
// or missing — so the same terms read differently in two offers for a visible reason.
function WhyRedLine({ view, line }) {
  const conditions = line.conditions || [];
  if (!conditions.length) return html`<p class="why">${t("No condition lifts this red line.")}</p>`;
  return html`<ul class="why" aria-label=${t("Conditions that lift it")}>
    ${conditions.map((condition) => {
      const term = { by: condition.role, lever: condition.lever, op: condition.op, value: condition.value };
      const lever = leverOf(view, condition.lever);
      const how = !condition.met
        ? condition.promised === null || condition.promised === undefined
          ? t("missing: no term here and no agreed offer promises it")
          : t("missing: only %(value)s is promised", { value: fmt.withUnit(condition.promised, lever) })
        : condition.offer
          ? t("met by offer %(id)s, already agreed", { id: condition.offer })
          : t("met by a term of this offer");
      return html`<li class=${condition.met ? "condition-met" : "condition-missing"}>
        <span aria-hidden="true">${condition.met ? "✓ " : "✗ "}</span>${t("Needs")}${" "}<${TermText} view=${view} term=${term} />${" — "}${how}
      </li>`;
    })}
  </ul>`;
}

export function standing(view, code, key) {
  const values = view.standing_decisions && view.standing_decisions[code];
  return values && key in values ? values[key] : 0;
}
