"""The socket's flood limits, awaitable (game.services.limits does the counting).

The cache calls run on threads of their own, not on the one thread that serialises a
process's database work: a slow cache must not hold up every socket's commands.
"""

from asgiref.sync import sync_to_async

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


def _off_thread(function):
    return sync_to_async(function, thread_sensitive=False)


code_attempts_blocked = _off_thread(limits.code_attempts_blocked)
code_missed = _off_thread(limits.code_missed)
player_command_allowed = _off_thread(limits.player_command_allowed)
player_chat_allowed = _off_thread(limits.player_chat_allowed)
