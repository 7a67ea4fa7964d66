"""Redis stopped (issue 10, item 10, the socket half): sockets open and play without it, and
everything flows through Redis again once it is back.

The Redis is the test's own (`private_redis`, port 6391), stopped by killing it (connections
reset, the port refuses, as after `redis-cli shutdown`) and started again on the same port.
The channel layer is the production one (game.realtime.layers.TolerantRedisPubSubChannelLayer);
the database is the suite's.
"""

import asyncio
import logging
import time

import pytest
import redis
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from game.models import Connection
from tabletop.health import _check_channel_layer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]


@pytest.fixture
def negotiating(table):
    table.advance_to(1, "negotiation")
    return table


@pytest.fixture
def layer_log():
    """What the channel layer logs (its own handler: importing the ASGI application
    configures logging anew, which drops pytest's capture handler)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logger = logging.getLogger("game.realtime.layers")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def chat_texts(frames: list[dict]) -> list[str]:
    return [
        event["data"]["text"]
        for frame in frames
        for event in frame["events"]
        if event["kind"] == "chat_posted"
    ]


async def subscribed_at_redis(url: str, names: set[str], *, within: float = 10.0) -> None:
    """Wait until Redis itself lists every channel in `names` as subscribed."""
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + within
        while True:
            listed = {name.decode() for name in client.pubsub_channels()}
            if names <= listed:
                return
            assert time.monotonic() < deadline, f"not subscribed at Redis: {names - listed}"
            await asyncio.sleep(0.1)
    finally:
        client.close()


async def test_sockets_open_and_play_while_redis_is_stopped_and_heal_when_it_is_back(
    negotiating, sockets, on_private_redis, layer_log
):
    table = negotiating
    early = await sockets(table.code, token=table.seat("R1").token)
    first = await early.ok("chat", channel="all", text="before")
    await early.events_until(first["seq"])

    on_private_redis.stop()
    # A new socket opens: handshake, welcome, presence, all without Redis.
    late = await sockets(table.code, token=table.seat("R2").token)
    assert late.welcome["resumed"] is False
    # Both play, and see each other's moves live (same process: delivered locally).
    ack = await late.ok("chat", channel="all", text="while stopped")
    assert chat_texts(await late.events_until(ack["seq"]))[-1] == "while stopped"
    assert chat_texts(await early.events_until(ack["seq"]))[-1] == "while stopped"
    ack = await early.ok("chat", channel="all", text="still stopped")
    assert chat_texts(await late.events_until(ack["seq"]))[-1] == "still stopped"
    pong = await late.ping()
    assert pong["type"] == "pong" and pong["seq"] == ack["seq"]
    # /healthz tells: the layer works on, but Redis does not answer.
    health = await _check_channel_layer()
    assert health["ok"] is False and "Connection" in health["error"], health
    # A socket that leaves while Redis is down leaves cleanly (its presence row goes).
    leaving = await sockets(table.code, token=table.seat("R3").token)
    leaving_channel = await database_sync_to_async(
        lambda: set(Connection.objects.values_list("channel_name", flat=True))
    )()
    await leaving.disconnect()
    said = [record.getMessage() for record in layer_log]
    assert sum("is unreachable" in line for line in said) == 1, said  # once, when it went down

    on_private_redis.start()
    # The socket that opened during the outage gets its subscriptions at Redis ...
    layer = get_channel_layer()
    prefix = layer._get_layer().prefix
    await subscribed_at_redis(
        on_private_redis.url, {f"{prefix}__group__game-{table.game.pk}"}, within=10
    )
    remaining = await database_sync_to_async(
        lambda: set(Connection.objects.values_list("channel_name", flat=True))
    )()
    assert len(remaining) == 2 and remaining < leaving_channel
    await subscribed_at_redis(on_private_redis.url, remaining)
    # ... and the channel the leaving socket released is not renewed there.
    released = (leaving_channel - remaining).pop()
    client = redis.Redis.from_url(on_private_redis.url)
    assert released.encode() not in client.pubsub_channels()
    client.close()
    # Live events go through Redis again, both ways.
    ack = await early.ok("chat", channel="all", text="after")
    assert chat_texts(await late.events_until(ack["seq"], timeout=10))[-1] == "after"
    ack = await late.ok("chat", channel="all", text="and back")
    assert chat_texts(await early.events_until(ack["seq"], timeout=10))[-1] == "and back"
    assert (await _check_channel_layer())["ok"] is True
    assert "answers again" in layer_log[-1].getMessage()


async def test_a_group_message_from_another_process_reaches_a_socket_opened_during_the_outage(
    negotiating, sockets, on_private_redis
):
    """Proof that the late socket is subscribed at Redis, not merely served locally: another
    process's layer (a second layer object with its own connections) publishes to the game."""
    from django.conf import settings

    from game.realtime.layers import TolerantRedisPubSubChannelLayer

    table = negotiating
    on_private_redis.stop()
    late = await sockets(table.code, token=table.seat("R2").token)
    channels = await database_sync_to_async(
        lambda: set(Connection.objects.values_list("channel_name", flat=True))
    )()
    on_private_redis.start()
    await subscribed_at_redis(on_private_redis.url, channels)
    # Redis answers again: a command's broadcast, and a catch-up message that another
    # process's layer sends to the game's group, reach the socket only through Redis.
    ack = await table.arun("chat", by="R1", channel="all", text="from elsewhere")
    other_process = TolerantRedisPubSubChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    try:
        await other_process.group_send(
            f"game-{table.game.pk}", {"type": "game.catch_up", "seq": ack.seq}
        )
        frames = await late.events_until(ack.seq, timeout=10)
    finally:
        await other_process.flush()
    assert chat_texts(frames)[-1] == "from elsewhere"
