"""What each team has done in the current phase and what is still pending: the facilitator's
readiness board, its "everyone is ready" prompt and its warning before advancing.

A team is ready when it has done what the phase asks of it: saved its sealed disclosure
choices (saving none counts: it chose to reveal nothing), answered every open offer
addressed to it (negotiation), locked its decision. A team nobody sits on is left out.
Briefing and results ask nothing of the teams, and negotiation has no natural end, so only
disclosure and decision can have everyone ready. Reads the state by key only (views.py).
"""

from game.engine.decisions import is_locked
from game.engine.offers import in_order
from game.engine.scenario import role_codes

# Phases that end when every team has done its part.
READY_PHASES = ("disclosure", "decision")


def readiness(state: dict) -> dict:
    """{phase, teams: [{role, seated, disclosure, awaiting, decision, pending, ready}],
    everyone_ready}. `pending` names what a team still has to do in this phase: "disclosure",
    "answer" (offers addressed to it it has not answered), "lock"; `ready` is None where the
    phase asks nothing of it (or nobody plays it); `everyone_ready` is None outside
    READY_PHASES, else whether every seated team (at least one) is ready."""
    running = state["status"] == "running"
    phase = state["phase"] if running else None
    seated = {code: 0 for code in role_codes(state["scenario"])}
    for seat in state["players"].values():
        seated[seat["role"]] += 1
    awaiting = dict.fromkeys(seated, 0)
    for offer in in_order(state["offers"]):
        if offer["status"] == "open" and offer["round"] == state["round"]:
            for code in offer["to"]:
                if code not in offer["accepted_by"]:
                    awaiting[code] += 1
    teams = []
    for code, count in seated.items():
        disclosed = state["disclosures"].get(code)
        draft = state["drafts"].get(code)
        decision = "locked" if is_locked(state, code) else "drafted" if draft else "none"
        pending = []
        if phase == "disclosure" and disclosed is None:
            pending.append("disclosure")
        if phase == "negotiation" and awaiting[code]:
            pending.append("answer")
        if phase == "decision" and decision != "locked":
            pending.append("lock")
        asked = phase in (*READY_PHASES, "negotiation") and count > 0
        teams.append(
            {
                "role": code,
                "seated": count,
                "disclosure": None if disclosed is None else len(disclosed),
                "awaiting": awaiting[code],
                "decision": decision,
                "pending": pending if count else [],
                "ready": not pending if asked else None,
            }
        )
    everyone = None
    if phase in READY_PHASES:
        playing = [team for team in teams if team["seated"]]
        everyone = bool(playing) and all(team["ready"] for team in playing)
    return {"phase": phase, "teams": teams, "everyone_ready": everyone}
