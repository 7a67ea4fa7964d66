"""With Redis, commits build the `view` frames only of viewers followed in some process
(game.realtime.followers shares them; game.services.broadcast.views_followed reads them),
and every view when that is not known for sure."""

import json
import time

import pytest
import redis
from django.core.cache import caches

from game.realtime import followers
from game.services import broadcast, limits

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

EVERY_VIEWER = {"facilitator", "observer", "role:R1", "role:R2", "role:R3"}


@pytest.fixture
def negotiating(table):
    table.advance_to(1, "negotiation")
    return table


@pytest.fixture
def with_redis(on_private_redis, settings, monkeypatch):
    """Several processes' settings (REDIS_URL set), on the test's own Redis; no readings of
    other tests left behind."""
    settings.REDIS_URL = on_private_redis.url
    monkeypatch.setattr(broadcast, "followed_anywhere", None)
    return on_private_redis


@pytest.fixture
def built(monkeypatch):
    """The viewer keys whose view frames commits build, in order."""
    keys = []
    real = broadcast.live_view_text

    def recording(state, viewer, seq):
        keys.append(broadcast.viewer_key(viewer))
        return real(state, viewer, seq)

    monkeypatch.setattr(broadcast, "live_view_text", recording)
    return keys


def elsewhere(url: str, process: str, games: dict, *, held_for: float) -> None:
    """Another process's entry: what it follows per game, held `held_for` seconds more."""
    entry = followers.entry(games, until=time.time() + held_for)
    redis.Redis.from_url(url).hset(followers.followed_key(caches["default"]), process, entry)


def held_in_redis(url: str) -> dict:
    fields = redis.Redis.from_url(url).hgetall(followers.followed_key(caches["default"]))
    return {name.decode(): json.loads(value) for name, value in fields.items()}


async def test_commits_build_the_views_followed_here_or_in_another_process(
    with_redis, negotiating, sockets, built
):
    table = negotiating
    game_id = table.game.pk
    plain = await sockets(table.code, token=table.seat("R3").token)
    follower = await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": True})
    elsewhere(with_redis.url, "other", {game_id: {"facilitator"}, 999: {"observer"}}, held_for=10)
    elsewhere(with_redis.url, "stopped", {game_id: {"role:R2"}}, held_for=-1)

    await followers.share_followers()
    read = broadcast.followed_anywhere[1]
    assert read == {game_id: {"role:R1", "facilitator"}, 999: {"observer"}}
    ack = await plain.ok("chat", channel="all", text="two views")
    assert sorted(built) == ["facilitator", "role:R1"]
    assert (await follower.next("view"))["seq"] == ack["seq"]

    # This process's entry is there for the others; the lapsed one is gone.
    held = held_in_redis(with_redis.url)
    assert set(held) == {followers.PROCESS, "other"}
    assert held[followers.PROCESS]["games"] == {str(game_id): ["role:R1"]}
    assert held[followers.PROCESS]["until"] > time.time() + followers.FOLLOW_HOLD_SECONDS - 5


async def test_a_follower_counted_here_since_the_last_reading_gets_its_view_at_once(
    with_redis, negotiating, sockets, built
):
    table = negotiating
    plain = await sockets(table.code, token=table.seat("R3").token)
    await followers.share_followers()
    assert broadcast.followed_anywhere[1] == {}
    await plain.ok("chat", channel="all", text="nobody follows")
    assert built == []

    follower = await sockets(table.code, token=table.seat("R2").token, hello_extra={"views": True})
    ack = await plain.ok("chat", channel="all", text="R2 follows")
    assert built == ["role:R2"]
    assert (await follower.next("view"))["seq"] == ack["seq"]


@pytest.mark.parametrize("reading", ["none", "stale"])
async def test_without_a_fresh_reading_every_view_is_built(with_redis, negotiating, built, reading):
    """The loop off or stopped, Redis failing: a follower elsewhere may need any view."""
    table = negotiating
    if reading == "stale":
        broadcast.followed_anywhere = (time.monotonic() - 60, {})
    await table.arun("chat", by="R1", channel="all", text="for anyone")
    assert set(built) == EVERY_VIEWER


async def test_one_process_builds_only_its_own_followers_views(negotiating, settings, built):
    """No Redis: this process's sockets are all there are, and no reading is needed."""
    settings.REDIS_URL = ""
    await negotiating.arun("chat", by="R1", channel="all", text="for nobody")
    assert built == []


def test_an_entry_that_cannot_be_read_counts_as_lapsed():
    now = time.time()
    fields = {
        b"good": followers.entry({5: {"observer"}}, until=now + 5),
        b"garbled": b"{not json",
        b"wrong": json.dumps({"until": now + 5, "games": ["5"]}),
        b"old": followers.entry({5: {"facilitator"}}, until=now - 1),
    }
    followed, lapsed = followers.reading_of(fields, now=now)
    assert followed == {5: {"observer"}}
    assert sorted(lapsed) == [b"garbled", b"old", b"wrong"]


async def test_redis_down_leaves_the_reading_to_go_stale_and_the_pass_returns(with_redis):
    await followers.share_followers()
    read_at = broadcast.followed_anywhere[0]
    with_redis.stop()
    began = time.monotonic()
    await followers.share_followers()
    assert time.monotonic() - began < 3  # the cache's 1 s timeouts, not a hang
    assert broadcast.followed_anywhere[0] == read_at
    assert limits.cache_resting()  # not asked again for a while


async def test_the_timer_loop_shares_the_followed_views_on_its_own(
    with_redis, negotiating, sockets, settings
):
    """The sharing runs beside the timer loop, every timer interval, without the database."""
    import asyncio

    from game.realtime import timers

    settings.GAME_TIMER_LOOP = True
    settings.GAME_TIMER_INTERVAL = 0.05
    table = negotiating
    await sockets(table.code, token=table.seat("R1").token, hello_extra={"views": True})
    timers.ensure_timer_loop()
    try:
        deadline = time.monotonic() + 5
        while (broadcast.followed_anywhere or (0, {}))[1].get(table.game.pk) != {"role:R1"}:
            assert time.monotonic() < deadline, broadcast.followed_anywhere
            await asyncio.sleep(0.05)
    finally:
        timers.stop_timer_loop()


async def test_a_loop_that_ended_is_restarted_alone(with_redis, settings):
    """ensure_timer_loop (every request and socket) restarts the loop that ended and leaves
    the other running: a tick in progress is not cancelled because the sharing stopped."""
    import asyncio

    from game.realtime import timers

    settings.GAME_TIMER_LOOP = True
    settings.GAME_TIMER_INTERVAL = 0.05
    timers.ensure_timer_loop()
    try:
        ticking, sharing = timers._tasks["timers"], timers._tasks["followers"]
        sharing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sharing
        timers.ensure_timer_loop()
        assert timers._tasks["timers"] is ticking and not ticking.done()
        assert timers._tasks["followers"] is not sharing
        assert not timers._tasks["followers"].done()
    finally:
        timers.stop_timer_loop()
    assert timers._tasks == {}
