// The lobby and the briefing tab: the scenario, the round, injects, the team's briefs and levers.
import {
  InjectList,
  TeamBadge,
  TeamsPresence,
  Text,
  leversHeldBy,
} from "../components.js";
import * as fmt from "../format.js";
import { html } from "../html.js";
import { t } from "../i18n.js";
import { FoldingCard } from "../layout.js";

export function BriefingPanel({ view, you }) {
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
    <${FoldingCard} title=${t("Your team's brief")}>
      <h3>${t("Public brief (every team knows this)")}</h3>
      <${Text} text=${role.public_brief} />
      ${mine.private_brief
        ? html`<h3>${t("Private brief (your team only)")}</h3><${Text} text=${mine.private_brief} />`
        : null}
      ${mine.objectives && mine.objectives.length
        ? html`<h3>${t("Objectives")}</h3><ul>${mine.objectives.map((item) => html`<li>${item}</li>`)}</ul>`
        : null}
      <${LeverCosts} view=${view} you=${you} />
    </${FoldingCard}>
    <${FoldingCard} title=${t("The scenario")}>
      <${Text} text=${view.scenario.summary} />
      <${Text} text=${view.scenario.background} />
      ${view.scenario.learning_objectives && view.scenario.learning_objectives.length
        ? html`<h3>${t("Learning objectives")}</h3>
            <ul>${view.scenario.learning_objectives.map((item) => html`<li>${item}</li>`)}</ul>`
        : null}
    </${FoldingCard}>
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

export function Lobby({ state, view, you }) {
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
    <${FoldingCard} title=${t("The scenario")}>
      <${Text} text=${view.scenario.summary} />
      <${Text} text=${view.scenario.background} />
    </${FoldingCard}>
  </div>`;
}
