"""Many callers, one round trip at a time (game.realtime.batching), and the socket's flood
counters that use it on Redis."""

import asyncio

import pytest

from game.realtime.batching import RoundTrips

pytestmark = pytest.mark.timeout(60)


async def test_callers_waiting_when_a_trip_ends_share_the_next_in_order():
    trips = []

    async def send(items):
        trips.append(list(items))
        await asyncio.sleep(0.01)
        return [item * 10 for item in items]

    batcher = RoundTrips(send)
    results = await asyncio.gather(*(batcher(n) for n in range(50)))
    assert results == [n * 10 for n in range(50)]
    assert [item for trip in trips for item in trip] == list(range(50))  # in order, once
    assert len(trips) < 5, trips


async def test_a_failed_trip_fails_only_its_own_callers_and_the_next_trip_runs():
    calls = []

    async def send(items):
        calls.append(list(items))
        await asyncio.sleep(0.01)
        if len(calls) == 1:
            raise ConnectionError("down")
        return items

    batcher = RoundTrips(send)
    first = asyncio.ensure_future(batcher("a"))
    await asyncio.sleep(0)  # "a" is on its way
    later = asyncio.ensure_future(batcher("b"))
    with pytest.raises(ConnectionError):
        await first
    assert await later == "b"


async def test_a_caller_that_gave_up_is_skipped():
    sent = []
    release = asyncio.Event()

    async def send(items):
        sent.extend(items)
        await release.wait()
        return items

    batcher = RoundTrips(send)
    busy = asyncio.ensure_future(batcher(1))
    await asyncio.sleep(0)
    gave_up = asyncio.ensure_future(batcher(2))
    kept = asyncio.ensure_future(batcher(3))
    await asyncio.sleep(0)
    gave_up.cancel()
    release.set()
    assert (await busy, await kept) == (1, 3)
    assert sent == [1, 3]
    await batcher.close()


async def test_a_burst_of_frames_is_counted_exactly_in_few_trips(
    on_private_redis, settings, monkeypatch, pipeline_sizes
):
    """300 frames at once (more than the client's 100 connections): every one counted, none
    skipped, in a handful of pipelines."""
    from game.realtime import limits as socket_limits
    from game.services import limits

    monkeypatch.setattr(limits, "_window", lambda seconds: 0)
    settings.COMMAND_RATE_PER_PLAYER = 1000
    verdicts = await asyncio.gather(
        *(socket_limits.player_frame_refused(player_id=n % 3, chat=False) for n in range(300))
    )
    assert verdicts == [None] * 300
    assert not limits.cache_resting()  # nothing failed open
    from django.core.cache import caches

    client = socket_limits._counter(caches["default"]).client

    keys = [caches["default"].make_and_validate_key(f"limit:commands:{p}:0") for p in range(3)]
    assert [int(await client.get(key)) for key in keys] == [100, 100, 100]
    assert sum(pipeline_sizes) == 600 and len(pipeline_sizes) < 30, pipeline_sizes
