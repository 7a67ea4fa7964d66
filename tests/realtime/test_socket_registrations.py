"""A socket's registration (its Connection row: presence and the socket limits) ends when the
socket ends, whatever way it ends (issue 30, failure 1): its handler's disconnect, an error
that kills the handler, or daphne cancelling a handler that took too long to shut down. A
row no live handler holds goes with its process's next presence heartbeat."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError
from django.utils import timezone

from game import selectors
from game.models import Connection
from game.realtime import consumers, limits, protocol, timers
from game.realtime.consumers import GameConsumer
from game.services.presence import SERVER_ID, presence_get

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@database_sync_to_async
def rows_of(player_id: int) -> list[str]:
    return list(Connection.objects.filter(player_id=player_id).values_list("server", flat=True))


@database_sync_to_async
def online(table) -> list[str]:
    teams = presence_get(game_id=table.game.pk)["teams"]
    return [entry["name"] for players in teams.values() for entry in players]


async def gone(player_id: int, *, within: float = 5.0) -> bool:
    """Has the player's last row gone within `within` seconds?"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while await rows_of(player_id):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_a_handler_killed_before_its_cleanup_still_ends_the_registration(table, sockets):
    """daphne cancels a handler still running 10 s after its socket dropped (a backlog of
    frames ahead of the disconnect): its row must go all the same."""
    seat = table.seat("R1")
    socket = await sockets(table.code, token=seat.token)
    assert await rows_of(seat.player_id) == [SERVER_ID]
    assert seat.name in await online(table)

    socket.communicator.future.cancel()  # what daphne's application_checker does
    socket._disconnected = True  # nothing left to disconnect

    assert await gone(seat.player_id)
    assert seat.name not in await online(table)


async def test_a_handler_that_fails_still_ends_the_registration(table, sockets, monkeypatch):
    """A send to a socket the client has just closed raises ("Attempt to send on a closed
    protocol"), and the handler ends with the error: its row must go all the same."""
    seat = table.seat("R1")
    socket = await sockets(table.code, token=seat.token)

    async def closed_protocol(self, *args, **kwargs):
        raise RuntimeError("Attempt to send on a closed protocol")

    monkeypatch.setattr(GameConsumer, "send", closed_protocol)
    await socket.send({"type": "ping", "id": "p"})

    assert await gone(seat.player_id)
    with pytest.raises(RuntimeError):
        await socket.communicator.wait(timeout=1)


async def test_a_flood_then_an_abrupt_drop_leaves_no_row(table, sockets, settings, monkeypatch):
    """The issue's probe: frames flooded, then the socket dropped without a close. The
    handler must reach the disconnect soon (it reads a budget's worth of frames, closes the
    socket and drops the rest unread) and end the registration; the player may then open
    its sockets again."""
    settings.SOCKETS_PER_PLAYER = 1
    seat = table.seat("R1")
    socket = await sockets(table.code, token=seat.token)
    parsed = []
    parse = protocol.parse_frame
    monkeypatch.setattr(protocol, "parse_frame", lambda *a: parsed.append(1) or parse(*a))
    frame = '{"type": "chat", "id": "x", "channel": "all", "text": "flood"}'
    for _ in range(3000):
        await socket.communicator.send_input({"type": "websocket.receive", "text": frame})
    await socket.communicator.send_input({"type": "websocket.disconnect", "code": 1006})
    await socket.communicator.wait(timeout=10)
    # Closed after a budget's worth of frames (limits.FloodGuard: its handler's burst, then
    # what is owed), however long the backlog behind them.
    burst = limits.FLOOD_BURST * limits.HANDLER_BURST_FACTOR
    assert len(parsed) < burst + limits.FLOOD_CLOSE_AFTER + 100

    assert await gone(seat.player_id, within=0)
    again = await sockets(table.code, token=seat.token)  # not refused as too many sockets
    assert again.welcome["you"]["player_id"] == seat.player_id


async def test_the_heartbeat_deletes_rows_no_live_handler_holds(table, sockets):
    """A row of this process that no live handler holds (its handler gone without its
    cleanup) goes with the next heartbeat, not when the process restarts; the rows of live
    sockets, and of a socket opening as the heartbeat runs, stay."""
    seat = table.seat("R1")
    await sockets(table.code, token=seat.token)
    before = timezone.now() - timedelta(seconds=1)

    @database_sync_to_async
    def orphan(channel_name: str, seen_at):
        Connection.objects.create(
            game_id=table.game.pk,
            channel_name=channel_name,
            kind="player",
            role="R2",
            player_id=table.seat("R2").player_id,
            address="10.0.0.2",
            server=SERVER_ID,
            seen_at=seen_at,
        )

    await orphan("orphan", before)
    assert table.seat("R2").name in await online(table)  # fresh: counted until swept
    assert await timers.heartbeat_pass() == 1

    assert await rows_of(seat.player_id) == [SERVER_ID]
    assert await rows_of(table.seat("R2").player_id) == []
    assert table.seat("R2").name not in await online(table)

    # A row written after the heartbeat took its list of live sockets is not swept.
    await orphan("opening", timezone.now() + timedelta(seconds=5))
    assert await timers.heartbeat_pass() == 0


@pytest.fixture
def database_fine_again(monkeypatch):
    monkeypatch.setattr(consumers, "_database_down_until", 0.0)


async def test_a_socket_gets_a_clear_close_when_the_database_fails(
    table, sockets, monkeypatch, database_fine_again
):
    """The database down: the socket is accepted, told `database_unavailable` and closed 1013 (try
    again later); for a few seconds after, new sockets are refused so without asking it."""
    asked = []

    def down(**kwargs):
        asked.append(kwargs)
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "game_get_by_code", down)
    for _ in range(2):
        socket = await sockets(table.code, token=table.seat("R1").token, welcome=False)
        frames = await socket.expect_close(protocol.CLOSE_TRY_AGAIN_LATER)
        assert [(f["type"], f["code"]) for f in frames] == [("error", "database_unavailable")]
        assert "database" in frames[0]["message"]
    assert len(asked) == 1  # the second was refused at once
    assert await rows_of(table.seat("R1").player_id) == []
