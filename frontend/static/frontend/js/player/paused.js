// While the facilitator has paused the game, the controls that cannot act are disabled and
// say so before anyone clicks (the server would refuse them anyway).
import { html } from "../html.js";
import { t } from "../i18n.js";

export function isPaused(view) {
  return view.status === "running" && Boolean(view.paused);
}

export function PausedNote({ view }) {
  if (!isPaused(view)) return null;
  return html`<p class="paused-note" role="note">
    ${t("Paused — the facilitator will resume the game. Until then this cannot be sent.")}
  </p>`;
}
