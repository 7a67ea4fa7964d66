"""Flood limits of the socket (issue 10, items 5 and 9): sockets per player and per client
address, commands per player over all of its sockets, chat per player and minute, and
unknown game codes per address (socket and pages). The counts are shared by every process:
sockets through the Connection table, rates through the cache (which fails open)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from game.realtime import protocol
from game.services import limits

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

DEAD_REDIS = "redis://127.0.0.1:6390/0"


@pytest.fixture
def negotiating(table):
    table.advance_to(1, "negotiation")
    return table


@pytest.fixture
def one_window(monkeypatch):
    """Every count falls in the same window, whatever the clock does during the test."""
    monkeypatch.setattr(limits, "_window", lambda seconds: 0)


async def test_a_player_may_hold_only_so_many_sockets(table, sockets, settings):
    settings.SOCKETS_PER_PLAYER = 2
    token = table.seat("R1").token
    first = await sockets(table.code, token=token)
    await sockets(table.code, token=token)
    third = await sockets(table.code, token=token, welcome=False)
    frames = await third.expect_close(protocol.CLOSE_TOO_MANY_SOCKETS)
    assert [f["code"] for f in frames if f["type"] == "error"] == ["too_many_sockets"]
    assert "at most 2" in frames[-1]["message"]
    # Another player is not affected; a closed socket frees its place.
    await sockets(table.code, token=table.seat("R2").token)
    await first.disconnect()
    await sockets(table.code, token=token)


async def address_socket(code: str, address: str) -> WebsocketCommunicator:
    from tabletop.asgi import application

    communicator = WebsocketCommunicator(
        application,
        f"/ws/games/{code}/",
        headers=[(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")],
    )
    communicator.scope["client"] = (address, 40000)  # read when the application starts
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_an_address_may_hold_only_so_many_sockets(table, settings):
    settings.SOCKETS_PER_ADDRESS = 2
    opened = [await address_socket(table.code, "10.1.1.1") for _ in range(2)]
    try:
        refused = await address_socket(table.code, "10.1.1.1")
        error = await refused.receive_json_from()
        assert error["code"] == "too_many_sockets" and "your address" in error["message"]
        assert (await refused.receive_output())["code"] == protocol.CLOSE_TOO_MANY_SOCKETS
        other = await address_socket(table.code, "10.2.2.2")  # another address: welcome
        opened.append(other)
        assert await other.receive_nothing(timeout=0.2)  # waiting for its hello, not closed
    finally:
        for communicator in opened:
            await communicator.disconnect()


async def test_commands_are_limited_per_player_over_all_its_sockets(
    table, sockets, settings, one_window
):
    settings.COMMAND_RATE_PER_PLAYER = 1  # 10 frames per 10-second window
    token = table.seat("R1").token
    first, second = await sockets(table.code, token=token), await sockets(table.code, token=token)
    replies = []
    for number in range(6):  # each socket alone stays far below its own limit (bursts of 30)
        for index, socket in enumerate((first, second)):
            replies.append(await history(socket, f"h{number}-{index}"))
    refused = [r for r in replies if r["type"] == "error"]
    assert len(replies) - len(refused) == 10
    assert {r["code"] for r in refused} == {"rate_limited"}
    assert "over all of its sockets" in refused[0]["message"]
    # Another player has its own count.
    other = await sockets(table.code, token=table.seat("R2").token)
    assert (await history(other, "x"))["type"] == "history"


async def history(socket, client_id: str) -> dict:
    await socket.send({"type": "history", "id": client_id, "kinds": "all"})
    return await socket.next(lambda f: f.get("id") == client_id)


async def test_chat_is_capped_per_player_and_minute(negotiating, sockets, settings, one_window):
    settings.CHAT_PER_MINUTE = 3
    table = negotiating
    token = table.seat("R1").token
    first, second = await sockets(table.code, token=token), await sockets(table.code, token=token)
    replies = []
    for number in range(3):
        socket = (first, second)[number % 2]
        replies.append(await socket.command("chat", channel="all", text=f"hello {number}"))
    assert [r["type"] for r in replies] == ["ack"] * 3, replies
    refused = await second.command("chat", channel="all", text="one more")
    assert refused["type"] == "error" and refused["code"] == "chat_limited"
    assert "at most 3 a minute" in refused["message"]
    assert await table.seq() == replies[-1]["seq"]  # nothing sent
    # The REST path counts the same messages.
    reply = await database_sync_to_async(Client().post)(
        f"/api/games/{table.code}/commands",
        {"type": "chat", "id": "rest-1", "channel": "all", "text": "and again"},
        content_type="application/json",
        headers={"X-Player-Token": token},
    )
    assert reply.status_code == 429 and reply.json()["code"] == "chat_limited"
    # Other commands and other players go on.
    other = await sockets(table.code, token=table.seat("R2").token)
    assert (await other.command("chat", channel="all", text="hi"))["type"] == "ack"


async def test_the_limits_fail_open_without_the_cache(negotiating, sockets, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    table = negotiating
    socket = await sockets(table.code, token=table.seat("R1").token)
    for number in range(3):
        assert (await socket.command("chat", channel="all", text=f"m{number}"))["type"] == "ack"
    assert "skipped: the cache is unavailable" in caplog.text


async def test_unknown_codes_bar_the_address_for_a_while(table, sockets, settings):
    settings.CODE_MISSES_PER_MINUTE = 3
    for code in ("ZZZZ22", "ZZZZ23", "ZZZZ24"):
        probe = await sockets(code, welcome=False)
        await probe.expect_close(protocol.CLOSE_UNKNOWN_GAME)
    # Now even the right code is refused, and says why; the socket may try again later.
    barred = await sockets(table.code, token=table.seat("R1").token, welcome=False)
    frames = await barred.expect_close(protocol.CLOSE_TRY_AGAIN_LATER)
    assert [f["code"] for f in frames] == ["too_many_attempts"]
    assert "unknown game codes" in frames[0]["message"]


def test_unknown_codes_on_the_join_page_bar_the_address(table, settings):
    settings.CODE_MISSES_PER_MINUTE = 2
    client = Client()
    assert client.get(f"/join/{table.code}/").status_code == 200  # a known code is no miss
    assert client.get("/join/ZZZZ22/").status_code == 404
    assert client.get("/?code=ZZZZ23").status_code == 404  # the front door's code box
    reply = client.get(f"/join/{table.code}/")
    assert reply.status_code == 429 and "unknown game codes" in reply.content.decode()
    reply = client.get(f"/api/games/{table.code}/view")  # the API too
    assert reply.status_code == 429 and reply.json()["code"] == "too_many_attempts"
    # Another address is not barred.
    assert Client(REMOTE_ADDR="10.9.9.9").get(f"/join/{table.code}/").status_code == 200


def test_a_redis_counter_counts_in_one_trip_and_expires(settings, private_redis):
    """On Redis a count is INCR and EXPIRE NX in one pipeline: it counts from 1, its
    lifetime starts at the first count and later counts do not extend it."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "test-limits",
        }
    }
    backend = caches["default"]
    backend.delete("limit:test")
    client = backend._cache.get_client(write=True)
    key = backend.make_and_validate_key("limit:test")
    assert [limits._count("limit:test", 30) for _ in range(3)] == [1, 2, 3]
    assert 0 < client.ttl(key) <= 30
    client.expire(key, 5)  # later counts leave the clock alone
    assert limits._count("limit:test", 30) == 4
    assert client.ttl(key) <= 5
    assert backend.get("limit:test") == 4  # the cache reads what the counter holds
    backend.delete("limit:test")


@pytest.fixture(params=["memory", "redis"])
def any_cache(request, settings):
    """The cache in memory (one process) or on Redis (the test's own)."""
    if request.param == "redis":
        redis = request.getfixturevalue("private_redis")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis.url,
                "KEY_PREFIX": "test-frames",
            }
        }
    from django.core.cache import caches

    caches["default"].clear()
    return caches["default"]


def test_a_chat_message_refused_by_the_command_rate_is_not_counted_as_chat(
    any_cache, settings, one_window
):
    settings.COMMAND_RATE_PER_PLAYER = 1  # 10 frames per 10-second window
    settings.CHAT_PER_MINUTE = 100
    verdicts = [limits.player_frame_refused(player_id=7, chat=True) for _ in range(12)]
    assert verdicts == [None] * 10 + ["rate_limited"] * 2
    assert any_cache.get("limit:chat:7:0") == 10  # only the ten that went through
    assert any_cache.get("limit:commands:7:0") == 12


def test_the_chat_limit_refuses_once_the_messages_of_the_minute_are_spent(
    any_cache, settings, one_window
):
    settings.CHAT_PER_MINUTE = 2
    verdicts = [limits.player_frame_refused(player_id=8, chat=True) for _ in range(3)]
    assert verdicts == [None, None, "chat_limited"]
    assert limits.player_frame_refused(player_id=8, chat=False) is None  # other commands go on
    assert limits.player_frame_refused(player_id=9, chat=True) is None  # and other players


async def test_the_socket_counts_a_frame_on_the_event_loop_as_the_service_does(
    any_cache, settings, one_window
):
    """game.realtime.limits (on Redis: redis-py's asyncio client on the event loop) decides
    and counts exactly as game.services.limits."""
    from game.realtime import limits as socket_limits

    settings.COMMAND_RATE_PER_PLAYER = 1  # 10 frames per window
    settings.CHAT_PER_MINUTE = 4
    refused = socket_limits.player_frame_refused
    verdicts = [await refused(player_id=5, chat=True) for _ in range(6)]
    verdicts += [await refused(player_id=5, chat=False) for _ in range(6)]
    assert verdicts == [None] * 4 + ["chat_limited"] * 2 + [None] * 4 + ["rate_limited"] * 2
    assert await database_sync_to_async(any_cache.get)("limit:commands:5:0") == 12
    assert await database_sync_to_async(any_cache.get)("limit:chat:5:0") == 6


async def test_a_hung_redis_costs_one_short_timeout_then_the_limits_rest(
    on_private_redis, settings
):
    """Redis stops answering (SIGSTOP): the first check gives up after the cache's socket
    timeout and lets the frame through; the next ones skip Redis for CACHE_RETRY_SECONDS."""
    import time

    from game.realtime import limits as socket_limits

    assert await socket_limits.player_frame_refused(player_id=6, chat=True) is None  # connects
    on_private_redis.freeze()
    try:
        began = time.monotonic()
        assert await socket_limits.player_frame_refused(player_id=6, chat=True) is None
        first = time.monotonic() - began
        began = time.monotonic()
        for _ in range(20):
            assert await socket_limits.player_frame_refused(player_id=6, chat=False) is None
        rest = time.monotonic() - began
    finally:
        on_private_redis.thaw()
    assert 0.5 < first < 3, first  # the 1 s socket timeout, not a hang
    assert rest < 0.5, rest  # no further waits
    assert limits.cache_resting()


async def test_sockets_share_the_process_cache_and_its_connection(
    any_cache, negotiating, sockets, monkeypatch
):
    """Django's `caches` gives every asyncio context (each socket) a backend of its own; on
    Redis each kept its own connection for as long as its socket was open (issue 11: 289
    Redis connections for 210 sockets). The sockets' limits use the process's one backend."""
    from django.core.cache import CacheHandler

    made = []
    create = CacheHandler.create_connection
    monkeypatch.setattr(
        CacheHandler,
        "create_connection",
        lambda self, alias: made.append(alias) or create(self, alias),
    )
    table = negotiating
    redis_clients = _redis_clients(any_cache)
    before = redis_clients()
    for role in ("R1", "R2", "R3"):
        socket = await sockets(table.code, token=table.seat(role).token)
        assert (await socket.command("chat", channel="all", text=f"from {role}"))["type"] == "ack"
    # At most the shared backend itself (the fixture may have made it already).
    assert made in ([], ["default"])
    if before is not None:
        assert redis_clients() - before <= 2  # the shared sync client and the event loop's


def _redis_clients(backend):
    """A function that counts the clients connected to the cache's Redis (None in memory)."""
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(backend, RedisCache):
        return lambda: None
    client = backend._cache.get_client(write=True)
    return lambda: client.info("clients")["connected_clients"]
