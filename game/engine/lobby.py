"""Seating players: joins (recorded by the server), moves and removals (by the facilitator).

Players may join while the game is in the lobby or running (late arrivals); the engine
keeps names and roles only. `player_id` (a whole number or a short text, kept as given in
events) is published with the seat so the facilitator can move or remove it, so it must be
an opaque id, never a secret such as a join token.
"""

from game.engine import checks
from game.engine.errors import Rejected
from game.engine.registry import applies, command
from game.engine.state import event

MAX_ID = 100
MAX_NAME = 80
SEATING = ("lobby", "running")


def _player_id(value) -> int | str:
    """A player id as the server gives it: a whole number or a short text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return checks.text(value, "player_id", max_length=MAX_ID)


def _seat_key(player_id: int | str) -> str:
    """State keys are text (JSON objects have text keys only)."""
    return str(player_id)


def player_seat(state: dict, player_id: int | str) -> dict | None:
    """The seat {name, role, ...} the log gives this player now, or None once unseated."""
    return state["players"].get(_seat_key(player_id))


def _seated(state: dict, command: dict) -> int | str:
    player_id = _player_id(checks.field(command, "player_id"))
    if _seat_key(player_id) not in state["players"]:
        raise Rejected("unknown_player", f"No player with id '{player_id}' is seated.")
    return player_id


@command("player_join", actors=("system",), statuses=SEATING)
def player_join(state: dict, command: dict) -> list[dict]:
    player_id = _player_id(checks.field(command, "player_id"))
    name = checks.text(checks.field(command, "name"), "name", max_length=MAX_NAME)
    role = checks.role(state["scenario"], checks.field(command, "role"), "role")
    if _seat_key(player_id) in state["players"]:
        raise Rejected("already_joined", f"Player '{player_id}' has already joined.")
    return [event("player_joined", {"player_id": player_id, "name": name, "role": role}, "all")]


@command("player_move", actors=("facilitator",), statuses=SEATING)
def player_move(state: dict, command: dict) -> list[dict]:
    player_id = _seated(state, command)
    role = checks.role(state["scenario"], checks.field(command, "role"), "role")
    previous = state["players"][_seat_key(player_id)]["role"]
    if role == previous:
        return []
    data = {"player_id": player_id, "role": role, "from": previous}
    return [event("player_moved", data, "all")]


@command("player_remove", actors=("facilitator",), statuses=SEATING)
def player_remove(state: dict, command: dict) -> list[dict]:
    player_id = _seated(state, command)
    data = {"player_id": player_id, "role": state["players"][_seat_key(player_id)]["role"]}
    return [event("player_removed", data, "all")]


@applies("player_joined")
def apply_player_joined(state: dict, data: dict) -> dict:
    seat = {"id": data["player_id"], "name": data["name"], "role": data["role"]}
    return {**state, "players": {**state["players"], _seat_key(data["player_id"]): seat}}


@applies("player_moved")
def apply_player_moved(state: dict, data: dict) -> dict:
    key = _seat_key(data["player_id"])
    seat = {**state["players"][key], "role": data["role"]}
    return {**state, "players": {**state["players"], key: seat}}


@applies("player_removed")
def apply_player_removed(state: dict, data: dict) -> dict:
    key = _seat_key(data["player_id"])
    return {**state, "players": {k: seat for k, seat in state["players"].items() if k != key}}
