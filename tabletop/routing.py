"""WebSocket routes (see docs/protocol.md)."""

from django.urls import re_path

from game.realtime.consumers import GameConsumer

websocket_urlpatterns = [
    re_path(r"^ws/games/(?P<code>[A-Za-z0-9]{4,12})/$", GameConsumer.as_asgi()),
]
