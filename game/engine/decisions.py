"""Sealed team decisions: drafts, lock and unlock during the decision phase.

Until results, a team's draft and lock are visible to that team and the facilitator only.
A team that has not locked when the phase ends keeps its standing decision (the previous
round's, or its start values in round 1).
"""

from game.engine import checks
from game.engine.errors import Rejected
from game.engine.registry import applies, command
from game.engine.scenario import role_codes
from game.engine.state import event

DECISION = ("decision",)


def current_values(state: dict, role: str) -> dict:
    """The role's draft, or its standing decision when it has not drafted this round."""
    draft = state["drafts"].get(role)
    return draft["values"] if draft else state["decisions"][role]


def is_locked(state: dict, role: str) -> bool:
    return bool(state["drafts"].get(role, {}).get("locked"))


def final_decisions(state: dict) -> dict:
    """What each role decides for the round when the decision phase ends."""
    return {
        code: dict(
            current_values(state, code) if is_locked(state, code) else state["decisions"][code]
        )
        for code in role_codes(state["scenario"])
    }


@command(
    "decision_set",
    actors=("player",),
    phases=DECISION,
    while_paused=False,
    action="Decisions can only be set",
)
def decision_set(state: dict, command: dict) -> list[dict]:
    """Merge a partial draft {lever: value} onto the team's current values."""
    role = command["actor"]["role"]
    raw = checks.dict_of(checks.field(command, "values"), "values")
    if not raw:
        raise Rejected("invalid", "'values' must set at least one lever.")
    if is_locked(state, role):
        raise Rejected("locked", "Your decision is locked; unlock it before changing it.")
    values = dict(current_values(state, role))
    for key, value in raw.items():
        where = f"values.{key}"[:80]
        lever = checks.held_lever(state["scenario"], key, where, holder=role)
        values[lever["key"]] = checks.lever_value(lever, value, where)
    if state["drafts"].get(role) and values == current_values(state, role):
        return []
    return [event("decision_drafted", {"role": role, "values": values}, [role])]


@command(
    "decision_lock",
    actors=("player",),
    phases=DECISION,
    while_paused=False,
    action="Decisions can only be locked",
)
def decision_lock(state: dict, command: dict) -> list[dict]:
    role = command["actor"]["role"]
    if is_locked(state, role):
        raise Rejected("already_locked", "Your decision is already locked.")
    values = dict(current_values(state, role))
    return [event("decision_locked", {"role": role, "values": values}, [role])]


@command(
    "decision_unlock",
    actors=("player",),
    phases=DECISION,
    while_paused=False,
    action="Decisions can only be unlocked",
)
def decision_unlock(state: dict, command: dict) -> list[dict]:
    role = command["actor"]["role"]
    if not is_locked(state, role):
        raise Rejected("not_locked", "Your decision is not locked.")
    return [event("decision_unlocked", {"role": role}, [role])]


def _with_draft(state: dict, role: str, values: dict, locked: bool) -> dict:
    drafts = {**state["drafts"], role: {"values": values, "locked": locked}}
    return {**state, "drafts": drafts}


@applies("decision_drafted")
def apply_decision_drafted(state: dict, data: dict) -> dict:
    return _with_draft(state, data["role"], data["values"], False)


@applies("decision_locked")
def apply_decision_locked(state: dict, data: dict) -> dict:
    return _with_draft(state, data["role"], data["values"], True)


@applies("decision_unlocked")
def apply_decision_unlocked(state: dict, data: dict) -> dict:
    return _with_draft(state, data["role"], current_values(state, data["role"]), False)
