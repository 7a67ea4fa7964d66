"""Secrecy at the edges: seat changes whose broadcast is lost or overtaken, and offer ids
named to roles that are not party to the offer.
"""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from socketplay import SocketTable, inline_scenario
from test_reconnect_gaps import LossyLayer, channels_of, quiet
from test_reconnect_resume import advance_to, rest_command, second_player

from game.services import broadcast

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

AFTER = "MARK-B-team-after-the-seat-change"


@pytest.fixture(autouse=True)
def no_timer_loop(settings):
    settings.GAME_TIMER_LOOP = False


@pytest.fixture
def lossy(monkeypatch):
    layer = LossyLayer(get_channel_layer())
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: layer)
    return layer


def seat_change(game_id: int, player_id: int, role: str | None) -> None:
    """The facilitator moves the player to `role`, or removes it (None)."""
    from game.models import Game
    from game.services import Actor
    from game.services.seating import player_move, player_remove

    game = Game.objects.get(pk=game_id)
    actor = Actor(kind="facilitator", user_id=None, name="facilitator")
    if role is None:
        player_remove(game=game, player_id=player_id, actor=actor)
    else:
        player_move(game=game, player_id=player_id, role=role, actor=actor)


@pytest.mark.parametrize("change", ["moved", "removed"])
@pytest.mark.parametrize("delivery", ["lost", "overtaken", "sync"])
async def test_secrecy_seat_change_with_a_lost_or_late_broadcast_cuts_off_the_old_team(
    change, delivery, lossy
):
    table = await SocketTable.create(inline_scenario(), seed=31)
    try:
        await advance_to(table, "negotiation", bots=False)
        teammate = await database_sync_to_async(second_player)(table.game_id, "B")
        await table.settle()
        sock = table.team("B")
        start = len(sock.frames)
        player_id = table.seats["B"][0]
        new_role = "C" if change == "moved" else None

        if delivery == "lost":
            lossy.drop = 1
        elif delivery == "sync":  # both broadcasts lost; the client asks for a snapshot
            lossy.drop = 2
        else:
            lossy.hold = True
        await database_sync_to_async(seat_change)(table.game_id, player_id, new_role)
        await quiet(table)
        # B's other player posts to team B after the change.
        chat = {"type": "chat", "id": "t1", "channel": "team", "text": AFTER}
        await database_sync_to_async(rest_command)(table.code, teammate, chat)
        if delivery == "overtaken":
            lossy.hold = False
            move, post = lossy.held
            for channel in await database_sync_to_async(channels_of)(table.game_id):
                await lossy.real.send(channel, post)
                await lossy.real.send(channel, move)
        last = await table.last_seq()
        if delivery == "sync":
            count = len(sock.frames)
            await sock.send({"type": "sync"})
            await table.wait(
                lambda: not sock.open or any(f.type == "snapshot" for f in sock.frames[count:]),
                what="the answer to sync",
            )
        else:  # the consumer catches up with the gap (or lets the removed player go)
            await table.wait(
                lambda: not sock.open or (sock.cursor or 0) >= last, what="the catch-up"
            )
        await quiet(table)

        received = "".join(f.text for f in sock.frames[start:])
        assert AFTER not in received, "a player no longer on team B received B's team chat"
        if change == "moved" and delivery != "sync":
            snapshot = next(f for f in reversed(sock.frames) if f.type == "snapshot")
            assert snapshot.data["view"]["viewer"]["role"] == "C"
        elif change == "removed" and delivery != "sync":
            assert sock.closed is not None
    finally:
        await table.close()


async def test_secrecy_seat_change_delivered_in_order_cuts_off_the_old_team():
    """The ordinary path: the move's own broadcast switches the socket to its new team."""
    table = await SocketTable.create(inline_scenario(), seed=32)
    try:
        await advance_to(table, "negotiation", bots=False)
        teammate = await database_sync_to_async(second_player)(table.game_id, "B")
        await table.settle()
        sock = table.team("B")
        start = len(sock.frames)
        await database_sync_to_async(seat_change)(table.game_id, table.seats["B"][0], "C")
        await table.settle()
        chat = {"type": "chat", "id": "t1", "channel": "team", "text": AFTER}
        await database_sync_to_async(rest_command)(table.code, teammate, chat)
        await table.settle()
        assert AFTER not in "".join(f.text for f in sock.frames[start:])
        snapshot = next(f for f in reversed(sock.frames) if f.type == "snapshot")
        assert snapshot.data["view"]["viewer"]["role"] == "C"
        assert sock.problems == []
    finally:
        await table.close()


async def test_secrecy_counter_offer_id_stays_with_the_counter_parties():
    table = await SocketTable.create(inline_scenario(), seed=33)
    try:
        await advance_to(table, "negotiation", bots=False)
        term = {"by": "A", "lever": "m_a", "op": ">=", "value": 50, "duration": "round"}
        await table.team("A").command(
            "offer_propose", to=["B", "C"], terms=[term], note="A to B and C"
        )
        await table.settle()
        # C counters with an offer to B alone: A is not a party to the counter.
        counter_term = {"by": "C", "lever": "m_c", "op": ">=", "value": 50, "duration": "round"}
        await table.team("C").command(
            "offer_counter", offer="o1", to=["B"], terms=[counter_term], note="MARK-C-to-B-only"
        )
        await table.settle()
        await table.team("A").sync()
        knowledge = await table.knowledge()
        assert knowledge.offers["o2"]["parties"] == ["C", "B"]
        problems = [p for p in knowledge.scan_all(table.team("A").frames) if "o2" in p]
        assert problems == []
    finally:
        await table.close()
