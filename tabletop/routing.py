"""WebSocket routes (see docs/protocol.md)."""

from django.conf import settings
from django.urls import re_path

from game.realtime.consumers import GameConsumer

websocket_urlpatterns = [
    re_path(r"^ws/games/(?P<code>[A-Za-z0-9]{4,12})/$", GameConsumer.as_asgi()),
]

if settings.BENCH_RELAY:
    # bench/perf.py's baseline (game/realtime/relay.py): never routed unless BENCH_RELAY=1.
    from game.realtime.relay import RelayConsumer

    websocket_urlpatterns.append(
        re_path(r"^ws/relay/(?P<table>[A-Za-z0-9-]{1,40})/$", RelayConsumer.as_asgi())
    )
