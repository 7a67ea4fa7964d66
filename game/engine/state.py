"""The game state: its shape, its start, and small helpers shared by the rule modules.

A state is plain JSON-serialisable data. States are treated as immutable values: apply()
never mutates the state it is given; it returns a new one that shares every unchanged part
with the old one (so callers must not mutate states either). docs/engine.md shows the shape.
"""

import copy
from numbers import Real

from game.engine.scenario import start_values
from game.engine.scoring import LATEST_RULES, UNVERSIONED_RULES, check_rules_version

STATE_VERSION = 1


def initial_state(scenario: dict, *, seed: int, rules: int = LATEST_RULES) -> dict:
    """A game in the lobby: round 0, no players, every role at its start values, scored
    under scoring rules version `rules` (new games: the latest)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError("seed must be an int")
    check_rules_version(rules)
    scenario = copy.deepcopy(scenario)
    return {
        "version": STATE_VERSION,
        "rules": rules,
        "scenario": scenario,
        "seed": seed,
        "status": "lobby",
        "round": 0,
        "phase": None,
        "deadline": None,
        "paused": False,
        "remaining": None,
        "players": {},
        "injects": [],
        "notes": [],
        "chat": [],  # the recent messages only (game.engine.chat); the log has them all
        "chat_counts": {"all": 0, "public": 0, **{role["code"]: 0 for role in scenario["roles"]}},
        "disclosures": {},
        "reveals": [],
        "offers": {},
        "offer_count": 0,
        "drafts": {},
        "decisions": start_values(scenario),
        "results": [],
        "final": None,
        "end_reason": None,
        "chat_revealed": False,  # private chat shown to all after the end (game.engine.chat)
    }


def rules_version(state: dict) -> int:
    """The scoring rules version the game is played under (a state without one: 1)."""
    return state.get("rules", UNVERSIONED_RULES)


def event(kind: str, data: dict, audience) -> dict:
    """An event as decide() emits it; the service adds seq, at, round, phase and actor."""
    return {"kind": kind, "data": data, "audience": audience}


def game_status(state: dict) -> str:
    """ "lobby", "running" or "ended"."""
    return state["status"]


def game_deadline(state: dict) -> float | None:
    """Epoch seconds at which the current phase times out; None if untimed or paused."""
    return state["deadline"]


def timer_position(state: dict) -> dict:
    """The `expected` payload of a tick command for the phase the game is in now."""
    return {"round": state["round"], "phase": state["phase"]}


def is_number(value) -> bool:
    return (
        isinstance(value, Real)
        and not isinstance(value, bool)
        and value == value
        and abs(value) != float("inf")
    )


def ordered(state: dict, codes) -> list[str]:
    """Role codes in scenario order, without duplicates."""
    wanted = set(codes)
    return [role["code"] for role in state["scenario"]["roles"] if role["code"] in wanted]


def offer_parties(offer: dict) -> list[str]:
    return [offer["proposer"], *offer["to"]]


def with_result(state: dict, round_no: int, update) -> dict:
    """A new state whose result for `round_no` is replaced by update(old result)."""
    results = [update(entry) if entry["round"] == round_no else entry for entry in state["results"]]
    return {**state, "results": results}
