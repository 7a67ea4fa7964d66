"""The socket's flood limits, awaitable (game.services.limits decides).

With a cache in the process's own memory (no Redis) the counting is a dictionary update
under a lock, done at once on the event loop: a trip to another thread for it cost more than
the count (two per chat command). With Redis, a frame's counters (every frame a player
sends) are counted on the event loop by redis-py's asyncio client, in one pipelined round
trip: the trip to a worker thread and back cost ~1 ms per command on a busy server (issue
11). The rarer checks (unknown game codes) run on threads of their own, not on the one
thread that serialises a process's database work. Every check fails open, as
game.services.limits describes.
"""

import time
import weakref

from asgiref.sync import sync_to_async
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.asyncio import Redis

from game.realtime import protocol
from game.realtime.batching import RoundTrips
from game.realtime.cacheredis import cache_redis
from game.services import limits
from tabletop.cache import default_cache
from tabletop.clients import client_address_from


def scope_client_address(scope) -> str:
    """The client's address: the peer, or behind a trusted proxy its X-Forwarded-For."""
    client = scope.get("client") or ("", 0)
    forwarded = ", ".join(
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name == b"x-forwarded-for"
    )
    return client_address_from(client[0] or "", forwarded)


# Every frame a socket receives, of any type (ping, sync and catch_up too), is counted before
# it is read: twice the command rate (protocol.RATE_PER_SECOND, bursts of RATE_BURST). Frames
# beyond it are not read; once FLOOD_CLOSE_AFTER of them are owed (forgiven at
# FLOOD_FORGIVE_PER_SECOND) the socket is closed with protocol.CLOSE_FLOODING.
FLOOD_RATE_PER_SECOND = 20
FLOOD_BURST = 60
FLOOD_CLOSE_AFTER = 60
FLOOD_FORGIVE_PER_SECOND = 1.0
# A socket's handler counts the frames that did not come through daphne's flood gate as it
# gets to them, not as they arrived: after a stall its backlog comes in a rush, so it allows
# bursts this many times longer (a client paced at 8 a second fills 300 in a 35 s stall).
HANDLER_BURST_FACTOR = 5
# At most one `rate_limited` answer a second to frames beyond the budget; the rest get none.
FLOOD_WARN_SECONDS = 1.0


class FloodGuard:
    """A socket's flood budget: check() before a frame is read says what to do with it."""

    def __init__(self, clock=time.monotonic, *, burst_factor: int = 1):
        self.clock = clock
        burst = FLOOD_BURST * burst_factor
        self.budget = protocol.RateLimiter(FLOOD_RATE_PER_SECOND, burst, clock)
        self.owed = 0.0
        self.owed_at = clock()
        self.warned_at: float | None = None

    def check(self) -> str | None:
        """None: read the frame. Else it is dropped unread: "warn" (answer it), "drop" (no
        answer) or "close" (the socket kept flooding after being told: close it)."""
        if self.budget.allow():
            return None
        now = self.clock()
        forgiven = (now - self.owed_at) * FLOOD_FORGIVE_PER_SECOND
        self.owed = max(0.0, self.owed - forgiven) + 1
        self.owed_at = now
        if self.owed > FLOOD_CLOSE_AFTER:
            return "close"
        if self.warned_at is None or now - self.warned_at >= FLOOD_WARN_SECONDS:
            self.warned_at = now
            return "warn"
        return "drop"


def flood_warning() -> str:
    return (
        f"Too many frames: at most {FLOOD_RATE_PER_SECOND} a second on one socket. Frames "
        "beyond that are dropped unread; slow down, or this socket will be closed."
    )


def flood_closing() -> str:
    return (
        f"This socket kept sending more than {FLOOD_RATE_PER_SECOND} frames a second after "
        "being told, so it is closed. Reconnect after a pause, and send fewer frames."
    )


def _awaitable(function):
    off_thread = sync_to_async(function, thread_sensitive=False)

    async def call(**kwargs):
        if isinstance(default_cache(), LocMemCache):  # in memory: nothing to wait for
            return function(**kwargs)
        return await off_thread(**kwargs)

    return call


code_attempts_blocked = _awaitable(limits.code_attempts_blocked)
code_missed = _awaitable(limits.code_missed)
_frame_refused_off_thread = _awaitable(limits.player_frame_refused)


async def player_frame_refused(*, player_id: int, chat: bool) -> str | None:
    """game.services.limits.player_frame_refused, on the event loop when the cache is Redis."""
    backend = default_cache()
    if not isinstance(backend, RedisCache):
        return await _frame_refused_off_thread(player_id=player_id, chat=chat)
    if limits.cache_resting():
        return None
    counters = limits.redis_counters(backend, limits.frame_counters(player_id=player_id, chat=chat))
    try:
        counter = _counter(backend)
        counts = await counter.count(counters)
        refused = limits.frame_verdict(counts, chat=chat)
        if refused == "rate_limited" and chat:
            await counter.client.decr(counters[1][0])  # not sent: not a chat message
        return refused
    except Exception:
        limits.cache_failed(limits.FRAME_LIMITS)
        return None


class _Counter:
    """Counters on one Redis, counted on the event loop: every count waiting when a round
    trip ends goes in the next pipeline (game.realtime.batching), so a busy server sends one
    trip per loop turn on one connection (one trip per frame ran out of the pool's 100
    connections at saturation, and the limits were skipped)."""

    def __init__(self, client: Redis):
        self.client = client
        self.count = RoundTrips(self._count_batch)

    async def _count_batch(self, requests: list) -> list:
        pipeline = self.client.pipeline(transaction=False)
        for counters in requests:
            limits.queue_counts(pipeline, counters)
        counts = iter(limits.counts_of(await pipeline.execute()))
        return [[next(counts) for _ in counters] for counters in requests]


# Per client (game.realtime.cacheredis: one per event loop and Redis address), its counter.
_counters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _counter(backend: RedisCache) -> _Counter:
    """For this event loop, the counter on the cache's Redis."""
    client = cache_redis(backend)
    counter = _counters.get(client)
    if counter is None:
        counter = _counters[client] = _Counter(client)
    return counter
