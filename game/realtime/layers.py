"""The embedded channel layer: Channels' in-memory layer, sized and swept for a workshop.

Channels' InMemoryChannelLayer drops a group message for a consumer whose queue holds
`capacity` (default 100) messages, without a word; it also sweeps every queue and group for
expired messages on every receive and every group send (a cost that grows with the number of
sockets, paid per message), and a message that waits `expiry` seconds drops its socket from
every group. This layer keeps the same API and semantics, with:

- a capacity sized for a workshop (settings: 10,000 messages per socket by default);
- the sweep run at most once a second instead of on every receive and send;
- a group send that copies the message once (every receiver gets the same copy: consumers
  must not change messages) and puts it on each queue directly, without a task per socket;
- a warning, never silence, when a queue is full. The socket then learns of its lost
  broadcast from the heal pass (game.realtime.watch) without waiting for a client ping.
"""

import asyncio
import contextlib
import logging
import time
from copy import deepcopy

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0


class WorkshopChannelLayer(InMemoryChannelLayer):
    def __init__(self, capacity: int = 10_000, expiry: int = 600, **kwargs):
        super().__init__(capacity=capacity, expiry=expiry, **kwargs)
        self._swept_at = 0.0
        self.dropped = 0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept_at >= SWEEP_SECONDS:
            self._swept_at = now
            super()._clean_expired()

    def _put(self, channel: str, message: dict) -> None:
        queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
        try:
            queue.put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            self.dropped += 1
            logger.warning(
                "Channel %s is full (%s messages): a %s message was not delivered; the "
                "socket catches up from the log",
                channel,
                queue.maxsize,
                message.get("type"),
            )
            raise ChannelFull(channel) from None

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        copy = deepcopy(message)
        for channel in list(self.groups.get(group, {})):
            with contextlib.suppress(ChannelFull):  # logged; healed by game.realtime.watch
                self._put(channel, copy)
