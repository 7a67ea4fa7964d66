// The words of the facilitator's readiness board, its "everyone is ready" prompt and its
// warning before advancing. Pure functions of the facilitator's view (the server computes
// who is ready: view.readiness) and of presence; tested with node --test.
import * as fmt from "./format.js";
import { t, tn } from "./i18n.js";

// Where "advance" leads from the view's phase: the next phase's name, the next round, or the end.
export function nextStepLabel(view) {
  if (view.phase === "results") {
    return view.round >= view.rounds_total
      ? t("the end of the game")
      : t("round %(round)s", { round: view.round + 1 });
  }
  return fmt.phaseLabel(fmt.PHASES[fmt.PHASES.indexOf(view.phase) + 1]);
}

// One sentence per thing a team still has to do in this phase, in the scenario's names.
export function pendingSentences(readiness, nameOf) {
  const sentences = [];
  for (const team of (readiness && readiness.teams) || []) {
    const name = nameOf(team.role);
    for (const what of team.pending) {
      if (what === "disclosure") {
        sentences.push(t("%(team)s has not saved its disclosure choices.", { team: name }));
      } else if (what === "lock") {
        sentences.push(t("%(team)s has not locked its decision.", { team: name }));
      } else if (what === "answer") {
        sentences.push(
          tn(
            "%(team)s has %(count)s offer awaiting its answer; it expires when negotiation ends.",
            "%(team)s has %(count)s offers awaiting its answer; they expire when negotiation ends.",
            team.awaiting,
            { team: name },
          ),
        );
      }
    }
  }
  return sentences;
}

// The question asked before advancing: a warning naming who is not ready, or null.
export function advanceWarning(readiness, nameOf) {
  const sentences = pendingSentences(readiness, nameOf);
  return sentences.length ? `${sentences.join(" ")} ${t("Advance anyway?")}` : null;
}

// The prompt shown when every seated team has done its part, or null.
export function readyPrompt(view) {
  if (view.status !== "running" || !view.readiness || !view.readiness.everyone_ready) return null;
  return t("Everyone is ready — advance to %(next)s", { next: nextStepLabel(view) });
}

// How many of `seats` (roster entries) have a socket open, from a presence frame.
export function onlineCount(seats, presence) {
  const online = new Set();
  for (const list of Object.values((presence && presence.teams) || {})) {
    for (const item of list) online.add(item.player_id);
  }
  return seats.filter((seat) => online.has(seat.id)).length;
}

// "5 players, 3 online": what is counted, said.
export function playersText(seated, online) {
  return t("%(players)s, %(online)s online", {
    players: tn("%(count)s player", "%(count)s players", seated),
    online,
  });
}

// A team's cells on the board: what it has done so far this round.
export function disclosureText(team) {
  if (team.disclosure === null) return t("Not saved yet");
  if (team.disclosure === 0) return t("Saved: reveals nothing");
  return tn("Saved: %(count)s choice", "Saved: %(count)s choices", team.disclosure);
}

export function decisionText(team, phase) {
  if (phase !== "decision" && phase !== "results") return "—";
  return (
    { locked: t("Locked"), drafted: t("Drafted, not locked"), none: t("Not started") }[team.decision] ||
    ""
  );
}

export function statusText(team) {
  if (!team.seated) return t("Nobody plays this team");
  if (team.ready === null) return t("Nothing to do in this phase");
  if (team.ready) return t("Ready");
  const what = {
    disclosure: t("disclosure choices"),
    answer: t("answers to offers"),
    lock: t("locking its decision"),
  };
  return t("Waiting for: %(what)s", { what: team.pending.map((item) => what[item]).join(", ") });
}
