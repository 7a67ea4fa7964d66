"""The game service layer: the only code that writes game data and the only broadcaster.

Every change goes through `game_execute`: lock the game, load its cached state, ask the pure
engine to decide, append the resulting events in one transaction, and broadcast them to the
game's channel-layer group only after the transaction commits.
"""

from game.services.actors import Actor
from game.services.commands import CommandRefused, CommandResult, game_execute
from game.services.lifecycle import (
    game_create,
    game_rebuild_state,
    player_authenticate,
    player_join,
)
from game.services.timers import game_tick_due

__all__ = [
    "Actor",
    "CommandRefused",
    "CommandResult",
    "game_create",
    "game_execute",
    "game_rebuild_state",
    "game_tick_due",
    "player_authenticate",
    "player_join",
]
