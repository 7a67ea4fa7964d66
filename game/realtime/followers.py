"""Which viewers' whole views somebody follows, in any process (with Redis).

A commit builds the `view` frame only for the viewers that a socket follows
(game.services.broadcast.build_views): with one process it knows them, but with several a
commit would have to build every viewer's view for followers it cannot see, and publish
them all (five views of ~5 KiB each for every chat message of a bundled-scenario game,
for nobody when no page follows).

So every timer interval (on a loop beside the timer loop) each process writes what its
sockets follow (game id -> viewer keys) to its own field of one Redis hash, with the time
until which the entry holds (FOLLOW_HOLD_SECONDS), and reads back the whole hash: the
viewers followed in every process whose entry still holds, which broadcast.views_followed
then uses. One round trip per pass, whatever the number of games. A follower not yet known to
the committing process reads its view itself when a broadcast has none for it
(game.realtime.consumers), so a late or lost entry costs one read, never a missed view. If
Redis fails or the loop stops, the reading goes stale and commits build every view again.
"""

import asyncio
import json
import logging
import os
import time
import uuid

from django.core.cache.backends.redis import RedisCache

from game.realtime.cacheredis import cache_redis
from game.services import broadcast, limits
from tabletop.cache import default_cache

logger = logging.getLogger(__name__)

# How long an entry holds after the pass that wrote it (passes come every timer interval).
FOLLOW_HOLD_SECONDS = 10
# This process's field in the hash (a restarted process starts a new one; the old one lapses).
PROCESS = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


def followed_key(backend: RedisCache) -> str:
    return backend.make_and_validate_key("views-followed")


def entry(followers: dict, *, until: float) -> str:
    """A process's field: its followed viewer keys per game, and until when they hold."""
    games = {str(game_id): sorted(keys) for game_id, keys in followers.items() if keys}
    return json.dumps({"until": until, "games": games}, separators=(",", ":"))


def reading_of(fields: dict, *, now: float) -> tuple[dict[int, frozenset[str]], list]:
    """The viewer keys followed per game in the entries that still hold, and the fields of
    those that lapsed (to remove). A field that cannot be read counts as lapsed."""
    followed: dict[int, set[str]] = {}
    lapsed = []
    for name, value in fields.items():
        try:
            held = json.loads(value)
            if held["until"] < now:
                lapsed.append(name)
                continue
            for game_id, keys in held["games"].items():
                followed.setdefault(int(game_id), set()).update(keys)
        except (ValueError, KeyError, TypeError, AttributeError):
            lapsed.append(name)
    return {game_id: frozenset(keys) for game_id, keys in followed.items()}, lapsed


async def share_followers() -> None:
    """One pass: publish this process's followed viewers and read back those of every
    process. Fails open, as the flood limits do (game.services.limits): logged once, then
    left alone for a while."""
    backend = default_cache()
    if not isinstance(backend, RedisCache) or limits.cache_resting():
        return
    key = followed_key(backend)
    now = time.time()
    client = cache_redis(backend)
    pipeline = client.pipeline(transaction=False)
    pipeline.hset(key, PROCESS, entry(broadcast.view_followers, until=now + FOLLOW_HOLD_SECONDS))
    pipeline.expire(key, FOLLOW_HOLD_SECONDS)
    pipeline.hgetall(key)
    try:
        fields = (await pipeline.execute())[-1]
        followed, lapsed = reading_of(fields, now=now)
        if lapsed:
            await client.hdel(key, *lapsed)
    except Exception:
        limits.cache_failed("Sharing the followed views")
        return
    broadcast.followed_anywhere = (time.monotonic(), followed)


async def run_follower_sharing(*, interval: float) -> None:
    """share_followers every `interval` seconds; started with the timer loop
    (game.realtime.timers), on its own so that a busy database thread never delays it."""
    while True:
        try:
            await share_followers()
        except Exception:
            logger.exception("Sharing the followed views failed; retrying in %.1f s", interval)
        await asyncio.sleep(interval)
