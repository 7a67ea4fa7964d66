"""decide() and apply(): the engine's two entry points, dispatching to the rule modules."""

from game.engine import (  # noqa: F401  (imported to register their commands and events)
    chat,
    decisions,
    facilitator,
    lobby,
    offers,
    phases,
    redlines,
    results,
)
from game.engine.checks import field, number
from game.engine.errors import Rejected, RuleError
from game.engine.registry import APPLIERS, COMMANDS
from game.engine.scenario import role_codes
from game.engine.scoring import LATEST_RULES
from game.engine.state import initial_state

ACTOR_KINDS = ("player", "facilitator", "system")
NOT_ALLOWED = {"facilitator": "not_facilitator", "player": "not_player", "system": "not_system"}
WHO = {"facilitator": "the facilitator", "player": "a player", "system": "the server"}


def decide(state: dict, command: dict) -> list[dict] | RuleError:
    """The events `command` leads to (possibly none), or why it is refused. Never raises."""
    try:
        return _decide(state, command)
    except Rejected as rejected:
        return rejected.as_error()


def _decide(state: dict, command) -> list[dict]:
    if not isinstance(command, dict):
        raise Rejected("invalid", "A command must be an object.")
    type_ = command.get("type")
    if not isinstance(type_, str):
        raise Rejected("invalid", "A command needs a 'type'.")
    spec = COMMANDS.get(type_)
    if spec is None:
        raise Rejected("unknown_command", f"There is no command '{type_[:60]}'.")
    actor = _actor(state, command.get("actor"))
    number(field(command, "now"), "now")
    if actor["kind"] not in spec.actors:
        who = " or ".join(WHO[kind] for kind in spec.actors)
        raise Rejected(NOT_ALLOWED[spec.actors[0]], f"Only {who} can do '{type_}'.")
    _check_status(state, spec)
    if spec.phases is not None and state["phase"] not in spec.phases:
        raise Rejected(
            "wrong_phase",
            f"{spec.action} during {' or '.join(spec.phases)}; "
            f"the game is in the {state['phase']} phase.",
        )
    if state["paused"] and not spec.while_paused:
        raise Rejected("paused", "The game is paused; wait for the facilitator to resume it.")
    return spec.handler(state, {**command, "actor": actor})


def _actor(state: dict, actor) -> dict:
    if not isinstance(actor, dict) or actor.get("kind") not in ACTOR_KINDS:
        raise Rejected("invalid", "The command's actor must be a player, facilitator or system.")
    if actor["kind"] != "player":
        return {"kind": actor["kind"], "role": None}
    code = actor.get("role")
    if not isinstance(code, str) or code not in role_codes(state["scenario"]):
        raise Rejected("unknown_role", "The player's role is not a role of this scenario.")
    return {"kind": "player", "role": code}


def _check_status(state: dict, spec) -> None:
    status = state["status"]
    if status in spec.statuses:
        return
    if status == "ended":
        raise Rejected("game_ended", "The game has ended.")
    if status == "lobby":
        raise Rejected("game_not_running", "The game has not started yet.")
    raise Rejected("already_started", "The game has already started.")


def apply(state: dict, event: dict) -> dict:
    """Fold one event into the state. Returns a new state; `state` itself is not changed
    (unchanged parts are shared). Raises ValueError for an event kind the engine never emits."""
    applier = APPLIERS.get(event.get("kind"))
    if applier is None:
        raise ValueError(f"unknown event kind {event.get('kind')!r}")
    return applier(state, event["data"])


def replay(scenario: dict, *, seed: int, events: list[dict], rules: int = LATEST_RULES) -> dict:
    """The state after folding `events` over a fresh game scored under `rules`: what the
    event log says."""
    state = initial_state(scenario, seed=seed, rules=rules)
    for item in events:
        state = apply(state, item)
    return state
