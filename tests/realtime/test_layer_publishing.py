"""The production channel layer publishes many messages per round trip, in order (issue 11:
one message per round trip under a lock made broadcasts queue for seconds on a busy server).

Two layer instances stand for two server processes, on the test's own Redis."""

import asyncio

import pytest
from redis._parsers.resp3 import _AsyncRESP3Parser

from game.realtime.layers import TolerantRedisPubSubChannelLayer

pytestmark = pytest.mark.timeout(60)


def layer_on(redis) -> TolerantRedisPubSubChannelLayer:
    return TolerantRedisPubSubChannelLayer(
        hosts=[{"address": redis.url, "socket_connect_timeout": 5}], prefix="publishing"
    )


async def test_concurrent_group_sends_arrive_in_order_in_few_round_trips(
    private_redis, pipeline_sizes
):
    sender, receiver = layer_on(private_redis), layer_on(private_redis)
    executes = pipeline_sizes
    try:
        channel = await receiver.new_channel()
        await receiver.group_add("table", channel)
        await asyncio.sleep(0.2)  # the subscription reaches Redis
        count = 300
        await asyncio.gather(
            *(sender.group_send("table", {"type": "n", "n": n}) for n in range(count))
        )
        received = [(await receiver.receive(channel))["n"] for _ in range(count)]
        assert received == list(range(count))
        assert sum(executes) == count  # every message published once
        assert len(executes) < count / 5, executes  # many per round trip
    finally:
        await sender.flush()
        await receiver.flush()


async def test_received_messages_are_not_formatted_for_a_debug_line(private_redis, monkeypatch):
    """redis-py 8.1's RESP3 parser formats every pub/sub message it receives into a debug
    line, logged or not (redis/redis-py#4230): 7% of a busy server's CPU. The layer's
    connections speak RESP2, where a message is an ordinary reply."""
    pushed = []

    async def push(self, response):
        pushed.append(response)
        return response

    monkeypatch.setattr(_AsyncRESP3Parser, "handle_pubsub_push_response", push)
    sender, receiver = layer_on(private_redis), layer_on(private_redis)
    try:
        channel = await receiver.new_channel()
        await receiver.group_add("table", channel)
        await asyncio.sleep(0.2)
        for n in range(5):
            await sender.group_send("table", {"type": "n", "n": n, "frame": "x" * 20_000})
        assert [(await receiver.receive(channel))["n"] for _ in range(5)] == list(range(5))
        assert pushed == []
    finally:
        await sender.flush()
        await receiver.flush()


async def test_a_group_message_is_decoded_once_for_all_members_of_a_process(
    private_redis, monkeypatch
):
    """Seven sockets of one table in one process: each broadcast is decoded once for them
    all (upstream decoded it in each member's receive), and each member receives it whole.
    A message that cannot be decoded is logged and dropped; the next one arrives."""
    sender, receiver = layer_on(private_redis), layer_on(private_redis)
    decoded = []
    deserialize = receiver._serializer.deserialize
    monkeypatch.setattr(
        receiver._serializer, "deserialize", lambda data: decoded.append(1) or deserialize(data)
    )
    try:
        members = [await receiver.new_channel() for _ in range(7)]
        for channel in members:
            await receiver.group_add("table", channel)
        await asyncio.sleep(0.2)
        for n in range(3):
            await sender.group_send("table", {"type": "n", "n": n, "frames": {"a": "x" * 5000}})
        for channel in members:
            received = [await receiver.receive(channel) for _ in range(3)]
            assert [message["n"] for message in received] == [0, 1, 2]
            assert received[0]["frames"] == {"a": "x" * 5000}
        assert len(decoded) == 3

        shard = sender._get_layer()._shards[0]
        shard._ensure_redis()
        await shard._redis.publish(receiver._get_group_channel_name("table"), b"not msgpack")
        await sender.group_send("table", {"type": "n", "n": 3})
        assert (await receiver.receive(members[0]))["n"] == 3
    finally:
        await sender.flush()
        await receiver.flush()


async def test_a_failed_round_trip_fails_only_its_own_messages(private_redis):
    """Redis stopped: the messages waiting fail (the layer then delivers to this process's
    own members); once Redis is back, the next ones are published as before."""
    layer, other = layer_on(private_redis), layer_on(private_redis)
    try:
        channel = await other.new_channel()
        await other.group_add("table", channel)
        local = await layer.new_channel()
        await layer.group_add("table", local)
        await asyncio.sleep(0.2)
        private_redis.stop()
        await asyncio.gather(*(layer.group_send("table", {"type": "n", "n": n}) for n in (1, 2)))
        assert [(await layer.receive(local))["n"] for _ in range(2)] == [1, 2]  # locally
        private_redis.start()
        receiving = asyncio.ensure_future(other.receive(channel))  # never cancelled
        for _ in range(40):  # until the receive loops have renewed the subscriptions
            await layer.group_send("table", {"type": "n", "n": 3})
            await asyncio.wait([receiving], timeout=0.5)
            if receiving.done():
                break
        assert receiving.done(), "nothing was delivered through Redis after it came back"
        message = receiving.result()
        assert message["n"] == 3
    finally:
        await layer.flush()
        await other.flush()
