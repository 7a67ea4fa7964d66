"""The benchmark's baseline: a bare Channels consumer that relays every text frame it receives
to its group (no authentication, no database). Routed only when BENCH_RELAY is set
(tabletop/routing.py), so that bench/perf.py can compare the game with the framework's own
cost on the same server, channel layer and machine, in the same run."""

from channels.generic.websocket import AsyncWebsocketConsumer


class RelayConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = f"relay-{self.scope['url_route']['kwargs']['table']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is not None:
            await self.channel_layer.group_send(
                self.group, {"type": "relay.message", "text": text_data}
            )

    async def relay_message(self, message):
        await self.send(text_data=message["text"])
