"""Database threads for game commands, beside Channels' single database thread.

`database_sync_to_async` runs every socket's database work of a process on one thread, so a
command waited behind every other socket's reads (connects, presence, history, previews) and
every other game's commands. Commands run here instead, on GAME_DB_THREADS single-thread
executors: a game always maps to the same one, so its commands keep their order within the
process without contending for its row lock, while commands of different games proceed side
by side (the lock, the unique seq and last_seq check stay what serialises writers).
"""

from concurrent.futures import ThreadPoolExecutor
from functools import cache

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, connections

_executors: list[ThreadPoolExecutor] = []


def _executor_for(game_id: int) -> ThreadPoolExecutor:
    if not _executors:
        count = max(1, settings.GAME_DB_THREADS)
        _executors.extend(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"game-db-{n}")
            for n in range(count)
        )
    return _executors[game_id % len(_executors)]


def _shared_thread_only() -> bool:
    """An in-memory SQLite database (the test suite's) is shared between threads through
    SQLite's shared cache, whose table locks are not retried by the busy timeout: writes
    from two threads fail with "database table is locked". It keeps Channels' one thread."""
    return settings.GAME_DB_THREADS < 1 or (
        connection.vendor == "sqlite" and connection.is_in_memory_db()
    )


async def run_for_game(game_id: int, func, /, **kwargs):
    """`func(**kwargs)` on the game's database thread (connections handled as by Channels)."""
    if _shared_thread_only():
        return await database_sync_to_async(func)(**kwargs)
    return await _wrapped(func, _executor_for(game_id))(**kwargs)


@cache
def _wrapped(func, executor: ThreadPoolExecutor) -> database_sync_to_async:
    """`func`'s Channels wrapper on `executor`, made once: making one per call was ~1% of a
    busy server's CPU (issue 11). A handful of functions times GAME_DB_THREADS."""
    return database_sync_to_async(func, thread_sensitive=False, executor=executor)


def close_connections() -> None:
    """Close the connection each game database thread holds between calls. Channels closes
    them after every call; its test communicator turns that off while a test's consumer
    runs, so the test suite closes them here before it drops its database."""
    for executor in _executors:
        executor.submit(connections.close_all).result(timeout=10)
