"""The Redis channel layer as configured in tabletop/settings.py (services leg only).

- The layer is channels-redis's PubSub layer, not the core layer: the core layer drops group
  messages beyond its per-channel `capacity` (100) under bursts; the PubSub layer queues
  them without bound (test_e2e_burst.py shows no client-visible gap either way).
- redis-py ≥ 8 gives every connection a 5 s `socket_timeout`, the same as the core
  layer's blocking BZPOPMIN, so idle core-layer consumers die with "Timeout reading from
  ..." (django/channels_redis#422). The PubSub layer reads with its own 0.1 s polls and is
  not affected; the settings still raise the timeout above 5 s (finite, so a hung Redis
  cannot block a process forever) and it reaches the PubSub layer's connections: the
  layer builds its pool with `ConnectionPool.from_url(address, **host)`, so every key of a
  `hosts` entry other than `address` is a redis-py connection argument. A socket idle for
  longer than 5 s still receives events.
- redis-py's async pool allows 100 connections by default. The PubSub layer cannot come
  near it: per event loop and shard it holds one subscriber connection and publishes one
  message at a time under a lock, so at most two connections are ever made.
"""

import asyncio
import time

import pytest
from servers import ROOT
from tablekit import join

from game.realtime.botclient import BotClient

pytestmark = pytest.mark.services
IDLE_SECONDS = 7  # longer than redis-py's default socket_timeout of 5 s


@pytest.fixture
def layer_settings(settings, redis_service, monkeypatch):
    """CHANNEL_LAYERS exactly as tabletop/settings.py builds them from the services env."""
    import os
    import runpy

    monkeypatch.setenv("REDIS_URL", redis_service)
    monkeypatch.setenv("CHANNEL_PREFIX", f"redlines-e2e-{os.getpid()}-layer")
    built = runpy.run_path(str(ROOT / "tabletop" / "settings.py"))
    settings.CHANNEL_LAYERS = built["CHANNEL_LAYERS"]
    return built


async def test_pubsub_layer_gets_the_configured_timeouts_and_few_connections(layer_settings):
    from channels.layers import channel_layers
    from channels_redis.pubsub import RedisPubSubChannelLayer

    assert layer_settings["CACHES"]["default"]["KEY_PREFIX"] == layer_settings["CHANNEL_PREFIX"]
    layer = channel_layers.make_backend("default")
    assert isinstance(layer, RedisPubSubChannelLayer)
    try:
        channel = await layer.new_channel()
        await layer.group_add("e2e-timeout-check", channel)
        # Many concurrent group sends from one event loop.
        await asyncio.gather(
            *(layer.group_send("e2e-timeout-check", {"type": "x", "n": n}) for n in range(200))
        )
        received = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(200)]
        assert sorted(m["n"] for m in received) == list(range(200))

        shard = layer._get_layer()._shards[0]
        pool = shard._redis.connection_pool
        wanted = layer_settings["REDIS_SOCKET_TIMEOUT"]
        assert wanted > 5  # above redis-py's default and channels-redis's blocking wait
        assert pool.connection_kwargs["socket_timeout"] == wanted
        assert shard._pubsub.connection.socket_timeout == wanted
        publishers = {*pool._available_connections, *pool._in_use_connections}
        assert all(c.socket_timeout == wanted for c in publishers)
        assert (
            shard._pubsub.connection.health_check_interval
            == (layer_settings["REDIS_HEALTH_CHECK_INTERVAL"])
        )
        # One subscriber connection plus one for publishing: far below max_connections.
        assert len(publishers | {shard._pubsub.connection}) <= 2
        assert pool.max_connections == 100
    finally:
        await layer.flush()


def test_idle_socket_still_receives_after_longer_than_redis_timeout(shared_pair):
    """Both processes idle (no frames, no pings, no Redis traffic) for longer than redis-py's
    default timeout; then an event committed on one reaches a socket on the other."""
    (one, two), staff = shared_pair.servers, shared_pair.staff
    code = staff.create_game(one.url, seed=5)
    token = join(one.url, code, "JP")
    staff.command(one.url, code, "start")

    async def scenario():
        client = BotClient(
            two.ws_url(code), token=token, origin=two.origin, ping_interval=None, label="JP"
        )
        async with client:
            await client.wait_until(lambda: client.presence is not None, what="presence")
            idle_since = len(client.frames)
            await asyncio.sleep(IDLE_SECONDS)
            assert len(client.frames) == idle_since, "the socket was not idle"
            sent = time.monotonic()
            ack = await asyncio.to_thread(
                staff.command, one.url, code, "chat", channel="all", text="still there?"
            )
            event = await client.wait_event(
                lambda e: e["kind"] == "chat_posted", after=ack["seq"] - 1, timeout=5
            )
            return event, time.monotonic() - sent

    event, latency = asyncio.run(asyncio.wait_for(scenario(), 30))
    staff.command(one.url, code, "end")
    logs = one.log_tail(1_000_000) + two.log_tail(1_000_000)
    assert event["data"]["text"] == "still there?"
    assert latency < 3
    assert "Timeout reading" not in logs
    assert "Unexpected exception in receive task" not in logs


def test_healthz_leaves_no_subscription_behind(shared_pair):
    """Each /healthz probes the layer with a channel of its own and lets go of it after."""
    import redis

    server, prefix = shared_pair.first, shared_pair.env["CHANNEL_PREFIX"]
    client = redis.Redis.from_url(shared_pair.env["REDIS_URL"])
    try:
        before = len(client.pubsub_channels(f"{prefix}*"))
        for _ in range(10):
            server.wait_healthy(timeout=5)
        after = len(client.pubsub_channels(f"{prefix}*"))
    finally:
        client.close()
    assert after == before
