"""The socket's flood limits, awaitable (game.services.limits does the counting).

With a cache in the process's own memory (no Redis) the counting is a dictionary update
under a lock, done at once on the event loop: a trip to another thread for it cost more than
the count (two per chat command). With Redis the calls run on threads of their own, not on
the one thread that serialises a process's database work: a slow cache must not hold up
every socket's commands.
"""

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from game.services import limits
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


def _awaitable(function):
    off_thread = sync_to_async(function, thread_sensitive=False)

    async def call(**kwargs):
        if isinstance(caches["default"], LocMemCache):  # in memory: nothing to wait for
            return function(**kwargs)
        return await off_thread(**kwargs)

    return call


code_attempts_blocked = _awaitable(limits.code_attempts_blocked)
code_missed = _awaitable(limits.code_missed)
player_frame_refused = _awaitable(limits.player_frame_refused)
