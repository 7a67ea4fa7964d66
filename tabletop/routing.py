"""WebSocket routes. Game sockets arrive with the real-time play capability."""

websocket_urlpatterns: list = []
