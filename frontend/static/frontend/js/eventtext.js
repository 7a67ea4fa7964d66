// The facilitator's event log in plain words: one sentence per event, with the scenario's
// names for teams, policies and red lines (never event types, lever keys or red-line ids).
// Pure functions of the facilitator's view; tested with node --test.
import * as fmt from "./format.js";
import { t, tn } from "./i18n.js";

function team(view, code) {
  const role = ((view.scenario && view.scenario.roles) || []).find((item) => item.code === code);
  return role ? role.name : code;
}

function teams(view, codes) {
  return codes === "all" ? t("everyone") : codes.map((code) => team(view, code)).join(", ");
}

function policy(view, key) {
  const lever = ((view.scenario && view.scenario.levers) || []).find((item) => item.key === key);
  return lever ? lever.label : key;
}

// A red line by what it limits: "Japan's limit on Russian share of LNG imports".
function redLine(view, id) {
  const line = ((view.scenario && view.scenario.red_lines) || []).find((item) => item.id === id);
  if (!line) return t("a red line");
  return t("%(team)s's limit on %(policy)s", { team: team(view, line.role), policy: policy(view, line.lever) });
}

const SENTENCES = {
  player_joined: (view, d) => t("%(name)s joined %(team)s", { name: d.name, team: team(view, d.role) }),
  player_moved: (view, d) => t("A player moved from %(from)s to %(team)s", { from: team(view, d.from), team: team(view, d.role) }),
  player_removed: (view, d) => t("A player of %(team)s was removed", { team: team(view, d.role) }),
  game_started: () => t("The game started"),
  round_started: (view, d) => t("Round %(round)s began: %(title)s", { round: d.round, title: d.title }),
  phase_started: (view, d) => t("%(phase)s began", { phase: fmt.phaseLabel(d.phase) }),
  game_paused: () => t("The game was paused"),
  game_resumed: () => t("The game resumed"),
  timer_extended: (view, d) => tn("The timer was extended by %(count)s second", "The timer was extended by %(count)s seconds", d.seconds),
  game_ended: () => t("The game ended"),
  inject_published: (view, d) => t("News published to %(to)s: %(title)s", { to: teams(view, d.audience), title: d.title }),
  note_added: () => t("A facilitators' note was added"),
  chat_reveal_set: (view, d) => (d.revealed
    ? t("Private chat will be shown to every team in the debrief")
    : t("Private chat stays with its parties in the debrief")),
  score_adjusted: (view, d) =>
    t("%(team)s's round %(round)s score adjusted by %(delta)s: %(reason)s", {
      team: team(view, d.role), round: d.round, delta: fmt.signed(d.delta), reason: d.reason,
    }),
  disclosure_drafted: (view, d) =>
    d.choices.length
      ? tn("%(team)s saved its sealed disclosure (%(count)s choice)", "%(team)s saved its sealed disclosure (%(count)s choices)", d.choices.length, { team: team(view, d.role) })
      : t("%(team)s saved its sealed disclosure: it reveals nothing", { team: team(view, d.role) }),
  red_line_revealed: (view, d) =>
    t("%(line)s was revealed to %(to)s (%(level)s)", {
      line: redLine(view, d.red_line), to: teams(view, d.to), level: d.level === "full" ? t("in full") : t("its existence"),
    }),
  offer_proposed: (view, d) =>
    t("%(team)s made offer %(offer)s to %(to)s", { team: team(view, d.offer.proposer), offer: d.offer.id, to: teams(view, d.offer.to) }),
  offer_accepted_by: (view, d) => t("%(team)s accepted offer %(offer)s", { team: team(view, d.role), offer: d.offer }),
  offer_accepted: (view, d) => t("Offer %(offer)s was agreed by everyone it names", { offer: d.offer }),
  offer_rejected: (view, d) => t("%(team)s rejected offer %(offer)s", { team: team(view, d.role), offer: d.offer }),
  offer_withdrawn: (view, d) => t("Offer %(offer)s was withdrawn", { offer: d.offer }),
  offer_countered: (view, d) => t("%(team)s answered offer %(offer)s with a counter-offer", { team: team(view, d.by), offer: d.offer }),
  offer_expired: (view, d) => t("Offer %(offer)s expired unanswered", { offer: d.offer }),
  chat_posted: (view, d) => t("Message to %(to)s", { to: d.channel === "all" ? t("everyone") : d.channel === "team" ? t("its own team") : teams(view, d.channel) }),
  decision_drafted: (view, d) => t("%(team)s changed its draft decision", { team: team(view, d.role) }),
  decision_locked: (view, d) => t("%(team)s locked its decision", { team: team(view, d.role) }),
  decision_unlocked: (view, d) => t("%(team)s unlocked its decision", { team: team(view, d.role) }),
  round_scored: (view, d) => t("Round %(round)s was scored", { round: d.round }),
  commitment_fulfilled: (view, d) => t("%(team)s kept its commitment on %(policy)s (offer %(offer)s)", { team: team(view, d.term.by), policy: policy(view, d.term.lever), offer: d.offer }),
  commitment_broken: (view, d) => t("%(team)s broke its commitment on %(policy)s (offer %(offer)s)", { team: team(view, d.term.by), policy: policy(view, d.term.lever), offer: d.offer }),
  red_line_breached: (view, d) => t("%(team)s crossed %(line)s", { team: team(view, d.role), line: redLine(view, d.red_line) }),
  red_line_lifted: (view, d) => t("%(team)s went past %(line)s, with every condition met", { team: team(view, d.role), line: redLine(view, d.red_line) }),
  cost_assessed: (view, d) => t("%(team)s's domestic cost was assessed", { team: team(view, d.role) }),
};

export function eventSentence(view, event) {
  const sentence = SENTENCES[event.kind];
  return sentence ? sentence(view, event.data || {}) : t("Something happened in the game");
}

// Who did it, in words: a team's player by name and team, the facilitator, or the game itself.
export function actorText(view, actor) {
  if (!actor || actor.kind === "system") return t("the game");
  if (actor.kind === "facilitator") return t("%(name)s (facilitator)", { name: actor.name });
  return actor.role ? t("%(name)s, %(team)s", { name: actor.name, team: team(view, actor.role) }) : actor.name;
}
