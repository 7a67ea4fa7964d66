"""GameConsumer presence frames, and seats changed under an open socket (move, remove)."""

import json

import pytest
from channels.db import database_sync_to_async

from game.realtime import protocol

pytestmark = pytest.mark.django_db(transaction=True)


def connected(presence: dict) -> dict[str, list[str]]:
    return {role: [p["name"] for p in people] for role, people in presence["teams"].items()}


async def test_presence_follows_connects_and_disconnects_across_teams(table, sockets, staff_cookie):
    r1 = await sockets(table.code, token=table.seat("R1").token)
    first = await r1.next("presence")
    assert connected(first) == {"R1": ["Player R1 1"], "R2": [], "R3": []}
    assert (first["facilitators"], first["observers"]) == (0, 0)

    r2 = await sockets(table.code, token=table.seat("R2").token)
    seen_by_r1 = await r1.next("presence")
    assert connected(seen_by_r1) == {"R1": ["Player R1 1"], "R2": ["Player R2 1"], "R3": []}
    assert await r2.next("presence") == seen_by_r1

    facilitator = await sockets(table.code, cookie=staff_cookie)
    with_facilitator = await r2.next("presence")
    assert with_facilitator["facilitators"] == 1
    assert await r1.next("presence") == with_facilitator
    assert await facilitator.next("presence") == with_facilitator

    await r2.disconnect()
    gone = lambda f: f["type"] == "presence" and not f["teams"]["R2"]  # noqa: E731
    after = await r1.next(gone)
    assert connected(after) == {"R1": ["Player R1 1"], "R2": [], "R3": []}
    assert after["facilitators"] == 1
    assert await facilitator.next(gone) == after


async def test_two_tabs_of_one_player_count_once(table, sockets):
    seat = table.seat("R3")
    first = await sockets(table.code, token=seat.token)
    await sockets(table.code, token=seat.token)
    presence = await first.next(lambda f: f["type"] == "presence" and f["teams"]["R3"])
    presence = (await first.drain() or [presence])[-1]
    assert connected(presence)["R3"] == ["Player R3 1"]


async def test_an_unauthenticated_socket_gets_no_presence(table, sockets):
    watcher = await sockets(table.code, welcome=False)
    await sockets(table.code, token=table.seat("R1").token)
    assert [f for f in await watcher.drain(0.3) if f["type"] == "presence"] == []


async def test_a_player_moved_by_rest_gets_a_snapshot_as_the_new_team(table, sockets, staff_client):
    """The move is an ordinary `events` frame; right after it the moved player's socket gets
    a `snapshot` of the new team's view, and from then on only that team's private events."""
    await database_sync_to_async(table.advance_to)(1, "decision")
    seat = table.seat("R1")
    moved = await sockets(table.code, token=seat.token)
    reply = await database_sync_to_async(staff_client.post)(
        f"/api/games/{table.code}/players/{seat.player_id}/move",
        {"team": "R2"},
        content_type="application/json",
    )
    assert reply.status_code == 200, reply.content
    frame = await moved.next("events")
    assert frame["events"][0]["kind"] == "player_moved"
    assert frame["events"][0]["data"] == {"player_id": seat.player_id, "role": "R2", "from": "R1"}
    snapshot = await moved.next("snapshot")
    assert snapshot["seq"] == reply.json()["seq"]
    assert snapshot["you"] == {
        "kind": "player",
        "role": "R2",
        "name": seat.name,
        "player_id": seat.player_id,
    }
    assert snapshot["view"]["viewer"] == {"kind": "player", "role": "R2"}
    assert [line["id"] for line in snapshot["view"]["red_lines"]] == ["R2-energy"]
    assert "SECRET-R1" not in str(snapshot)

    # Now a team-R2 draft reaches it, a draft by a newly seated R1 player does not.
    table.seats["R1"] = []
    await database_sync_to_async(table.join)("R1")
    await table.arun("decision_set", "R2", values={"energy": 5})
    await table.arun("decision_set", "R1", values={"sanctions": 15})
    frames = await moved.events_until(await table.seq())
    drafts = [
        e["data"]["role"] for f in frames for e in f["events"] if e["kind"] == "decision_drafted"
    ]
    assert drafts == ["R2"]
    presence = [f for f in await moved.drain() if f["type"] == "presence"]
    assert presence and seat.name in connected(presence[-1])["R2"]


async def test_a_removed_player_gets_an_error_and_close_4403(table, sockets, staff_client):
    seat = table.seat("R2")
    removed = await sockets(table.code, token=seat.token)
    other = await sockets(table.code, token=table.seat("R1").token)
    reply = await database_sync_to_async(staff_client.post)(
        f"/api/games/{table.code}/players/{seat.player_id}/remove"
    )
    assert reply.status_code == 200, reply.content
    frames = await removed.expect_close(4403)
    errors = [f for f in frames if f["type"] == "error"]
    assert [(e["code"], e["id"]) for e in errors] == [("removed", None)]
    assert "removed" in errors[0]["message"]
    removal = [f for f in frames if f["type"] == "events"]
    assert removal[0]["events"][0]["kind"] == "player_removed"
    # Everyone else sees the seat go, and the removed player leave once its socket is gone.
    assert (await other.next("events"))["events"][0]["kind"] == "player_removed"
    await removed.disconnect()
    presence = await other.next(lambda f: f["type"] == "presence" and not f["teams"]["R2"])
    assert connected(presence)["R2"] == []


class DroppedBroadcasts:
    """Drops the next `count` broadcasts of committed events (as a lost channel-layer
    message would), by wrapping the service layer's broadcast function."""

    def __init__(self, monkeypatch, count: int):
        from game.services import commands

        self.real = commands.broadcast_events
        self.count = count
        monkeypatch.setattr(commands, "broadcast_events", self)

    def __call__(self, *args, **kwargs):
        if self.count > 0:
            self.count -= 1
            return None
        return self.real(*args, **kwargs)


def _change_seat(table, player_id, role):
    from game.services.seating import player_move, player_remove

    actor = table.actor("facilitator")
    if role is None:
        player_remove(game=table.game, player_id=player_id, actor=actor)
    else:
        player_move(game=table.game, player_id=player_id, role=role, actor=actor)


@pytest.mark.parametrize("change", ["moved", "removed"])
@pytest.mark.parametrize("delivery", ["lost", "sync"])
async def test_a_lost_seat_change_never_shows_the_old_teams_later_events(
    table, sockets, monkeypatch, change, delivery
):
    """The broadcast of a move (or removal) is lost; a later team-R1 message must not reach
    the player who left R1, whether the socket notices the gap itself (`lost`) or its
    client asks for a `sync` first (both broadcasts lost)."""
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    teammate = await database_sync_to_async(table.join)("R1", "Teammate")
    seat = table.seat("R1")
    player = await sockets(table.code, token=seat.token)
    dropped = DroppedBroadcasts(monkeypatch, 2 if delivery == "sync" else 1)
    await database_sync_to_async(_change_seat)(
        table, seat.player_id, "R2" if change == "moved" else None
    )
    table.seats["R1"].remove(seat)  # so that table.run(..., "R1") acts as the teammate
    await database_sync_to_async(table.run)("chat", "R1", channel="team", text="AFTER-THE-MOVE")
    assert dropped.count == 0
    if delivery == "sync":
        await player.send({"type": "sync", "id": "sync"})
    if change == "moved":
        snapshot = await player.next("snapshot")
        assert snapshot["you"]["role"] == "R2"
        assert snapshot["view"]["viewer"] == {"kind": "player", "role": "R2"}
        assert snapshot["seq"] == await table.seq()
        frames = [snapshot, *await player.drain()]
    else:
        frames = await player.expect_close(protocol.CLOSE_REMOVED)
        assert [f["code"] for f in frames if f["type"] == "error"] == ["removed"]
    assert "AFTER-THE-MOVE" not in json.dumps(frames)
    assert teammate.token  # the teammate is still seated on R1


async def test_a_player_moved_while_away_resumes_with_a_fresh_view_of_the_new_team(table, sockets):
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    seat = table.seat("R3")
    mark = await table.seq()
    await database_sync_to_async(_change_seat)(table, seat.player_id, "R1")
    socket = await sockets(table.code, token=seat.token, hello_extra={"last_seq": mark})
    assert socket.welcome["resumed"] is False
    assert socket.welcome["you"]["role"] == "R1"
    assert socket.welcome["view"]["viewer"] == {"kind": "player", "role": "R1"}
