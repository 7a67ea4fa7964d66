"""Redis hung (issue 10, item 11): a command's ack never waits for the channel layer, and the
sockets heal from the event log once Redis answers again.

The hung Redis is a private `redis-server` (the `private_redis` fixture) frozen with SIGSTOP
(its connections stay open, nothing answers), then thawed with SIGCONT. The database is the
suite's (SQLite by default).
"""

import asyncio
import time

import pytest

from game.services import broadcast

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]


@pytest.fixture
def negotiating(table):
    table.advance_to(1, "negotiation")
    return table


class SlowLayer:
    """The real layer, but every group_send takes `delay` seconds first."""

    def __init__(self, real, delay: float):
        self.real, self.delay = real, delay

    async def group_send(self, group, message):
        await asyncio.sleep(self.delay)
        await self.real.group_send(group, message)

    def __getattr__(self, name):
        return getattr(self.real, name)


async def test_an_ack_does_not_wait_for_a_slow_channel_layer(negotiating, sockets, monkeypatch):
    from channels.layers import get_channel_layer

    slow = SlowLayer(get_channel_layer(), delay=1.5)
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: slow)
    table = negotiating
    sender = await sockets(table.code, token=table.seat("R1").token)
    listener = await sockets(table.code, token=table.seat("R2").token)
    started = time.monotonic()
    ack = await sender.ok("chat", channel="all", text="quick")
    assert time.monotonic() - started < 1.0  # the broadcast is still on its way
    frames = await listener.events_until(ack["seq"])  # ... and arrives
    assert frames[-1]["seq"] == ack["seq"]


async def timed(coroutine) -> tuple[float, dict]:
    started = time.monotonic()
    result = await coroutine
    return time.monotonic() - started, result


async def test_a_hung_redis_delays_no_ack_and_the_sockets_heal(
    negotiating, sockets, on_private_redis
):
    table = negotiating
    sender = await sockets(table.code, token=table.seat("R1").token)
    listener = await sockets(table.code, token=table.seat("R2").token)
    first = await sender.ok("chat", channel="all", text="before")
    await listener.events_until(first["seq"])

    on_private_redis.freeze()
    try:
        took, _ = await timed(sender.ok("chat", channel="all", text="while hung"))
        assert took < 3.0, f"the ack took {took:.1f} s"  # at most one 1 s cache timeout
        took, _ = await timed(sender.ok("chat", channel="all", text="still hung"))
        assert took < 1.0, f"the second ack took {took:.1f} s"  # the cache is skipped now
        took, pong = await timed(listener.ping())
        assert took < 1.0 and pong["type"] == "pong", f"another player's ping took {took:.1f} s"
    finally:
        on_private_redis.thaw()

    # Redis answers again: the next broadcast (or a ping) brings everything, in order.
    last = await sender.ok("chat", channel="all", text="after")
    frames = await listener.events_until(last["seq"], timeout=20)
    seqs = [e["seq"] for f in frames for e in f["events"]]
    assert sorted(seqs) == seqs and len(set(seqs)) == len(seqs)
    texts = [e["data"]["text"] for f in frames for e in f["events"] if e["kind"] == "chat_posted"]
    assert texts[-3:] == ["while hung", "still hung", "after"]
