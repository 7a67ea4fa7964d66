// Plain words for what the server sent: event log lines as sentences, red lines by what they
// say. Every page names things this way, never by a lever key, a red-line id or an event type.
import { leverOf, roleName } from "./components.js";
import * as fmt from "./format.js";
import { t } from "./i18n.js";

// A red line (or its id) as a person reads it: "Russian share of LNG imports: will not go
// below 5%", or, when its value is not known to the viewer, "... (a floor)".
export function redLineTitle(view, lineOrId) {
  const line =
    typeof lineOrId === "string"
      ? [...(view.red_lines || []), ...((view.scenario && view.scenario.red_lines) || [])].find((item) => item.id === lineOrId)
      : lineOrId;
  if (!line) return t("a red line");
  const lever = leverOf(view, line.lever);
  if (line.value === undefined || line.value === null) {
    return `${lever.label} (${line.kind === "floor" ? t("a floor") : t("a ceiling")})`;
  }
  const direction = line.kind === "floor" ? t("will not go below") : t("will not go above");
  return `${lever.label}: ${direction} ${fmt.withUnit(line.value, lever)}`;
}

// Teams by name: "Japan", "Japan and Korea", "everyone".
export function teamsText(view, codes) {
  if (codes === "all" || codes === undefined || codes === null) return t("everyone");
  const names = (Array.isArray(codes) ? codes : [codes]).map((code) => roleName(view, code));
  if (names.length <= 1) return names.join("");
  return t("%(first)s and %(last)s", { first: names.slice(0, -1).join(", "), last: names[names.length - 1] });
}

function playerName(view, data) {
  if (data.name) return data.name;
  const seat = (view.roster || []).find((item) => item.id === data.player_id);
  return seat ? seat.name : t("A player");
}

const SENTENCES = {
  player_joined: (view, d) => t("%(name)s joined %(team)s", { name: d.name, team: roleName(view, d.role) }),
  player_moved: (view, d) => t("%(name)s moved from %(from)s to %(team)s", { name: playerName(view, d), from: roleName(view, d.from), team: roleName(view, d.role) }),
  player_removed: (view, d) => t("%(name)s was removed from %(team)s", { name: playerName(view, d), team: roleName(view, d.role) }),
  game_started: () => t("The game started"),
  round_started: (view, d) => t("Round %(round)s began: %(title)s", { round: d.round, title: d.title }),
  phase_started: (view, d) => t("The %(phase)s phase began", { phase: fmt.phaseLabel(d.phase).toLowerCase() }),
  game_paused: () => t("The game was paused"),
  game_resumed: () => t("The game resumed"),
  timer_extended: (view, d) => t("The timer was extended by %(time)s", { time: fmt.clock(d.seconds) }),
  game_ended: () => t("The game ended"),
  inject_published: (view, d) => t("News for %(to)s: “%(title)s”", { to: teamsText(view, d.audience), title: d.title }),
  note_added: () => t("The facilitator added a note"),
  score_adjusted: (view, d) => t("%(team)s's round %(round)s score adjusted by %(delta)s: %(reason)s", { team: roleName(view, d.role), round: d.round, delta: fmt.signed(d.delta), reason: d.reason }),
  disclosure_drafted: (view, d) => t("%(team)s saved its sealed disclosure", { team: roleName(view, d.role) }),
  red_line_revealed: (view, d) => t("%(team)s revealed a red line to %(to)s: %(line)s", { team: roleName(view, d.owner), to: teamsText(view, d.to), line: redLineTitle(view, d.red_line) }),
  offer_proposed: (view, d) => t("%(team)s proposed offer %(offer)s to %(to)s", { team: roleName(view, d.offer.proposer), offer: d.offer.id, to: teamsText(view, d.offer.to) }),
  offer_accepted_by: (view, d) => t("%(team)s accepted offer %(offer)s", { team: roleName(view, d.role), offer: d.offer }),
  offer_accepted: (view, d) => t("Offer %(offer)s was agreed", { offer: d.offer }),
  offer_rejected: (view, d) => t("%(team)s rejected offer %(offer)s", { team: roleName(view, d.role), offer: d.offer }),
  offer_withdrawn: (view, d) => t("Offer %(offer)s was withdrawn", { offer: d.offer }),
  offer_countered: (view, d) => t("%(team)s answered offer %(offer)s with a counter-offer", { team: roleName(view, d.by), offer: d.offer }),
  offer_expired: (view, d) => t("Offer %(offer)s expired", { offer: d.offer }),
  chat_posted: (view, d) => t("%(team)s wrote to %(to)s", { team: roleName(view, d.from), to: teamsText(view, d.audience) }),
  decision_drafted: (view, d) => t("%(team)s changed its draft decision", { team: roleName(view, d.role) }),
  decision_locked: (view, d) => t("%(team)s locked its decision", { team: roleName(view, d.role) }),
  decision_unlocked: (view, d) => t("%(team)s unlocked its decision", { team: roleName(view, d.role) }),
  round_scored: (view, d) => t("Round %(round)s was scored", { round: d.round }),
  commitment_fulfilled: (view, d) => t("%(team)s kept its commitment in offer %(offer)s", { team: roleName(view, d.term.by), offer: d.offer }),
  commitment_broken: (view, d) => t("%(team)s broke its commitment in offer %(offer)s", { team: roleName(view, d.term.by), offer: d.offer }),
  red_line_breached: (view, d) => t("%(team)s crossed its red line: %(line)s", { team: roleName(view, d.role), line: redLineTitle(view, d.red_line) }),
  red_line_lifted: (view, d) => t("%(team)s went past its red line, lifted by partners' commitments: %(line)s", { team: roleName(view, d.role), line: redLineTitle(view, d.red_line) }),
  cost_assessed: (view, d) => t("%(team)s's domestic cost for round %(round)s: %(cost)s points", { team: roleName(view, d.role), round: d.round, cost: fmt.score(d.cost) }),
};

// One event of the log as a sentence ("Japan joined", "Korea proposed offer o3 to the
// United States"); an event this page does not know is "Something changed", never its type.
export function eventSentence(view, event) {
  const describe = SENTENCES[event.kind];
  try {
    return describe ? describe(view, event.data || {}) : t("Something changed");
  } catch {
    return t("Something changed");
  }
}

export const DESCRIBED_KINDS = Object.keys(SENTENCES);
