"""The cache's Redis, for the event loop: one asyncio client per event loop and address.

Django's Redis cache is synchronous; work that runs on the event loop itself (the socket's
flood counters, the timer loop's sharing of followed views) talks to the same Redis through
redis-py's asyncio client, made here with the cache's timeouts (1 s unless set) so a hung
Redis costs a short wait, never a stuck loop.
"""

import asyncio
import weakref

from django.core.cache.backends.redis import RedisCache
from redis.asyncio import Redis

# Per event loop (the server has one; tests start one per test): Redis address -> client.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cache_redis(backend: RedisCache) -> Redis:
    """For the running event loop, the client of the cache's first (writing) server, as the
    cache splits its LOCATION."""
    location = backend._servers[0]
    clients = _clients.setdefault(asyncio.get_running_loop(), {})
    client = clients.get(location)
    if client is None:
        options = backend._options
        client = clients[location] = Redis.from_url(
            location,
            socket_timeout=options.get("socket_timeout", 1),
            socket_connect_timeout=options.get("socket_connect_timeout", 1),
        )
    return client
