"""The in-process timer loop that advances timed phases when their deadline passes.

Daphne has no ASGI lifespan events, so the loop starts with the first request or socket the
process serves (TimerLoopMiddleware). Every process runs one; that is safe because a tick is
exactly-once under the game lock (see game.services.timers). Deadlines live in the database,
so after a restart the loop of whichever process comes up first catches up.
"""

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from game.realtime.followers import run_follower_sharing
from game.realtime.shutdown import open_channel_names
from game.realtime.watch import heal_pass
from game.services import game_tick_due
from game.services.presence import HEARTBEAT_SECONDS, presence_heartbeat

logger = logging.getLogger(__name__)

_tasks: dict[str, asyncio.Task] = {}  # this process's loops, by name (ensure_timer_loop)
# How often the heal pass also reads every watched game's last_seq from the database.
HEAL_READ_SECONDS = 2.0


async def run_timer_loop(*, interval: float) -> None:
    """Tick due games every `interval` seconds; keep this process's presence fresh; heal
    sockets that missed their game's last broadcast (game.realtime.watch)."""
    last_heartbeat = last_read = 0.0
    while True:
        try:
            await database_sync_to_async(game_tick_due)()
            if time.monotonic() - last_heartbeat >= HEARTBEAT_SECONDS:
                last_heartbeat = time.monotonic()
                await heartbeat_pass()
            read_database = time.monotonic() - last_read >= HEAL_READ_SECONDS
            if read_database:
                last_read = time.monotonic()
            await heal_pass(read_database=read_database)
        except Exception:
            logger.exception("Timer loop pass failed; retrying in %.1f s", interval)
        await asyncio.sleep(interval)


async def heartbeat_pass() -> int:
    """Keep the rows of this process's live sockets; delete its rows no live handler holds
    (and other processes' stale rows). Returns how many rows went."""
    since = timezone.now()  # before the names are taken: a socket opened later is kept
    return await database_sync_to_async(presence_heartbeat)(live=open_channel_names(), since=since)


def ensure_timer_loop() -> None:
    """Start this process's timer loop, and beside it the sharing of followed views
    (game.realtime.followers: on a loop of its own, as it needs no database thread); restart
    either if it has ended."""
    if not settings.GAME_TIMER_LOOP:
        return
    loops = {"timers": run_timer_loop, "followers": run_follower_sharing}
    for name, run in loops.items():
        task = _tasks.get(name)
        if task is None or task.done():
            _tasks[name] = asyncio.get_running_loop().create_task(
                run(interval=settings.GAME_TIMER_INTERVAL)
            )


def stop_timer_loop() -> None:
    """The process is stopping: start no more ticks (one in progress completes)."""
    for task in _tasks.values():
        if not task.done():
            task.cancel()
    _tasks.clear()


class TimerLoopMiddleware:
    """ASGI middleware that makes sure this process's timer loop is running."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in {"http", "websocket"}:
            ensure_timer_loop()
        return await self.app(scope, receive, send)
