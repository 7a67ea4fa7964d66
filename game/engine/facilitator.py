"""The facilitator's acts besides moving the clock: ad-hoc injects, notes, score adjustments.

Ad-hoc injects are text only: scores follow from the scenario, the decisions and the
commitments alone. Every act is an event, so the log is the complete record.
"""

from game.engine import checks
from game.engine.errors import Rejected
from game.engine.registry import applies, command
from game.engine.results import final_summary
from game.engine.state import event, with_result

MAX_TITLE = 200
MAX_BODY = 10000
MAX_NOTE = 5000
MAX_REASON = 500
MAX_DELTA = 1000


def _audience(state: dict, value):
    if value == "all":
        return "all"
    return checks.role_list(state["scenario"], value, "audience")


@command("inject", actors=("facilitator",))
def inject(state: dict, command: dict) -> list[dict]:
    audience = _audience(state, checks.field(command, "audience"))
    data = {
        "round": state["round"],
        "index": None,
        "title": checks.text(checks.field(command, "title"), "title", max_length=MAX_TITLE),
        "body": checks.text(checks.field(command, "body"), "body", max_length=MAX_BODY),
        "audience": audience,
        "effects": [],
        "adhoc": True,
    }
    return [event("inject_published", data, audience)]


@command("note", actors=("facilitator",), statuses=("lobby", "running", "ended"))
def note(state: dict, command: dict) -> list[dict]:
    text = checks.text(checks.field(command, "text"), "text", max_length=MAX_NOTE)
    data = {"text": text, "round": state["round"], "phase": state["phase"]}
    return [event("note_added", data, "facilitator")]


@command("adjust_score", actors=("facilitator",), statuses=("running", "ended"))
def adjust_score(state: dict, command: dict) -> list[dict]:
    """Add `delta` points to a role's score in a scored round; the reason is published."""
    role = checks.role(state["scenario"], checks.field(command, "role"), "role")
    round_no = checks.field(command, "round")
    if isinstance(round_no, bool) or not isinstance(round_no, int):
        raise Rejected("invalid", "'round' must be a whole number.")
    if round_no not in [entry["round"] for entry in state["results"]]:
        raise Rejected("not_scored", f"Round {round_no} has not been scored; adjust it later.")
    delta = checks.number(checks.field(command, "delta"), "delta")
    if not -MAX_DELTA <= delta <= MAX_DELTA:
        raise Rejected("out_of_range", f"'delta' must be between -{MAX_DELTA} and {MAX_DELTA}.")
    reason = checks.text(checks.field(command, "reason"), "reason", max_length=MAX_REASON)
    data = {"role": role, "round": round_no, "delta": delta, "reason": reason}
    return [event("score_adjusted", data, "all")]


@applies("inject_published")
def apply_inject_published(state: dict, data: dict) -> dict:
    return {**state, "injects": [*state["injects"], data]}


@applies("note_added")
def apply_note_added(state: dict, data: dict) -> dict:
    return {**state, "notes": [*state["notes"], data]}


@applies("score_adjusted")
def apply_score_adjusted(state: dict, data: dict) -> dict:
    role = data["role"]

    def update(entry):
        score = entry["scores"][role]
        adjustment = score["adjustment"] + data["delta"]
        scores = {
            **entry["scores"],
            role: {**score, "adjustment": adjustment, "score": score["base"] + adjustment},
        }
        return {**entry, "scores": scores, "adjustments": [*entry["adjustments"], data]}

    state = with_result(state, data["round"], update)
    if state["final"] is not None:
        state = {**state, "final": final_summary(state)}
    return state
