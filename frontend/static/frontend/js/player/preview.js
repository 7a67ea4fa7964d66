// What a move would mean for the team, as the server's `preview` answers it (never computed
// here), and how the pages show it.
import {
  TermText,
} from "../components.js";
import * as fmt from "../format.js";
import { html, useEffect, useState } from "../html.js";
import { t } from "../i18n.js";

// A preview of what a move means for the team, asked of the server after the user pauses.
export function usePreview(socket, request, deps, enabled = true) {
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

export function PreviewWarnings({ view, preview, error, kind }) {
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

export function standing(view, code, key) {
  const values = view.standing_decisions && view.standing_decisions[code];
  return values && key in values ? values[key] : 0;
}
