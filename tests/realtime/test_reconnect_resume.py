"""Reconnection: a dropped socket comes back and receives exactly what it missed.

A team's socket is dropped mid-negotiation or mid-decision while the others (and the team's
own second player, over REST) act. It reconnects (a) with `hello` + `last_seq` (token auth)
or (b) with `?seq=N` on the URL (session auth). It must receive, in one `events` frame after
its `welcome`, exactly the events of the log after N that its view allows — nothing
invisible — and then live events with contiguous seqs. A client too far behind (more than
RESUME_MAX_EVENTS) or claiming a seq the game has not reached gets a snapshot instead.
"""

import pytest
from channels.db import database_sync_to_async
from socketplay import SocketTable, _visible, inline_scenario

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

KEYS = ("seq", "kind", "data", "audience", "round", "phase")


@pytest.fixture(autouse=True)
def no_timer_loop(settings):
    settings.GAME_TIMER_LOOP = False


async def advance_to(table: SocketTable, phase: str, *, bots: bool = True) -> None:
    """Advance (as the facilitator) to `phase` of the current round, the bots acting on
    the way, at most one round's worth of phases."""
    for _ in range(6):
        state = await table.state()
        if state["status"] == "lobby":
            await table.facilitator.command("start")
        elif state["phase"] == phase:
            return
        else:
            if bots and state["phase"] in ("disclosure", "negotiation"):
                await table.bots(passes=3)
            await table.facilitator.command("advance")
        await table.settle()
    raise AssertionError(f"never reached {phase}")


def second_player(game_id: int, role: str) -> str:
    """Seat a second player on `role` (it acts over REST while the socket is away)."""
    from game.models import Game
    from game.services import player_join

    _, token = player_join(game=Game.objects.get(pk=game_id), name=f"{role} second", role=role)
    return token


def rest_command(code: str, token: str, command: dict) -> dict:
    from django.test import Client

    reply = Client().post(
        f"/api/games/{code}/commands",
        command,
        content_type="application/json",
        HTTP_X_PLAYER_TOKEN=token,
    )
    assert reply.status_code == 200, reply.content
    return reply.json()


def visible_after(log: list[dict], role: str, seq: int) -> tuple[list[dict], list[dict]]:
    """The events after `seq` the role may see, and those it may not (by their audience)."""
    after = [e for e in log if e["seq"] > seq]
    seen = [{k: e[k] for k in KEYS} for e in after if _visible(e["audience"], role)]
    hidden = [e for e in after if not _visible(e["audience"], role)]
    return seen, hidden


def resumed_frames(sock, welcome_index: int):
    """The `welcome` and the `events` frame (a Frame) that follows it."""
    welcome = sock.frames[welcome_index].data
    missed = next(f for f in sock.frames[welcome_index + 1 :] if f.type == "events")
    return welcome, missed


async def others_act_in_negotiation(table: SocketTable, teammate: str) -> None:
    """While B is away: offers to and around B, chat in every kind of channel, a private
    inject each way, and B's own second player chatting to its team over REST."""
    a, c = table.team("A"), table.team("C")
    await a.command(
        "offer_propose",
        to=["B"],
        terms=[{"by": "A", "lever": "m_a", "op": ">=", "value": 50, "duration": "round"}],
        note="MARK-offer-to-B",
    )
    await c.command(
        "offer_propose",
        to=["D"],
        terms=[{"by": "C", "lever": "m_c", "op": ">=", "value": 50, "duration": "round"}],
        note="MARK-offer-C-D-hidden-from-B",
    )
    await c.command("chat", channel="team", text="MARK-C-team-hidden-from-B")
    await c.command("chat", channel=["C", "D"], text="MARK-C-D-hidden-from-B")
    await a.command("chat", channel=["A", "B"], text="MARK-A-B-bilateral")
    await table.team("D").command("chat", channel="all", text="MARK-all")
    await table.facilitator.command("inject", title="To B", body="MARK-inject-B", audience=["B"])
    await table.facilitator.command("inject", title="To C", body="MARK-inject-C", audience=["C"])
    await database_sync_to_async(rest_command)(
        table.code, teammate, {"type": "chat", "id": "r1", "channel": "team", "text": "MARK-B2"}
    )
    await table.settle()


async def assert_exact_resume(table: SocketTable, sock, welcome_index: int, last: int) -> dict:
    welcome, frame = resumed_frames(sock, welcome_index)
    missed = frame.data
    log = await table.log()
    seen, hidden = visible_after(log, "B", last)
    assert welcome["resumed"] is True and welcome["seq"] == last
    assert "view" not in welcome
    assert missed["seq_from"] == last + 1
    assert missed["seq"] == log[-1]["seq"]
    assert [{k: e[k] for k in KEYS} for e in missed["events"]] == seen
    assert hidden, "the test should have hidden events to leave out"
    for event in hidden:
        assert f'"seq":{event["seq"]},' not in frame.text
    return missed


async def test_reconnect_hello_last_seq_mid_negotiation_gets_exactly_the_visible_missed_events():
    table = await SocketTable.create(inline_scenario(), seed=5)
    try:
        await advance_to(table, "negotiation")
        teammate = await database_sync_to_async(second_player)(table.game_id, "B")
        await table.settle()
        old = table.team("B")
        last = old.cursor
        await old.disconnect()

        await others_act_in_negotiation(table, teammate)

        sock = await table.open_team("B", last_seq=last)  # hello {token, last_seq}
        missed = await assert_exact_resume(table, sock, 0, last)
        texts = "".join(e["data"].get("text", "") for e in missed["events"])
        assert "MARK-A-B-bilateral" in texts and "MARK-B2" in texts and "MARK-all" in texts
        frames = "".join(f.text for f in sock.frames)
        assert "hidden-from-B" not in frames and "MARK-inject-C" not in frames

        # Live events go on from there, contiguous.
        count = len(sock.frames)
        await table.team("A").command("chat", channel="all", text="after the return")
        await table.team("C").command("chat", channel="team", text="MARK-C-later")
        await table.team("A").command("chat", channel=["A", "B"], text="MARK-A-B-later")
        await table.settle()
        live = [f.data for f in sock.frames[count:] if f.type == "events"]
        assert live[0]["seq_from"] == missed["seq"] + 1
        assert [e["data"]["text"] for f in live for e in f["events"]] == [
            "after the return",
            "MARK-A-B-later",
        ]
        assert sock.problems == [] and old.problems == []
        assert (await table.knowledge()).scan_all(table.frames()) == []
    finally:
        await table.close()


async def test_reconnect_query_seq_with_session_mid_decision_gets_exactly_the_visible_missed():
    table = await SocketTable.create(inline_scenario(), seed=6, session_roles=("B",))
    try:
        await advance_to(table, "decision")
        teammate = await database_sync_to_async(second_player)(table.game_id, "B")
        await table.settle()
        old = table.team("B")
        last = old.cursor
        await old.disconnect()

        # While B is away: sealed drafts and locks of others, B's own draft by its second
        # player over REST, team chat, a facilitator chat to B.
        await table.team("A").command("decision_set", values={"m_a": 12.875})
        await table.team("A").command("decision_lock")
        await table.team("D").command("decision_set", values={"m_d": 71.125})
        await table.team("C").command("chat", channel="team", text="MARK-C-team")
        await database_sync_to_async(rest_command)(
            table.code,
            teammate,
            {"type": "decision_set", "id": "d1", "values": {"m_b": 23.625}},
        )
        await table.facilitator.command("chat", channel=["B"], text="MARK-fac-to-B")
        await table.settle()

        sock = await table.open_team("B", session=True, last_seq=last)  # ?seq=N, cookie
        assert sock.path.endswith(f"?seq={last}")
        missed = await assert_exact_resume(table, sock, 0, last)
        kinds = [e["kind"] for e in missed["events"]]
        assert kinds == ["decision_drafted", "chat_posted"]
        assert missed["events"][0]["data"]["values"]["m_b"] == 23.625
        frames = "".join(f.text for f in sock.frames)
        for secret in ("12.875", "71.125", "MARK-C-team"):
            assert secret not in frames

        # Live: the results arrive next, contiguous, with the published decisions.
        count = len(sock.frames)
        await table.facilitator.command("advance")
        await table.settle()
        live = [f.data for f in sock.frames[count:] if f.type == "events"]
        assert live[0]["seq_from"] == missed["seq"] + 1
        scored = next(e for f in live for e in f["events"] if e["kind"] == "round_scored")
        assert scored["data"]["decisions"]["A"]["m_a"] == 12.875  # locked: published now
        assert scored["data"]["decisions"]["D"]["m_d"] == 50  # never locked: not published
        assert sock.problems == []
        assert (await table.knowledge()).scan_all(table.frames()) == []
    finally:
        await table.close()


@pytest.mark.parametrize("how", ["hello", "query"])
async def test_reconnect_too_far_behind_gets_a_snapshot(how, monkeypatch):
    from game import selectors
    from game.realtime import protocol

    monkeypatch.setattr(protocol, "RESUME_MAX_EVENTS", 3)
    monkeypatch.setattr(selectors, "RESUME_MAX_EVENTS", 3)
    table = await SocketTable.create(inline_scenario(), seed=7, session_roles=("B",))
    try:
        await advance_to(table, "negotiation", bots=False)
        old = table.team("B")
        last = old.cursor
        await old.disconnect()
        for index in range(5):
            await table.team("C").command("chat", channel="team", text=f"MARK-C-{index}")
        await table.settle()

        sock = await table.open_team("B", session=how == "query", last_seq=last)
        welcome = sock.frames[0].data
        assert welcome["resumed"] is False
        assert welcome["seq"] == await table.last_seq()
        assert welcome["view"]["viewer"] == {"kind": "player", "role": "B"}
        assert not any(f.type == "events" for f in sock.frames)
        assert "MARK-C-" not in sock.frames[0].text

        # In session: `resume` within the limit replays; beyond it, a snapshot.
        seq = await table.last_seq()
        for index in range(2):
            await table.team("A").command("chat", channel="all", text=f"all {index}")
        await table.settle()
        count = len(sock.frames)
        await sock.send({"type": "resume", "seq": seq, "id": "r-near"})
        near = await sock.wait_for_type("events", after=count)
        assert near.data["seq_from"] == seq + 1
        assert [e["data"]["text"] for e in near.data["events"]] == ["all 0", "all 1"]
        count = len(sock.frames)
        await sock.send({"type": "resume", "seq": last, "id": "r-far"})
        far = await sock.wait_for_type("snapshot", after=count)
        assert far.data["seq"] == await table.last_seq()
        assert (await table.knowledge()).scan_all(table.frames()) == []
    finally:
        await table.close()


async def test_reconnect_with_a_seq_the_game_has_not_reached_gets_a_snapshot():
    table = await SocketTable.create(inline_scenario(), seed=8)
    try:
        await advance_to(table, "negotiation", bots=False)
        old = table.team("B")
        ahead = old.cursor + 50
        await old.disconnect()
        sock = await table.open_team("B", last_seq=ahead)
        welcome = sock.frames[0].data
        assert welcome["resumed"] is False and welcome["seq"] == await table.last_seq()
        # The client is told the true seq, and live events follow on from it.
        await table.team("A").command("chat", channel="all", text="still here")
        await table.settle()
        assert sock.frames[-1].data["seq_from"] == welcome["seq"] + 1
        assert sock.problems == []
    finally:
        await table.close()
