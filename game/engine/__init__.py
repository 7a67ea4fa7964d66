"""The Red Lines rule engine (DESIGN §2, §3): pure functions over plain JSON data.

No Django, no clock (commands carry `now`), no I/O, no randomness except from seeds.
docs/engine.md describes the state, commands, events, errors and views.
"""

from game.engine.bots import bot_commands, bot_plan, play_game
from game.engine.errors import ERROR_CODES, RuleError
from game.engine.lobby import player_seat
from game.engine.preview import preview
from game.engine.registry import APPLIERS, COMMANDS
from game.engine.rules import apply, decide, replay
from game.engine.scenario import PHASES, TIMED_PHASES
from game.engine.scoring import LATEST_RULES, RULES_VERSIONS, check_rules_version, score_round
from game.engine.state import (
    game_deadline,
    game_status,
    initial_state,
    rules_version,
    timer_position,
)
from game.engine.views import (
    VIEW_ITEM_PARTS,
    VIEW_PARTS,
    event_visible,
    keys_read,
    shared_view,
    view,
    view_chat,
    view_items_changed,
    view_part,
    visible_events,
)

COMMAND_TYPES = tuple(COMMANDS)
# Commands only the server itself issues (clients must not send them).
SYSTEM_COMMAND_TYPES = tuple(name for name, spec in COMMANDS.items() if spec.actors == ("system",))
EVENT_KINDS = tuple(APPLIERS)
# Events that seat, move or unseat a player (data carries its player_id).
SEAT_EVENT_KINDS = ("player_joined", "player_moved", "player_removed")

__all__ = [
    "COMMAND_TYPES",
    "ERROR_CODES",
    "EVENT_KINDS",
    "LATEST_RULES",
    "PHASES",
    "RULES_VERSIONS",
    "SEAT_EVENT_KINDS",
    "SYSTEM_COMMAND_TYPES",
    "TIMED_PHASES",
    "VIEW_ITEM_PARTS",
    "VIEW_PARTS",
    "RuleError",
    "apply",
    "bot_commands",
    "bot_plan",
    "check_rules_version",
    "decide",
    "event_visible",
    "game_deadline",
    "game_status",
    "initial_state",
    "keys_read",
    "play_game",
    "player_seat",
    "preview",
    "replay",
    "rules_version",
    "score_round",
    "shared_view",
    "timer_position",
    "view",
    "view_chat",
    "view_items_changed",
    "view_part",
    "visible_events",
]
