"""Flood limits counted in the cache, so every server process shares them (Redis when
`REDIS_URL` is set): commands and chat per player, and unknown game codes per address.

Every check fails open: if the cache is down or slow, the limit is skipped (and logged), and
for CACHE_RETRY_SECONDS no check asks it again, so a hung Redis costs at most one short cache
timeout now and then, never one per command. Socket counts are not here: they come from the
`Connection` rows (game.services.presence), which a crashed process cannot leave inflated.
See docs/operations.md, "Security".
"""

import logging
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from tabletop.cache import default_cache

logger = logging.getLogger(__name__)

CACHE_RETRY_SECONDS = 10.0
COMMAND_WINDOW_SECONDS = 10
CHAT_WINDOW_SECONDS = 60
CODE_MISS_WINDOW_SECONDS = 60

_cache_down_until = 0.0


def _cached(what: str, call):
    """`call()` against the cache, or None when the cache is (recently found) unavailable."""
    if cache_resting():
        return None
    try:
        return call()
    except Exception:
        cache_failed(what)
        return None


def cache_resting() -> bool:
    """Was the cache found unavailable less than CACHE_RETRY_SECONDS ago?"""
    return time.monotonic() < _cache_down_until


def cache_failed(what: str) -> None:
    """The cache failed `what` (called from an exception handler): log it and skip the limits
    for CACHE_RETRY_SECONDS."""
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    logger.warning("%s skipped: the cache is unavailable", what, exc_info=True)


def _count(key: str, timeout: int) -> int:
    """Add one to a counter that lives `timeout` seconds from its first count."""
    return _count_many([(key, timeout)])[0]


def _count_many(counters: list[tuple[str, int]]) -> list[int]:
    """Add one to each (key, timeout) counter; each lives `timeout` seconds from its first
    count. On Redis all of them in one round trip (Django's incr() asks whether the key
    exists first, then adds, and add() is a third)."""
    backend = default_cache()
    if isinstance(backend, RedisCache):
        keys = redis_counters(backend, counters)
        pipeline = backend._cache.get_client(keys[0][0], write=True).pipeline(transaction=False)
        queue_counts(pipeline, keys)
        return counts_of(pipeline.execute())
    return [_count_in_cache(key, timeout) for key, timeout in counters]


def redis_counters(backend: RedisCache, counters: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The counters with the keys the cache stores them under (its prefix and version)."""
    return [(backend.make_and_validate_key(key), timeout) for key, timeout in counters]


def queue_counts(pipeline, counters: list[tuple[str, int]]) -> None:
    """Queue the counts of redis_counters() on a Redis pipeline (redis-py's own or its asyncio
    one: queuing is the same): INCR creates a counter at 1, EXPIRE NX starts its clock once."""
    for key, timeout in counters:
        pipeline.incr(key)
        pipeline.expire(key, timeout, nx=True)


def counts_of(replies: list) -> list[int]:
    """The counts among a pipeline's replies to queue_counts()."""
    return replies[::2]


def _count_in_cache(key: str, timeout: int) -> int:
    cache = default_cache()
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet (or it just expired)
        if cache.add(key, 1, timeout=timeout):
            return 1
        return cache.incr(key)


def _window(seconds: int) -> int:
    return int(time.time()) // seconds


FRAME_LIMITS = "Player rate limits"


def player_frame_refused(*, player_id: int, chat: bool) -> str | None:
    """Count a frame of this player against its command rate and, for a chat message, the
    message against its chat limit, in one trip to the cache (a socket's every frame asks):
    None if allowed, else "rate_limited" or "chat_limited". A message refused by the
    command rate is not sent, so it does not count as a chat message.
    (game.realtime.limits does the same on the event loop when the cache is Redis.)"""
    counters = frame_counters(player_id=player_id, chat=chat)
    counts = _cached(FRAME_LIMITS, lambda: _count_many(counters))
    refused = frame_verdict(counts, chat=chat)
    if refused == "rate_limited" and chat:
        _cached("Chat limit", lambda: default_cache().decr(counters[1][0]))
    return refused


def frame_counters(*, player_id: int, chat: bool) -> list[tuple[str, int]]:
    """The (key, timeout) counters a frame of this player counts in: its command rate's
    window and, for a chat message, its chat minute."""
    counters = [
        (
            f"limit:commands:{player_id}:{_window(COMMAND_WINDOW_SECONDS)}",
            COMMAND_WINDOW_SECONDS + 1,
        )
    ]
    if chat:
        counters.append(
            (f"limit:chat:{player_id}:{_window(CHAT_WINDOW_SECONDS)}", CHAT_WINDOW_SECONDS + 1)
        )
    return counters


def frame_verdict(counts: list[int] | None, *, chat: bool) -> str | None:
    """What the counts of frame_counters() decide: None (allowed, or the cache is down),
    "rate_limited" or "chat_limited"."""
    if counts is None:
        return None
    if counts[0] > settings.COMMAND_RATE_PER_PLAYER * COMMAND_WINDOW_SECONDS:
        return "rate_limited"
    if chat and counts[1] > settings.CHAT_PER_MINUTE:
        return "chat_limited"
    return None


def player_chat_allowed(*, player_id: int) -> bool:
    """At most CHAT_PER_MINUTE chat messages per player and clock minute (sockets and REST)."""
    return _within_window(
        "Chat limit", f"chat:{player_id}", CHAT_WINDOW_SECONDS, settings.CHAT_PER_MINUTE
    )


def _within_window(what: str, name: str, seconds: int, limit: int) -> bool:
    """Count one more under `name` in the current window of `seconds`: within `limit`? Yes
    when the cache cannot count (the limit fails open; `what` names it in the log)."""
    key = f"limit:{name}:{_window(seconds)}"
    count = _cached(what, lambda: _count(key, seconds + 1))
    return count is None or count <= limit


def chat_limit_message() -> str:
    return (
        f"Too many chat messages: at most {settings.CHAT_PER_MINUTE} a minute per player. "
        "This one was not sent; wait a little and send it again."
    )


def code_attempts_blocked(*, address: str) -> bool:
    """Is this client address barred from naming game codes for now (it guessed too many)?"""
    return bool(
        _cached("Game code throttle", lambda: default_cache().get(f"limit:code-block:{address}"))
    )


def code_missed(*, address: str) -> None:
    """Count an unknown game code named from `address`; at CODE_MISSES_PER_MINUTE misses
    within a minute the address is barred for CODE_MISS_BLOCK_SECONDS."""

    def count():
        misses = _count(f"limit:code-miss:{address}", CODE_MISS_WINDOW_SECONDS)
        if misses >= settings.CODE_MISSES_PER_MINUTE:
            default_cache().set(
                f"limit:code-block:{address}", 1, timeout=settings.CODE_MISS_BLOCK_SECONDS
            )
            logger.warning("Address %s barred from game codes: %s unknown codes", address, misses)

    _cached("Game code throttle", count)


def code_blocked_message() -> str:
    return (
        "Too many attempts with unknown game codes from your address: game codes are refused "
        f"from it for up to {settings.CODE_MISS_BLOCK_SECONDS} seconds. Check the code with "
        "your facilitator, wait, and try again."
    )


REPORT_WINDOW_SECONDS = 60


def report_request_allowed(*, client: str) -> bool:
    """At most REPORT_REQUESTS_PER_MINUTE report and replay pages of a game per client (its
    address and who it is: a seat or a staff account) and clock minute."""
    return _within_window(
        "Report page limit",
        f"report:{client}",
        REPORT_WINDOW_SECONDS,
        settings.REPORT_REQUESTS_PER_MINUTE,
    )


def report_limit_message() -> str:
    return (
        f"Too many report pages: at most {settings.REPORT_REQUESTS_PER_MINUTE} a minute. "
        "Wait a minute and reload the page."
    )
