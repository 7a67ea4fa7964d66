// Charts drawn as SVG from the results the server published (no scoring here): lines with
// distinct dashes and markers, so series are told apart without colour.
import { roleOf, roleName, roleCodes } from "./components.js";
import * as fmt from "./format.js";
import { html } from "./html.js";
import { t } from "./i18n.js";

export function LineChart({ title, series, yMax = 100, yMin = 0, labels }) {
  const width = 320;
  const height = 160;
  const pad = { left: 32, right: 10, top: 10, bottom: 24 };
  const count = Math.max(1, ...series.map((item) => item.values.length));
  const x = (index) =>
    pad.left + (count === 1 ? 0.5 : index / (count - 1)) * (width - pad.left - pad.right);
  const y = (value) =>
    pad.top + (1 - (value - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
  const dashes = ["", "6 3", "2 3", "8 3 2 3"];
  const markers = ["circle", "square", "diamond", "triangle"];
  return html`<figure class="chart">
    <svg class="plot" viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${title}>
      ${[0, 25, 50, 75, 100].map(
        (tick) => html`<g>
          <line x1=${pad.left} x2=${width - pad.right} y1=${y(tick)} y2=${y(tick)} class="grid" />
          <text x=${pad.left - 4} y=${y(tick) + 3} class="tick" text-anchor="end">${tick}</text>
        </g>`,
      )}
      ${(labels || []).map(
        (label, index) =>
          html`<text x=${x(index)} y=${height - 6} class="tick" text-anchor="middle">${label}</text>`,
      )}
      ${series.map((item, index) => {
        const points = item.values.map((value, at) => `${x(at)},${y(value)}`).join(" ");
        return html`<g>
          <polyline
            points=${points}
            fill="none"
            stroke=${item.color}
            stroke-width="2.5"
            stroke-dasharray=${dashes[index % dashes.length]}
          />
          ${item.values.map((value, at) =>
            marker(markers[index % markers.length], x(at), y(value), item.color),
          )}
        </g>`;
      })}
    </svg>
    <figcaption>
      <span class="chart-title">${title}</span>
      <ul class="legend">
        ${series.map(
          (item, index) => html`<li>
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" x2="28" y1="5" y2="5" stroke=${item.color} stroke-width="2.5"
                stroke-dasharray=${dashes[index % dashes.length]} />
            </svg>
            ${item.label}: ${item.values.length ? fmt.score(item.values[item.values.length - 1]) : "—"}
          </li>`,
        )}
      </ul>
    </figcaption>
  </figure>`;
}

function marker(shape, cx, cy, color) {
  const r = 3.5;
  if (shape === "square")
    return html`<rect x=${cx - r} y=${cy - r} width=${2 * r} height=${2 * r} fill=${color} />`;
  if (shape === "diamond")
    return html`<polygon points=${`${cx},${cy - r - 1} ${cx + r + 1},${cy} ${cx},${cy + r + 1} ${cx - r - 1},${cy}`} fill=${color} />`;
  if (shape === "triangle")
    return html`<polygon points=${`${cx},${cy - r - 1} ${cx + r + 1},${cy + r} ${cx - r - 1},${cy + r}`} fill=${color} />`;
  return html`<circle cx=${cx} cy=${cy} r=${r} fill=${color} />`;
}

export function AlignmentChart({ view, role = null, allRoles = false }) {
  const results = view.results || [];
  if (!results.length) return html`<p class="muted">${t("The chart fills in as rounds are scored.")}</p>`;
  const series = [
    {
      label: t("Coalition alignment (points)"),
      color: "#1b4f8a",
      values: results.map((entry) => entry.metrics.alignment_points),
    },
    {
      label: t("Effectiveness"),
      color: "#8a4b08",
      values: results.map((entry) => entry.metrics.effectiveness),
    },
  ];
  const codes = allRoles ? roleCodes(view) : role ? [role] : [];
  for (const code of codes) {
    series.push({
      label: t("%(team)s score", { team: roleName(view, code) }),
      color: roleOf(view, code).color || "#333",
      values: results.map((entry) => entry.scores[code].score),
    });
  }
  return html`<${LineChart}
    title=${t("Alignment and scores by round")}
    series=${series}
    labels=${results.map((entry) => t("R%(round)s", { round: entry.round }))}
  />`;
}
