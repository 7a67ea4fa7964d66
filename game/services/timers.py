"""Advancing timed phases whose deadline has passed, exactly once.

Any number of processes may run `game_tick_due` concurrently: each tick names the round and
phase it expects, and the engine turns a tick for a phase that has already moved on into a
no-op, under the per-game lock of game_execute.
"""

import logging
import time

from game import engine
from game.models import Game
from game.services.actors import Actor
from game.services.commands import CommandRefused, game_execute

logger = logging.getLogger(__name__)


def game_tick_due(*, now: float | None = None, limit: int = 100) -> int:
    """Tick every running game whose deadline has passed; returns how many advanced."""
    now = time.time() if now is None else now
    due = Game.objects.filter(status=Game.Status.RUNNING, deadline__lte=now).values_list(
        "pk", "state"
    )[:limit]
    advanced = 0
    for game_id, state in due:  # the stored state (no scenario): enough for its position
        command = {"type": "tick", "expected": engine.timer_position(state)}
        try:
            result = game_execute(game_id=game_id, actor=Actor.system(), command=command, now=now)
        except CommandRefused as refused:
            logger.warning("Timer tick for game %s refused: %s", game_id, refused.message)
            continue
        advanced += bool(result.events)
    return advanced
