"""The channel layers: the embedded one (in-memory) and the production one (Redis PubSub).

The embedded channel layer: Channels' in-memory layer, sized and swept for a workshop.

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

The production layer is channels_redis' PubSub layer made tolerant of a Redis that is down
(TolerantRedisPubSubChannelLayer, below).
"""

import asyncio
import contextlib
import logging
import re
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _close_redis, _wrap_close, create_pool, decode_hosts
from redis.asyncio import Redis
from redis.exceptions import RedisError

from game.realtime.batching import RoundTrips

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0
RECONNECT_SECONDS = 1.0


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

    async def release(self, channel):
        """Let go of a channel whose consumer has stopped (as the Redis layer's)."""
        self.channels.pop(channel, None)

    def waiting(self, channel: str) -> int:
        """How many messages wait on `channel` for its consumer (game.realtime.watch)."""
        queue = self.channels.get(channel)
        return 0 if queue is None else queue.qsize()

    async def group_send(self, group, message):
        """The message itself, not a copy, to every member: consumers only read what they
        receive, and every sender builds its message afresh and does not touch it once
        sent (the Redis layer's members share one decoded message the same way). Upstream
        deep-copies it, which was ~2% of a busy server's CPU on SQLite (issue 11, round
        10): a broadcast carries every viewer's frame."""
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            with contextlib.suppress(ChannelFull):  # logged; healed by game.realtime.watch
                self._put(channel, message)


# -- Redis (PubSub), tolerant of an unreachable Redis ---------------------------------------

# What talking to a Redis that is stopped, restarting or unreachable raises: redis-py's
# errors, socket errors and timeouts, and (writing to a connection the server has just reset,
# before redis-py notices) a TypeError from inside asyncio's transport.
REDIS_DOWN = (RedisError, OSError, TypeError)


class TolerantRedisPubSubChannelLayer(RedisPubSubChannelLayer):
    """channels_redis' PubSub layer, unchanged while Redis answers; when it does not:

    - a socket still opens: subscribing its channel (or a group) never fails; the
      subscription is kept as wanted and made when Redis answers again (upstream, the
      handshake failed with a 500 before the consumer ran);
    - a message to a channel of this process goes straight onto its queue, with or without
      Redis (only this process ever reads a channel it created);
    - a group message that cannot be published reaches this process's own members of the
      group; other processes' sockets catch up from the event log (game.realtime.watch);
    - leaving a group or closing a socket never fails, and a closed socket's channel is let
      go for certain (`release`, called by the consumer);
    - the receive loop survives every error (upstream's ends for good on a timeout) and the
      outage is logged once when it starts and once when it ends, not every second.

    And a group message is decoded once per process, not once per member socket (upstream
    queues the bytes for each member, whose receive decodes them: seven times per broadcast
    for a table of seven). The members then share the one message, which consumers only
    read, as with the in-memory layer.
    """

    def deserialize(self, message):
        if isinstance(message, Decoded):
            return message.message
        return super().deserialize(message)

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = TolerantLoopLayer(
                *self._args, **self._kwargs, channel_layer=self
            )
            _wrap_close(self, loop)
        return layer

    def waiting(self, channel: str) -> int:
        """How many messages wait on `channel` (a socket of this process) for its consumer
        (game.realtime.watch); the caller runs on the event loop that serves it."""
        layer = self._layers.get(asyncio.get_running_loop())
        queue = None if layer is None else layer.channels.get(channel)
        return 0 if queue is None else queue.qsize()

    async def ping(self) -> None:
        """Raise unless every Redis host answers (for /healthz: the layer itself works on
        without Redis, so a message round trip would not tell). A client of its own, so a
        hung subscriber connection cannot hold the check."""
        for host in decode_hosts(self._kwargs.get("hosts")):
            host = {"socket_connect_timeout": 2, **host, "socket_timeout": 2}
            client = Redis(connection_pool=create_pool(host))
            try:
                await client.ping()
            finally:
                await _close_redis(client)


# The protocol the layer's connections speak unless a hosts entry says otherwise: RESP2.
# redis-py 8 speaks RESP3 by default, and its RESP3 parser formats every pub/sub message it
# receives into a debug line before the logger can discard it (`"Push response: " +
# str(response)`, redis/redis-py#4230, fixed after 8.1.0): that repr of each ~2-25 KiB
# broadcast cost 7% of a busy server's CPU (docs/performance.md, round 6). Under RESP2 a
# message is an ordinary reply; the layer needs nothing of RESP3.
LAYER_PROTOCOL = 2


class TolerantLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, **kwargs):
        super().__init__(hosts=hosts, **kwargs)
        self._shards = [
            TolerantShard({"protocol": LAYER_PROTOCOL, **host}, self)
            for host in decode_hosts(hosts)
        ]

    async def send(self, channel, message):
        queue = self.channels.get(channel)
        if queue is not None:  # a socket of this process: no need to go through Redis
            queue.put_nowait(self.channel_layer.serialize(message))
            return
        await super().send(channel, message)

    async def release(self, channel):
        """Let go of a channel of this process whose consumer has stopped. Upstream lets go
        only when a receive() on it is cancelled, which misses a consumer that stops just as
        a message arrives (its receive has returned, or its next one is cancelled before it
        starts): the subscription and its queue then stay for the life of the process."""
        if self.channels.pop(channel, None) is not None:
            await self._get_shard(channel).unsubscribe(channel)

    async def group_send(self, group, message):
        group_channel = self._get_group_channel_name(group)
        shard = self._get_shard(group_channel)
        data = self.channel_layer.serialize(message)
        try:
            await shard.publish(group_channel, data)
        except REDIS_DOWN as error:
            shard.went_down(error)
            _put_for_members(self, self.groups.get(group_channel, ()), data)


class Decoded:
    """A message already decoded, queued for a consumer of this process as it is."""

    __slots__ = ("message",)

    def __init__(self, message: dict):
        self.message = message


def _put_for_members(layer: TolerantLoopLayer, members, data: bytes) -> None:
    """Queue a group message for its members on this process, decoded once for them all."""
    queues = [layer.channels[name] for name in members if name in layer.channels]
    if not queues:
        return
    try:
        decoded = Decoded(layer.channel_layer.deserialize(data))
    except Exception:  # not one of ours (another serializer, a stray PUBLISH): let it be
        logger.exception("A group message could not be decoded; it was not delivered")
        return
    for queue in queues:
        queue.put_nowait(decoded)


class TolerantShard(RedisSingleShardConnection):
    def __init__(self, host, channel_layer):
        super().__init__(host, channel_layer)
        self._unsubscribed = set()  # wanted, not yet subscribed at Redis
        self._unreleased = set()  # released here, still subscribed at Redis
        self._down_since: float | None = None
        self._publishing = RoundTrips(self._publish_batch)

    def went_down(self, error: BaseException) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.warning(
                "Redis at %s is unreachable (%s: %s): sockets open and commands work, but "
                "live events reach only this process's sockets; the others catch up from the "
                "event log when Redis answers again",
                self._where(),
                type(error).__name__,
                error,
            )

    def came_back(self) -> None:
        if self._down_since is not None:
            logger.warning(
                "Redis at %s answers again after %.1f s", self._where(),
                time.monotonic() - self._down_since,
            )  # fmt: skip
            self._down_since = None

    async def _lost(self, error: BaseException) -> None:
        """The subscriber connection failed: drop it, so that the next attempt connects
        afresh (redis-py then renews every subscription it holds)."""
        self.went_down(error)
        connection = self._pubsub.connection if self._pubsub is not None else None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.disconnect()

    def _where(self) -> str:
        address = self.host.get("address") or f"{self.host.get('host')}:{self.host.get('port')}"
        return re.sub(r"//[^@/]*@", "//", str(address))  # never log a password

    async def publish(self, channel, message):
        """Publish in order, many messages per round trip (game.realtime.batching). Upstream
        publishes one message at a time under the shard's lock, each waiting for Redis'
        answer; on a busy server publishes queued up for seconds and broadcasts timed out
        (issue 11: 1,001 of ~1,350 at 20 tables). Publishing no longer waits for
        subscriptions, which keep the lock."""
        await self._publishing((channel, message))

    async def _publish_batch(self, messages: list) -> list:
        self._ensure_redis()
        pipeline = self._redis.pipeline(transaction=False)
        for channel, message in messages:
            pipeline.publish(channel, message)
        await pipeline.execute()
        self.came_back()
        return [None] * len(messages)

    async def flush(self):
        await self._publishing.close()
        await super().flush()

    def _ensure_receiver(self):
        if self._receive_task is None or self._receive_task.done():
            self._receive_task = asyncio.ensure_future(self._do_receiving())

    async def subscribe(self, channel):
        async with self._lock:
            if channel in self._subscribed_to:
                return
            self._subscribed_to.add(channel)
            self._unreleased.discard(channel)
            await self._tell_redis("subscribe", channel, failed=self._unsubscribed)

    async def unsubscribe(self, channel):
        async with self._lock:
            if channel not in self._subscribed_to:
                return
            self._subscribed_to.discard(channel)
            if channel in self._unsubscribed:
                self._unsubscribed.discard(channel)
                return
            await self._tell_redis("unsubscribe", channel, failed=self._unreleased)

    async def _tell_redis(self, command: str, channel: str, *, failed: set) -> None:
        """SUBSCRIBE or UNSUBSCRIBE now, or note the channel in `failed` for later."""
        self._ensure_redis()
        self._ensure_receiver()
        try:
            await getattr(self._pubsub, command)(channel)
        except REDIS_DOWN as error:
            failed.add(channel)
            await self._lost(error)

    async def _catch_up_subscriptions(self):
        """Make the subscriptions that failed while Redis was down, and drop the ones
        released meanwhile (redis-py would otherwise renew them on reconnecting)."""
        async with self._lock:
            for channel in sorted(self._unsubscribed):
                await self._pubsub.subscribe(channel)
                self._unsubscribed.discard(channel)
            for channel in sorted(self._unreleased):
                await self._pubsub.unsubscribe(channel)
                self._unreleased.discard(channel)

    def _receive(self, message) -> None:
        """Queue a message from Redis for its channel, or for each member of its group."""
        if message is None:
            return
        name, data = message["channel"], message["data"]
        if isinstance(name, bytes):
            name = name.decode()
        layer = self.channel_layer
        if name in layer.channels:
            layer.channels[name].put_nowait(data)
        elif name in layer.groups:
            _put_for_members(layer, layer.groups[name], data)

    async def _do_receiving(self):
        while True:
            try:
                if self._unsubscribed or self._unreleased:
                    await self._catch_up_subscriptions()
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    self.came_back()
                    self._receive(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except REDIS_DOWN as error:
                await self._lost(error)
                await asyncio.sleep(RECONNECT_SECONDS)
            except Exception:
                logger.exception("Unexpected error in the Redis receive loop; retrying")
                await asyncio.sleep(RECONNECT_SECONDS)
