"""The phase machine: start, advance (by the facilitator or the timer), pause, extend, end.

Each round runs briefing → disclosure → negotiation → decision → results. Leaving a phase
emits its side effects first (disclosures published, open offers expired, the round scored),
then the next phase's `phase_started`. Timed phases carry an absolute `deadline` computed
from the command's `now`; a `tick` advances only the exact (round, phase) it names, once.
"""

from game.engine import checks
from game.engine.errors import Rejected
from game.engine.offers import expiry_events
from game.engine.redlines import disclosure_events
from game.engine.registry import applies, command
from game.engine.results import final_summary, round_results_events
from game.engine.scenario import PHASES, phase_seconds, round_count, round_spec
from game.engine.state import event

MAX_EXTENSION = 3600


def phase_started_event(state: dict, round_no: int, phase: str, now: float) -> dict:
    seconds = phase_seconds(state["scenario"], round_no, phase)
    timed = seconds > 0
    data = {
        "round": round_no,
        "phase": phase,
        "seconds": seconds,
        "deadline": now + seconds if timed and not state["paused"] else None,
        "remaining": seconds if timed and state["paused"] else None,
    }
    if phase == "results":
        data["questions"] = list(round_spec(state["scenario"], round_no)["questions"])
    return event("phase_started", data, "all")


def round_start_events(state: dict, round_no: int, now: float) -> list[dict]:
    spec = round_spec(state["scenario"], round_no)
    events = [
        event(
            "round_started",
            {
                "round": round_no,
                "title": spec["title"],
                "briefing": spec["briefing"],
                "weight": spec["weight"],
            },
            "all",
        )
    ]
    for index, inject in enumerate(spec["injects"]):
        data = {
            "round": round_no,
            "index": index,
            "title": inject["title"],
            "body": inject["body"],
            "audience": inject["audience"],
            "effects": [dict(effect) for effect in inject["effects"]],
            "adhoc": False,
        }
        events.append(event("inject_published", data, inject["audience"]))
    events.append(phase_started_event(state, round_no, "briefing", now))
    return events


def advance_events(state: dict, now: float) -> list[dict]:
    """Everything that happens when the current phase ends."""
    round_no, phase = state["round"], state["phase"]
    if phase == "results":
        if round_no < round_count(state["scenario"]):
            return round_start_events(state, round_no + 1, now)
        return [end_event(state, "completed")]
    side_effects = {
        "briefing": lambda: [],
        "disclosure": lambda: disclosure_events(state),
        "negotiation": lambda: expiry_events(state),
        "decision": lambda: round_results_events(state),
    }[phase]()
    next_phase = PHASES[PHASES.index(phase) + 1]
    return [*side_effects, phase_started_event(state, round_no, next_phase, now)]


def end_event(state: dict, reason: str) -> dict:
    return event("game_ended", {"reason": reason, "final": final_summary(state)}, "all")


@command("start", actors=("facilitator",), statuses=("lobby",))
def start(state: dict, command: dict) -> list[dict]:
    """Start round 1. A game may start with empty seats: bots or late joiners can fill them."""
    return [event("game_started", {}, "all"), *round_start_events(state, 1, command["now"])]


def _expected(value) -> tuple[int, str | None]:
    """The (round, phase) a command means to end: `{"round": n, "phase": name}`."""
    expected = checks.dict_of(value, "expected")
    round_no = expected.get("round")
    if isinstance(round_no, bool) or not isinstance(round_no, int):
        raise Rejected("invalid", "'expected.round' must be a whole number.")
    if expected.get("phase") is not None and not isinstance(expected.get("phase"), str):
        raise Rejected("invalid", "'expected.phase' must be a phase name.")
    return round_no, expected.get("phase")


@command("advance", actors=("facilitator",))
def advance(state: dict, command: dict) -> list[dict]:
    """End the phase now. With `expected`, only if that phase is still current: a click made
    just before the timer (or another facilitator) moved the game on advances nothing."""
    expected = command.get("expected")
    if expected is not None and _expected(expected) != (state["round"], state["phase"]):
        raise Rejected(
            "wrong_phase",
            "The game has already moved on to round "
            f"{state['round']}, {state['phase']}; nothing was advanced.",
        )
    return advance_events(state, command["now"])


@command("tick", actors=("system",), statuses=("lobby", "running", "ended"))
def tick(state: dict, command: dict) -> list[dict]:
    """Advance once if the named phase is still current and its deadline has passed."""
    expected = _expected(checks.field(command, "expected"))
    due = (
        state["status"] == "running"
        and not state["paused"]
        and (state["round"], state["phase"]) == expected
        and state["deadline"] is not None
        and command["now"] >= state["deadline"]
    )
    return advance_events(state, command["now"]) if due else []


@command("pause", actors=("facilitator",))
def pause(state: dict, command: dict) -> list[dict]:
    if state["paused"]:
        raise Rejected("already_paused", "The game is already paused.")
    remaining = None
    if state["deadline"] is not None:
        remaining = max(0.0, state["deadline"] - command["now"])
    return [event("game_paused", {"remaining": remaining}, "all")]


@command("resume", actors=("facilitator",))
def resume(state: dict, command: dict) -> list[dict]:
    if not state["paused"]:
        raise Rejected("not_paused", "The game is not paused.")
    deadline = None
    if state["remaining"] is not None:
        deadline = command["now"] + state["remaining"]
    return [event("game_resumed", {"deadline": deadline}, "all")]


@command("extend", actors=("facilitator",))
def extend(state: dict, command: dict) -> list[dict]:
    seconds = checks.integer(checks.field(command, "seconds"), "seconds", low=1, high=MAX_EXTENSION)
    if state["paused"] and state["remaining"] is not None:
        data = {"seconds": seconds, "deadline": None, "remaining": state["remaining"] + seconds}
    elif state["deadline"] is not None:
        # A deadline already passed (its tick still on its way) restarts from now.
        deadline = max(state["deadline"], command["now"]) + seconds
        data = {"seconds": seconds, "deadline": deadline, "remaining": None}
    else:
        raise Rejected(
            "untimed", f"The {state['phase']} phase has no timer; advance it when ready."
        )
    return [event("timer_extended", data, "all")]


@command("end", actors=("facilitator",), statuses=("lobby", "running"))
def end(state: dict, command: dict) -> list[dict]:
    return [end_event(state, "facilitator")]


@applies("game_started")
def apply_game_started(state: dict, data: dict) -> dict:
    return {**state, "status": "running"}


@applies("round_started")
def apply_round_started(state: dict, data: dict) -> dict:
    return {**state, "round": data["round"], "drafts": {}, "disclosures": {}}


@applies("phase_started")
def apply_phase_started(state: dict, data: dict) -> dict:
    return {
        **state,
        "round": data["round"],
        "phase": data["phase"],
        "deadline": data["deadline"],
        "remaining": data["remaining"],
    }


@applies("game_paused")
def apply_game_paused(state: dict, data: dict) -> dict:
    return {**state, "paused": True, "deadline": None, "remaining": data["remaining"]}


@applies("game_resumed")
def apply_game_resumed(state: dict, data: dict) -> dict:
    return {**state, "paused": False, "deadline": data["deadline"], "remaining": None}


@applies("timer_extended")
def apply_timer_extended(state: dict, data: dict) -> dict:
    return {**state, "deadline": data["deadline"], "remaining": data["remaining"]}


@applies("game_ended")
def apply_game_ended(state: dict, data: dict) -> dict:
    return {
        **state,
        "status": "ended",
        "deadline": None,
        "paused": False,
        "remaining": None,
        "final": data["final"],
        "end_reason": data["reason"],
    }
