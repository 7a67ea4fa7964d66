"""ASGI entry point: HTTP through Django, WebSockets through Channels (see tabletop/routing.py).

The timer loop starts when the server starts serving, not with the first request: daphne
has no ASGI lifespan events, but it runs Twisted on an asyncio loop that is created before
this module is imported. TimerLoopMiddleware stays as the fallback (other servers) and
restarts a dead loop.
"""

import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabletop.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import CookieMiddleware, InstanceSessionWrapper  # noqa: E402

from game.realtime.shutdown import install_under_daphne  # noqa: E402
from game.realtime.timers import TimerLoopMiddleware, ensure_timer_loop  # noqa: E402
from tabletop.routing import websocket_urlpatterns  # noqa: E402
from tabletop.storable import storable  # noqa: E402


class SocketSessionMiddleware:
    """Channels' SessionMiddleware for sockets, without its wrapped `send`. The scope gets
    the session of the request's cookie as there; but the wrapper, which saves a changed
    session only with an HTTP response, checked the session on every frame a socket sent
    (1.5-2% of a busy server's event loop, docs/performance.md round 8). The sockets only
    read the session."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        # A cookie holding a NUL (quoted cookies carry octal escapes) is no session: looking
        # its key up failed on PostgreSQL. HTTP requests get a 400 (tabletop.middleware).
        cookies = {k: v for k, v in scope.get("cookies", {}).items() if storable(k + v)}
        wrapper = InstanceSessionWrapper({**scope, "cookies": cookies}, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


application = TimerLoopMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(
                # channels.auth.AuthMiddlewareStack, with the session middleware above
                CookieMiddleware(
                    SocketSessionMiddleware(AuthMiddleware(URLRouter(websocket_urlpatterns)))
                )
            ),
        }
    )
)


def start_timer_loop_with_the_server() -> bool:
    """Under daphne, start the timer loop as soon as its event loop runs; True if arranged."""
    daphne_server = sys.modules.get("daphne.server")
    if daphne_server is None:
        return False  # not daphne (tests, management commands, another server)
    # daphne runs Twisted on this asyncio loop; the callback runs once the loop does (the
    # reactor's own startup triggers fire before the loop is running, too early).
    daphne_server.twisted_loop.call_soon(ensure_timer_loop)
    install_under_daphne()  # SIGTERM: sockets closed with 1012, out within seconds
    return True


start_timer_loop_with_the_server()
