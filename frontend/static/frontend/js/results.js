// Round results and final scores, as published by the server.
import { AlignmentChart } from "./charts.js";
import { roleName, leverOf, roleCodes, TermText } from "./components.js";
import * as fmt from "./format.js";
import { html } from "./html.js";
import { t } from "./i18n.js";

export function ResultsPanel({ view, role = null }) {
  const results = view.results || [];
  if (!results.length) return html`<p class="muted">${t("No round has been scored yet.")}</p>`;
  return html`<div class="results">
    <section class="card"><${AlignmentChart} view=${view} role=${role} allRoles=${!role} /></section>
    ${view.final
      ? html`<section class="card final">
          <h3>${t("Final scores")}</h3>
          <${FinalTable} view=${view} />
        </section>`
      : null}
    ${[...results].reverse().map((entry) => html`<${RoundResult} view=${view} entry=${entry} role=${role} />`)}
  </div>`;
}

function FinalTable({ view }) {
  const final = view.final;
  const scores = final.scores || final.roles || {};
  return html`<table>
    <thead><tr><th scope="col">${t("Team")}</th><th scope="col">${t("Final score")}</th></tr></thead>
    <tbody>
      ${roleCodes(view).map(
        (code) => html`<tr><th scope="row">${roleName(view, code)}</th><td>${fmt.score(scoreOf(scores[code]))}</td></tr>`,
      )}
      <tr><th scope="row">${t("Coalition")}</th><td>${fmt.score(final.coalition)}</td></tr>
    </tbody>
  </table>`;
}

function scoreOf(value) {
  return value && typeof value === "object" ? value.score : value;
}

export function RoundResult({ view, entry, role }) {
  const codes = roleCodes(view);
  const levers = view.scenario.levers || [];
  const questions = (view.rounds || []).find((item) => item.round === entry.round);
  const mine = role && entry.private ? entry.private[role] : null;
  const hasGain = codes.some((code) => entry.scores[code].gain !== undefined);
  return html`<section class="card round-result">
    <h3>${t("Round %(round)s results", { round: entry.round })}</h3>
    <dl class="metrics">
      <div><dt>${t("Coalition alignment")}</dt><dd>${fmt.score(entry.metrics.alignment_points)} ${t("points")}</dd></div>
      <div><dt>${t("Effectiveness")}</dt><dd>${fmt.score(entry.metrics.effectiveness)}</dd></div>
      <div><dt>${t("Coalition score")}</dt><dd>${fmt.score(entry.metrics.coalition)}</dd></div>
    </dl>
    <div class="table-scroll">
      <table>
        <caption>${t("Scores")}</caption>
        <thead><tr>
          <th scope="col">${t("Team")}</th>
          <th scope="col">${t("National")}</th>
          <th scope="col">${t("Commitment penalty")}</th>
          <th scope="col">${t("Adjustment")}</th>
          <th scope="col">${t("Round score")}</th>
          ${hasGain ? html`<th scope="col">${t("Gain over status quo")}</th>` : null}
        </tr></thead>
        <tbody>
          ${codes.map((code) => {
            const item = entry.scores[code];
            return html`<tr class=${code === role ? "mine" : ""}>
              <th scope="row">${roleName(view, code)}${code === role ? ` (${t("you")})` : ""}</th>
              <td>${fmt.score(item.national)}</td>
              <td>${item.commitment_penalty ? `−${fmt.number(item.commitment_penalty)}` : "0"}</td>
              <td>${fmt.signed(item.adjustment)}</td>
              <td><strong>${fmt.score(item.score)}</strong></td>
              ${hasGain ? html`<td>${fmt.signed(item.gain)}</td>` : null}
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
    <div class="table-scroll">
      <table>
        <caption>${t("Decisions")}</caption>
        <thead><tr><th scope="col">${t("Lever")}</th>${codes.map((code) => html`<th scope="col">${code}</th>`)}</tr></thead>
        <tbody>
          ${levers.map(
            (lever) => html`<tr>
              <th scope="row">${lever.label}</th>
              ${codes.map((code) => {
                const value = entry.decisions[code] ? entry.decisions[code][lever.key] : undefined;
                return html`<td>${value === undefined ? "" : fmt.withUnit(value, lever)}</td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${entry.metrics.pairs && entry.metrics.pairs.length
      ? html`<div class="table-scroll"><table>
          <caption>${t("Alignment per pair (−1 to 1)")}</caption>
          <thead><tr><th scope="col">${t("Pair")}</th><th scope="col">${t("Alignment")}</th></tr></thead>
          <tbody>
            ${entry.metrics.pairs.map(
              (pair) => html`<tr><th scope="row">${pairName(view, pair)}</th><td>${fmt.number(pairValue(pair))}</td></tr>`,
            )}
          </tbody>
        </table></div>`
      : null}
    ${entry.commitments && entry.commitments.length
      ? html`<h4>${t("Commitments")}</h4>
          <ul class="commitments">
            ${entry.commitments.map(
              (item) => html`<li class=${item.status}>
                <span class="tag">${item.status === "broken" ? t("Broken") : t("Fulfilled")}</span>
                ${" "}<${TermText} view=${view} term=${item.term} />
                ${" "}<span class="muted">${t("decided %(value)s", { value: fmt.withUnit(item.value, leverOf(view, item.term.lever)) })}</span>
              </li>`,
            )}
          </ul>`
      : null}
    ${mine && (mine.breaches.length || mine.lifted.length || mine.cost !== null)
      ? html`<h4>${t("Your team")}</h4>
          <ul>
            ${mine.cost !== null ? html`<li>${t("Domestic cost: %(cost)s points", { cost: fmt.score(mine.cost) })}</li>` : null}
            ${mine.breaches.map(
              (item) => html`<li class="breach"><span class="tag">${t("Red line breached")}</span> ${redLineName(view, item.red_line)} (−${fmt.number(item.penalty)})</li>`,
            )}
            ${mine.lifted.map(
              (item) => html`<li><span class="tag">${t("Red line lifted")}</span> ${redLineName(view, item.red_line)}</li>`,
            )}
          </ul>`
      : null}
    ${entry.adjustments && entry.adjustments.length
      ? html`<h4>${t("Adjustments")}</h4>
          <ul>${entry.adjustments.map(
            (item) => html`<li>${roleName(view, item.role)} ${fmt.signed(item.delta)}: ${item.reason}</li>`,
          )}</ul>`
      : null}
    ${questions && questions.questions && questions.questions.length
      ? html`<h4>${t("Debrief questions")}</h4>
          <ol class="questions">${questions.questions.map((question) => html`<li>${question}</li>`)}</ol>`
      : null}
  </section>`;
}

function redLineName(view, id) {
  const line = (view.red_lines || []).find((item) => item.id === id);
  return line ? `${leverOf(view, line.lever).label} (${id})` : id;
}

function pairName(view, pair) {
  const codes = pair.pair || pair.roles || [pair.a, pair.b];
  return codes.map((code) => roleName(view, code)).join(" – ");
}

function pairValue(pair) {
  return pair.alignment !== undefined ? pair.alignment : pair.s !== undefined ? pair.s : pair.value;
}
