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

// Final scores with the round scores they are the weighted mean of, so the final can be
// checked against the rounds shown.
function FinalTable({ view }) {
  const final = view.final;
  const scores = final.scores || final.roles || {};
  const rounds = view.results || [];
  const weighted = rounds.some((entry) => (entry.weight ?? 1) !== 1);
  const heading = (entry) =>
    weighted
      ? t("Round %(round)s (weight %(weight)s)", { round: entry.round, weight: fmt.number(entry.weight ?? 1) })
      : t("Round %(round)s", { round: entry.round });
  return html`<div class="table-scroll"><table class="final-scores">
    <caption>${weighted ? t("Final score = weighted mean of the round scores") : t("Final score = mean of the round scores")}</caption>
    <thead><tr>
      <th scope="col">${t("Team")}</th>
      ${rounds.map((entry) => html`<th scope="col" data-weight=${entry.weight ?? 1}>${heading(entry)}</th>`)}
      <th scope="col">${t("Final score")}</th>
    </tr></thead>
    <tbody>
      ${roleCodes(view).map(
        (code) => html`<tr><th scope="row">${roleName(view, code)}</th>
          ${rounds.map((entry) => html`<td>${fmt.score(entry.scores[code].score)}</td>`)}
          <td><strong>${fmt.score(scoreOf(scores[code]))}</strong></td></tr>`,
      )}
      <tr><th scope="row">${t("Coalition score")}</th>
        ${rounds.map((entry) => html`<td>${fmt.score(entry.metrics.coalition)}</td>`)}
        <td><strong>${fmt.score(final.coalition)}</strong></td></tr>
    </tbody>
  </table></div>`;
}

function scoreOf(value) {
  return value && typeof value === "object" ? value.score : value;
}

// How each score adds up, as shown: the server's breakdown (game/engine/breakdown.py), each
// part formatted as displayed. Rows of cells [{text, span}] for the national and the round
// score tables; a part private to another team is one cell over two columns.
const NATIONAL_PARTS = ["start", "cost", "red_lines", "commitments"];

export function scoreTables(view, entry, role = null) {
  const codes = roleCodes(view);
  const weight = ((view.scenario && view.scenario.scoring) || {}).coalition_weight;
  const share = weight === undefined ? null : { coalition: weight, national: 1 - weight };
  const national = codes.map((code) => {
    const parts = entry.breakdown[code].national.parts;
    const cells = [];
    for (const name of NATIONAL_PARTS) {
      const part = parts.find((item) => item.part === name);
      if (part) cells.push({ text: partText(name, part.value) });
      else if (name === "cost") {
        const both = parts.find((item) => item.part === "cost_and_red_lines");
        cells.push({ text: partText(name, both.value), span: 2, note: t("cost and red lines; private until the end") });
      }
    }
    return { code, name: rowName(view, code, role), cells, total: fmt.score(entry.breakdown[code].national.total) };
  });
  const score = codes.map((code) => {
    const parts = entry.breakdown[code].score.parts;
    const cells = parts.map((part) => ({ text: partText(part.part, part.value) }));
    const gain = entry.scores[code].gain;
    return { code, name: rowName(view, code, role), cells, total: fmt.score(entry.breakdown[code].score.total), gain: gain === undefined ? null : fmt.signed(gain) };
  });
  const percent = (value) => `${fmt.number(Math.round(value * 1000) / 10)}%`;
  const headers = {
    national: [t("Start"), t("Domestic cost"), t("Red lines crossed"), t("Broken commitments"), t("National score")],
    score: [
      share ? t("Coalition part (%(share)s of %(coalition)s)", { share: percent(share.coalition), coalition: fmt.score(entry.metrics.coalition) }) : t("Coalition part"),
      share ? t("National part (%(share)s of national score)", { share: percent(share.national) }) : t("National part"),
      t("Adjustment"),
      t("Round score"),
    ],
  };
  return { national, score, headers, hasGain: score.some((row) => row.gain !== null) };
}

function rowName(view, code, role) {
  return code === role ? `${roleName(view, code)} (${t("you")})` : roleName(view, code);
}

// A part as shown: the start of 100 plainly, every other part with its sign.
function partText(name, value) {
  return name === "start" ? fmt.score(value) : fmt.signed(value);
}

function ScoreTables({ view, entry, role }) {
  if (!entry.breakdown) return null;
  const tables = scoreTables(view, entry, role);
  return html`<div class="table-scroll">
      <table class="score-parts round-score">
        <caption>${t("Round score = coalition part + national part + adjustment")}</caption>
        <thead><tr>
          <th scope="col">${t("Team")}</th>
          ${tables.headers.score.map((label) => html`<th scope="col">${label}</th>`)}
          ${tables.hasGain ? html`<th scope="col">${t("Gain over status quo")}</th>` : null}
        </tr></thead>
        <tbody>
          ${tables.score.map(
            (row) => html`<tr class=${row.code === role ? "mine" : ""}>
              <th scope="row">${row.name}</th>
              ${row.cells.map((cell) => html`<td class="part">${cell.text}</td>`)}
              <td class="total"><strong>${row.total}</strong></td>
              ${tables.hasGain ? html`<td>${row.gain === null ? "—" : row.gain}</td>` : null}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <div class="table-scroll">
      <table class="score-parts national-score">
        <caption>${t("National score = 100 − domestic cost − red lines crossed − broken commitments")}</caption>
        <thead><tr>
          <th scope="col">${t("Team")}</th>
          ${tables.headers.national.map((label) => html`<th scope="col">${label}</th>`)}
        </tr></thead>
        <tbody>
          ${tables.national.map(
            (row) => html`<tr class=${row.code === role ? "mine" : ""}>
              <th scope="row">${row.name}</th>
              ${row.cells.map(
                (cell) => html`<td class="part" colspan=${cell.span || 1}>${cell.text}${cell.note
                  ? html` <span class="muted">(${cell.note})</span>`
                  : null}</td>`,
              )}
              <td class="total"><strong>${row.total}</strong></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

export function RoundResult({ view, entry, role }) {
  const codes = roleCodes(view);
  const levers = view.scenario.levers || [];
  const questions = (view.rounds || []).find((item) => item.round === entry.round);
  const mine = role && entry.private ? entry.private[role] : null;
  return html`<section class="card round-result">
    <h3>${t("Round %(round)s results", { round: entry.round })}</h3>
    <dl class="metrics">
      <div><dt>${t("Coalition alignment")}</dt><dd>${fmt.score(entry.metrics.alignment_points)} ${t("points")}</dd></div>
      <div><dt>${t("Effectiveness")}</dt><dd>${fmt.score(entry.metrics.effectiveness)}</dd></div>
      <div><dt>${t("Coalition score")}</dt><dd>${fmt.score(entry.metrics.coalition)}</dd></div>
    </dl>
    <${ScoreTables} view=${view} entry=${entry} role=${role} />
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

// A red line by what it says, never by its id: "Russian share of LNG imports: at most 9%".
function redLineName(view, id) {
  const line = (view.red_lines || []).find((item) => item.id === id);
  if (!line) return t("a red line");
  const lever = leverOf(view, line.lever);
  if (line.value === undefined) return lever.label;
  return `${lever.label}: ${fmt.opLabel(line.kind === "floor" ? ">=" : "<=")} ${fmt.withUnit(line.value, lever)}`;
}

function pairName(view, pair) {
  const codes = pair.pair || pair.roles || [pair.a, pair.b];
  return codes.map((code) => roleName(view, code)).join(" – ");
}

function pairValue(pair) {
  return pair.alignment !== undefined ? pair.alignment : pair.s !== undefined ? pair.s : pair.value;
}
