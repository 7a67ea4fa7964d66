"""GameConsumer commands: `events` frames (continuity, per-viewer filtering), facilitator
commands over the socket, and every engine refusal as an `error` frame that changes nothing.

The game is the inline scenario (roles R1, R2, R3; levers sanctions, energy (R2, R3),
aid_R1..aid_R3; red lines R1-sanctions, R2-energy, R3-energy).
"""

import itertools

import pytest
from channels.db import database_sync_to_async

from game.engine.testing import term

pytestmark = pytest.mark.django_db(transaction=True)


# -- events frames ----------------------------------------------------------------------------


async def test_events_frames_are_contiguous_from_the_welcome_seq(table, sockets, staff_cookie):
    """Each `events` frame starts right after the previous one (seq_from = last seq + 1)
    and the last one ends at the seq of the command's ack."""
    player = await sockets(table.code, token=table.seat("R3").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)
    acks = [await facilitator.ok(kind) for kind in ("start", "advance", "advance", "pause")]
    frames = await player.events_until(acks[-1]["seq"])
    assert frames[0]["seq_from"] == player.welcome["seq"] + 1
    for before, after in itertools.pairwise(frames):
        assert after["seq_from"] == before["seq"] + 1
    assert frames[-1]["seq"] == acks[-1]["seq"] == await table.seq()
    seqs = [event["seq"] for frame in frames for event in frame["events"]]
    assert seqs == list(range(player.welcome["seq"] + 1, acks[-1]["seq"] + 1))
    kinds = [event["kind"] for frame in frames for event in frame["events"]]
    assert kinds[:2] == ["game_started", "round_started"]
    assert kinds[-1] == "game_paused"


async def test_a_team_only_draft_reaches_that_team_and_the_facilitator_only(
    table, sockets, staff_cookie
):
    await database_sync_to_async(table.advance_to)(1, "decision")
    second_r1 = await database_sync_to_async(table.join)("R1", "Second R1")
    r1 = await sockets(table.code, token=table.seat("R1").token)
    r1_teammate = await sockets(table.code, token=second_r1.token)
    r2 = await sockets(table.code, token=table.seat("R2").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)

    ack = await r1.ok("decision_set", values={"sanctions": 40})
    for socket in (r1, r1_teammate, facilitator):
        frame = await socket.next("events")
        assert (frame["seq_from"], frame["seq"]) == (ack["seq"], ack["seq"])
        [event] = frame["events"]
        assert event["kind"] == "decision_drafted"
        assert event["data"] == {"role": "R1", "values": {"sanctions": 40, "aid_R1": 0}}
    # The other team learns only that the game moved on (the seq), not what happened.
    other = await r2.next("events")
    assert other == {"type": "events", "seq_from": ack["seq"], "seq": ack["seq"], "events": []}


async def test_chat_channels_reach_their_audience_only(table, sockets, staff_cookie):
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    sock = {role: await sockets(table.code, token=table.seat(role).token) for role in table.roles}
    facilitator = await sockets(table.code, cookie=staff_cookie)
    sent = [
        ("R1", "all", "to everyone"),
        ("R1", "team", "R1 team only"),
        ("R2", ["R2", "R3"], "R2 and R3"),
    ]
    for role, channel, text in sent:
        await sock[role].ok("chat", channel=channel, text=text)
    last = await table.seq()

    async def texts(socket):
        frames = await socket.events_until(last)
        return [e["data"]["text"] for f in frames for e in f["events"]]

    assert await texts(sock["R1"]) == ["to everyone", "R1 team only"]
    assert await texts(sock["R2"]) == ["to everyone", "R2 and R3"]
    assert await texts(sock["R3"]) == ["to everyone", "R2 and R3"]
    assert await texts(facilitator) == ["to everyone", "R1 team only", "R2 and R3"]


async def test_offers_reach_their_parties_and_the_facilitator_only(table, sockets, staff_cookie):
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    sock = {role: await sockets(table.code, token=table.seat(role).token) for role in table.roles}
    facilitator = await sockets(table.code, cookie=staff_cookie)
    proposed = await sock["R1"].ok(
        "offer_propose",
        to=["R2"],
        terms=[term("R1", "aid_R1", ">=", 10), term("R2", "energy", "<=", 4)],
        note="LNG for aid",
    )
    accepted = await sock["R2"].ok("offer_accept", offer="o1")
    assert accepted["seq"] > proposed["seq"]
    for socket in (sock["R1"], sock["R2"], facilitator):
        frames = await socket.events_until(accepted["seq"])
        kinds = [e["kind"] for f in frames for e in f["events"]]
        assert kinds == ["offer_proposed", "offer_accepted_by", "offer_accepted"]
    outsider = await sock["R3"].events_until(accepted["seq"])
    assert [e for f in outsider for e in f["events"]] == []


async def test_an_inject_to_one_team_reaches_that_team_and_the_facilitator(
    table, sockets, staff_cookie
):
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    r1 = await sockets(table.code, token=table.seat("R1").token)
    r2 = await sockets(table.code, token=table.seat("R2").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)
    ack = await facilitator.ok("inject", title="Leak", body="SECRET news for R2", audience=["R2"])
    assert [e["kind"] for e in (await r2.next("events"))["events"]] == ["inject_published"]
    assert [e["kind"] for e in (await facilitator.next("events"))["events"]] == ["inject_published"]
    assert (await r1.next("events"))["events"] == []
    assert [f for f in await r1.drain() if f["type"] == "events"] == []
    assert ack["seq"] == await table.seq()


# -- facilitator commands ---------------------------------------------------------------------


async def test_facilitator_runs_a_game_over_the_socket(table, sockets, staff_cookie):
    """start, advance, pause/resume, extend, inject, note, adjust_score and end, each acked
    with its seq and seen as the right events by the facilitator; players do not see the
    facilitator's notes."""
    facilitator = await sockets(table.code, cookie=staff_cookie)
    player = await sockets(table.code, token=table.seat("R1").token)

    async def run(kind, **payload) -> list[dict]:
        ack = await facilitator.ok(kind, **payload)
        frames = await facilitator.events_until(ack["seq"])
        assert frames[-1]["seq"] == ack["seq"]
        return [e for f in frames for e in f["events"]]

    def kinds(events):
        return [e["kind"] for e in events]

    started = await run("start")
    assert kinds(started)[0] == "game_started"
    assert started[-1]["data"]["phase"] == "briefing"
    assert (await run("advance"))[-1]["data"]["phase"] == "disclosure"
    paused = await run("pause")
    assert kinds(paused) == ["game_paused"]
    assert paused[0]["data"]["remaining"] > 0
    extended = await run("extend", seconds=30)
    assert kinds(extended) == ["timer_extended"]
    resumed = await run("resume")
    assert kinds(resumed) == ["game_resumed"]
    inject = await run("inject", title="Breaking", body="A tanker is stuck.", audience="all")
    assert inject[0]["data"]["adhoc"] is True
    note = await run("note", text="R2 seems hesitant.")
    assert kinds(note) == ["note_added"]
    while (await table.state())["phase"] != "results":
        await run("advance")
    adjusted = await run("adjust_score", role="R2", round=1, delta=-5, reason="Late lock-in")
    assert kinds(adjusted) == ["score_adjusted"]
    ended = await run("end")
    assert kinds(ended) == ["game_ended"]
    assert ended[0]["data"]["reason"] == "facilitator"

    frames = await player.events_until(await table.seq())
    seen = [e["kind"] for f in frames for e in f["events"]]
    assert "note_added" not in seen
    assert {"game_paused", "timer_extended", "inject_published", "score_adjusted"} <= set(seen)
    assert seen[-1] == "game_ended"
    state = await table.state()
    assert state["status"] == "ended"


async def test_a_note_after_the_end_is_still_accepted(table, sockets, staff_cookie):
    await table.arun("end")
    facilitator = await sockets(table.code, cookie=staff_cookie)
    assert (await facilitator.command("note", text="Debrief went well."))["type"] == "ack"


# -- refusals ---------------------------------------------------------------------------------


def at(round_no, phase, *steps):
    """Setup: advance to (round_no, phase), then run `steps` of (type, by, payload)."""

    def setup(table):
        table.advance_to(round_no, phase)
        for kind, by, payload in steps:
            table.run(kind, by, **payload)

    return setup


def lobby(table):
    pass


R1_OFFERS_R2 = ("offer_propose", "R1", {"to": ["R2"], "terms": [term("R1", "aid_R1", ">=", 10)]})
R1_OFFERS_R2_AND_R3 = (
    "offer_propose",
    "R1",
    {"to": ["R2", "R3"], "terms": [term("R1", "aid_R1", ">=", 10)]},
)
R2_SHOWS_ITS_RED_LINE = ("reveal", "R2", {"red_line": "R2-energy", "to": "all", "level": "full"})

REFUSALS = [
    # (setup, sender, command type, payload, error code)
    pytest.param(
        at(1, "briefing"), "R1", *R1_OFFERS_R2[::2], "wrong_phase", id="offer-in-briefing"
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "decision_set",
        {"values": {"sanctions": 50}},
        "wrong_phase",
        id="decision-in-negotiation",
    ),
    pytest.param(
        at(1, "decision"),
        "R1",
        "decision_set",
        {"values": {"energy": 5}},
        "not_your_lever",
        id="not-your-lever",
    ),
    pytest.param(
        at(1, "decision"),
        "R1",
        "decision_set",
        {"values": {"sanctions": 105}},
        "out_of_range",
        id="out-of-range",
    ),
    pytest.param(
        at(1, "decision"),
        "R1",
        "decision_set",
        {"values": {"sanctions": 7}},
        "off_step",
        id="off-step",
    ),
    pytest.param(
        at(1, "decision"),
        "R1",
        "decision_set",
        {"values": {"uranium": 1}},
        "unknown_lever",
        id="unknown-lever",
    ),
    pytest.param(
        at(1, "decision"),
        "R1",
        "decision_set",
        {"values": [50]},
        "invalid",
        id="values-not-an-object",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "reveal",
        {"red_line": "no-such-line", "to": "all", "level": "full"},
        "unknown_red_line",
        id="unknown-red-line",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "reveal",
        {"red_line": "R2-energy", "to": "all", "level": "full"},
        "unknown_red_line",
        id="unseen-red-line-of-another-team",
    ),
    pytest.param(
        at(1, "negotiation", R2_SHOWS_ITS_RED_LINE),
        "R1",
        "reveal",
        {"red_line": "R2-energy", "to": ["R3"], "level": "full"},
        "not_your_red_line",
        id="not-your-red-line",
    ),
    pytest.param(
        at(1, "negotiation", R2_SHOWS_ITS_RED_LINE),
        "R2",
        "reveal",
        {"red_line": "R2-energy", "to": "all", "level": "existence"},
        "already_revealed",
        id="already-revealed",
    ),
    pytest.param(
        at(1, "disclosure"),
        "R1",
        "disclosure_set",
        {"choices": [{"red_line": "R1-sanctions", "to": "all", "level": "secret"}]},
        "invalid",
        id="disclosure-bad-level",
    ),
    pytest.param(
        lobby, "R1", "chat", {"channel": "all", "text": "hi"}, "game_not_running", id="lobby-chat"
    ),
    pytest.param(lobby, "facilitator", "advance", {}, "game_not_running", id="lobby-advance"),
    pytest.param(at(1, "negotiation"), "R1", "advance", {}, "not_facilitator", id="player-advance"),
    pytest.param(
        at(1, "negotiation"),
        "R2",
        "inject",
        {"title": "Fake", "body": "Fake news", "audience": "all"},
        "not_facilitator",
        id="player-inject",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "player_remove",
        {"player_id": 1},
        "not_facilitator",
        id="player-removes-a-player",
    ),
    pytest.param(
        at(1, "decision"),
        "facilitator",
        "decision_set",
        {"values": {"sanctions": 50}},
        "not_player",
        id="facilitator-decides",
    ),
    pytest.param(
        at(1, "negotiation", ("end", "facilitator", {})),
        "R1",
        "chat",
        {"channel": "all", "text": "hello?"},
        "game_ended",
        id="after-the-end",
    ),
    pytest.param(at(1, "briefing"), "facilitator", "start", {}, "already_started", id="start-2x"),
    pytest.param(
        at(1, "negotiation", ("pause", "facilitator", {})),
        "R1",
        *R1_OFFERS_R2[::2],
        "paused",
        id="paused",
    ),
    pytest.param(
        at(1, "negotiation", ("pause", "facilitator", {})),
        "facilitator",
        "pause",
        {},
        "already_paused",
        id="already-paused",
    ),
    pytest.param(at(1, "negotiation"), "facilitator", "resume", {}, "not_paused", id="not-paused"),
    pytest.param(
        at(1, "results"), "facilitator", "extend", {"seconds": 30}, "untimed", id="untimed"
    ),
    pytest.param(
        at(1, "negotiation"),
        "facilitator",
        "extend",
        {"seconds": 0},
        "out_of_range",
        id="extend-0-seconds",
    ),
    pytest.param(
        at(1, "negotiation"),
        "facilitator",
        "extend",
        {"seconds": "30"},
        "invalid",
        id="extend-seconds-a-string",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "chat",
        {"channel": "all", "text": "   "},
        "invalid",
        id="chat-empty",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "chat",
        {"channel": "all", "text": "x" * 2001},
        "invalid",
        id="chat-too-long",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "chat",
        {"channel": "all"},
        "invalid",
        id="chat-without-text",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "chat",
        {"channel": ["R1", "ZZ"], "text": "hi"},
        "unknown_role",
        id="chat-unknown-role",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "chat",
        {"channel": ["R2", "R3"], "text": "hi"},
        "not_party",
        id="chat-not-party",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R2",
        "offer_accept",
        {"offer": "o99"},
        "unknown_offer",
        id="unknown-offer",
    ),
    pytest.param(
        at(1, "negotiation", R1_OFFERS_R2),
        "R3",
        "offer_accept",
        {"offer": "o1"},
        "unknown_offer",
        id="offer-of-others",
    ),
    pytest.param(
        at(1, "negotiation", R1_OFFERS_R2),
        "R1",
        "offer_accept",
        {"offer": "o1"},
        "not_addressee",
        id="not-addressee",
    ),
    pytest.param(
        at(1, "negotiation", R1_OFFERS_R2),
        "R2",
        "offer_withdraw",
        {"offer": "o1"},
        "not_proposer",
        id="not-proposer",
    ),
    pytest.param(
        at(1, "negotiation", R1_OFFERS_R2, ("offer_withdraw", "R1", {"offer": "o1"})),
        "R2",
        "offer_accept",
        {"offer": "o1"},
        "offer_not_open",
        id="offer-not-open",
    ),
    pytest.param(
        at(1, "negotiation", R1_OFFERS_R2_AND_R3, ("offer_accept", "R2", {"offer": "o1"})),
        "R2",
        "offer_accept",
        {"offer": "o1"},
        "already_responded",
        id="already-responded",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "offer_propose",
        {"to": ["R2"], "terms": [term("R3", "aid_R3", ">=", 4)]},
        "term_party",
        id="term-party",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "offer_propose",
        {"to": ["R2"], "terms": [term("R1", "energy", ">=", 4)]},
        "not_your_lever",
        id="term-not-your-lever",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "offer_propose",
        {"to": ["R2"], "terms": [term("R1", "aid_R1", ">=", 3)]},
        "off_step",
        id="term-off-step",
    ),
    pytest.param(
        at(1, "negotiation"),
        "R1",
        "offer_propose",
        {"to": ["R2"], "terms": []},
        "invalid",
        id="offer-without-terms",
    ),
    pytest.param(
        at(1, "decision", ("decision_lock", "R1", {})),
        "R1",
        "decision_set",
        {"values": {"sanctions": 50}},
        "locked",
        id="locked",
    ),
    pytest.param(
        at(1, "decision", ("decision_lock", "R1", {})),
        "R1",
        "decision_lock",
        {},
        "already_locked",
        id="already-locked",
    ),
    pytest.param(at(1, "decision"), "R1", "decision_unlock", {}, "not_locked", id="not-locked"),
    pytest.param(
        at(1, "negotiation"),
        "facilitator",
        "adjust_score",
        {"role": "R1", "round": 1, "delta": 5, "reason": "Good work"},
        "not_scored",
        id="not-scored",
    ),
    pytest.param(
        at(1, "results"),
        "facilitator",
        "adjust_score",
        {"role": "R1", "round": 1, "delta": 5000, "reason": "Too generous"},
        "out_of_range",
        id="adjust-out-of-range",
    ),
    pytest.param(
        at(1, "results"),
        "facilitator",
        "adjust_score",
        {"role": "XX", "round": 1, "delta": 5, "reason": "Nobody"},
        "unknown_role",
        id="adjust-unknown-role",
    ),
    pytest.param(
        at(1, "negotiation"),
        "facilitator",
        "player_remove",
        {"player_id": 999999},
        "unknown_player",
        id="remove-unknown-player",
    ),
    pytest.param(
        at(1, "negotiation"),
        "facilitator",
        "player_move",
        {"player_id": "one", "role": "R2"},
        "invalid",
        id="move-player-id-a-string",
    ),
    pytest.param(
        at(1, "negotiation"),
        "facilitator",
        "note",
        {"text": ""},
        "invalid",
        id="note-empty",
    ),
]


@pytest.mark.parametrize(("setup", "sender", "kind", "payload", "code"), REFUSALS)
async def test_an_engine_refusal_is_an_error_frame_that_changes_nothing(
    table, sockets, staff_cookie, setup, sender, kind, payload, code
):
    await database_sync_to_async(setup)(table)
    if sender == "facilitator":
        socket = await sockets(table.code, cookie=staff_cookie)
    else:
        socket = await sockets(table.code, token=table.seat(sender).token)
    before = await table.seq()
    state_before = await table.state()
    reply = await socket.command(kind, id=f"{kind}-1", **payload)
    assert reply["type"] == "error", reply
    assert reply["code"] == code, reply
    assert reply["id"] == f"{kind}-1"
    assert len(reply["message"]) > 10
    assert (await socket.ping())["type"] == "pong"
    assert await table.seq() == before
    assert await table.state() == state_before


# -- seats over the socket --------------------------------------------------------------------


async def test_facilitator_moves_a_player_over_the_socket(table, sockets, staff_cookie):
    """player_move over the socket changes the player's seat for real: its socket gets a
    snapshot as the new team and its token now authenticates it on that team."""
    await database_sync_to_async(table.advance_to)(1, "negotiation")
    seat = table.seat("R1")
    player = await sockets(table.code, token=seat.token)
    facilitator = await sockets(table.code, cookie=staff_cookie)
    ack = await facilitator.ok("player_move", player_id=seat.player_id, role="R2")
    moved = await player.next("events")
    assert moved["seq"] == ack["seq"]
    assert moved["events"][0]["kind"] == "player_moved"
    snapshot = await player.next("snapshot")
    assert snapshot["you"]["role"] == "R2"
    assert snapshot["view"]["role"]["code"] == "R2"

    again = await sockets(table.code, token=seat.token)
    assert again.welcome["you"]["role"] == "R2"


async def test_facilitator_removes_a_player_over_the_socket(table, sockets, staff_cookie):
    seat = table.seat("R3")
    player = await sockets(table.code, token=seat.token)
    facilitator = await sockets(table.code, cookie=staff_cookie)
    await facilitator.ok("player_remove", player_id=seat.player_id)
    assert (await player.next("error"))["code"] == "removed"
    await player.expect_close(4403)
    again = await sockets(table.code, token=seat.token, welcome=False)
    assert (await again.next("error"))["code"] == "unauthenticated"
