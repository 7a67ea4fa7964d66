"""GameConsumer session frames: malformed input, limits, ping, sync, resume, ack and ids.

Every bad frame gets an `error` frame (code, human message, the frame's id when it can be
read), changes nothing (the game's last_seq stays put) and leaves the socket open (a ping
still gets its pong).
"""

import asyncio
import json

import pytest

from game.realtime import protocol

pytestmark = pytest.mark.django_db(transaction=True)

BIG_TEXT = "x" * protocol.MAX_FRAME_BYTES

BAD_FRAMES = [
    # (frame sent, error code, id in the reply)
    pytest.param("{not json", "invalid_json", None, id="not-json"),
    pytest.param("", "invalid_json", None, id="empty-text"),
    pytest.param(
        '{"type": "chat", "id": "n1", "channel": "all", "text": NaN}',
        "invalid_json",
        "n1",  # not JSON, but its id can be read plainly: echoed
        id="nan",
    ),
    pytest.param('{"type": "extend", "seconds": Infinity}', "invalid_json", None, id="infinity"),
    pytest.param("[" * 8000 + "]" * 8000, "invalid_frame", None, id="deeply-nested-array"),
    pytest.param(
        '{"type": "chat", "id": "deep", "channel": "all", "text": '
        + '{"a": ' * 2000
        + "1"
        + "}" * 2000
        + "}",
        "invalid",
        "deep",
        id="deeply-nested-payload",
    ),
    pytest.param("[1, 2]", "invalid_frame", None, id="array"),
    pytest.param('"ping"', "invalid_frame", None, id="string"),
    pytest.param("null", "invalid_frame", None, id="null"),
    pytest.param("42", "invalid_frame", None, id="number"),
    pytest.param({}, "invalid_field", None, id="no-type"),
    pytest.param({"type": 5, "id": "t5"}, "invalid_field", "t5", id="type-not-a-string"),
    pytest.param({"type": "", "id": "t0"}, "invalid_field", "t0", id="type-empty"),
    pytest.param({"type": None}, "invalid_field", None, id="type-null"),
    pytest.param({"type": "ping", "id": 5}, "invalid_field", None, id="id-not-a-string"),
    pytest.param({"type": "ping", "id": ""}, "invalid_field", None, id="id-empty"),
    pytest.param({"type": "ping", "id": "x" * 65}, "invalid_field", None, id="id-too-long"),
    pytest.param({"type": "ping", "id": ["a"]}, "invalid_field", None, id="id-a-list"),
    pytest.param({"type": "dance", "id": "d1"}, "unknown_type", "d1", id="unknown-type"),
    pytest.param({"type": "PING", "id": "d2"}, "unknown_type", "d2", id="types-are-lowercase"),
    pytest.param({"type": "welcome", "id": "d3"}, "unknown_type", "d3", id="server-type"),
    pytest.param(
        {"type": "chat", "channel": "all", "text": "hello"}, "invalid_field", None, id="no-id"
    ),
    pytest.param(
        {"type": "tick", "id": "k1", "expected": {"round": 1, "phase": "negotiation"}},
        "forbidden",
        "k1",
        id="tick",
    ),
    pytest.param(
        {"type": "player_join", "id": "j1", "player_id": 99, "name": "Mallory", "role": "R2"},
        "forbidden",
        "j1",
        id="player_join",
    ),
    pytest.param({"type": "resume", "id": "r1"}, "invalid_field", "r1", id="resume-no-seq"),
    pytest.param({"type": "resume", "id": "r2", "seq": -1}, "invalid_field", "r2", id="seq<0"),
    pytest.param({"type": "resume", "id": "r3", "seq": "4"}, "invalid_field", "r3", id="seq-str"),
    pytest.param({"type": "resume", "id": "r4", "seq": True}, "invalid_field", "r4", id="seq-bool"),
    pytest.param({"type": "resume", "id": "r5", "seq": 2.5}, "invalid_field", "r5", id="seq-2.5"),
    pytest.param(
        {"type": "chat", "id": "big", "channel": "all", "text": BIG_TEXT},
        "too_large",
        "big",  # the id is echoed: it can be read from the frame's first bytes
        id="too-large",
    ),
    pytest.param(b"\x00\x01binary", "invalid_frame", None, id="binary"),
    pytest.param(b'{"type": "ping"}', "invalid_frame", None, id="json-in-a-binary-frame"),
]


@pytest.fixture
def negotiating(table):
    """The inline game in round 1's negotiation phase: commands would change it."""
    table.advance_to(1, "negotiation")
    return table


@pytest.mark.parametrize(("frame", "code", "client_id"), BAD_FRAMES)
async def test_a_bad_frame_gets_an_error_changes_nothing_and_keeps_the_socket(
    negotiating, sockets, frame, code, client_id
):
    table = negotiating
    socket = await sockets(table.code, token=table.seat("R1").token)
    before = await table.seq()
    if frame == "":
        # An empty text frame cannot be sent through WebsocketCommunicator.send_to.
        await socket.communicator.send_input({"type": "websocket.receive", "text": ""})
    else:
        await socket.send(frame)
    error = await socket.next("error")
    assert error["code"] == code
    assert error["id"] == client_id
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    assert set(error) == {"type", "id", "code", "message"}
    assert (await socket.ping())["seq"] == before
    assert await table.seq() == before
    assert [f for f in await socket.drain() if f["type"] not in {"presence"}] == []


async def test_the_too_large_error_states_the_limit(table, sockets):
    socket = await sockets(table.code, token=table.seat("R1").token)
    await socket.send({"type": "note", "id": "n", "text": BIG_TEXT})
    error = await socket.next("error")
    assert error["code"] == "too_large"
    assert f"{protocol.MAX_FRAME_BYTES} bytes" in error["message"]
    assert protocol.MAX_FRAME_BYTES == 16384


async def test_a_frame_of_exactly_the_limit_is_read(table, sockets):
    """The limit counts UTF-8 bytes; a frame of exactly MAX_FRAME_BYTES is accepted."""
    socket = await sockets(table.code, token=table.seat("R1").token)
    frame = {"type": "ping", "id": "edge", "pad": ""}
    padding = protocol.MAX_FRAME_BYTES - len(json.dumps(frame).encode())
    frame["pad"] = "é" * (padding // 2) + "x" * (padding % 2)
    assert len(json.dumps(frame, ensure_ascii=False).encode()) == protocol.MAX_FRAME_BYTES
    await socket.send(json.dumps(frame, ensure_ascii=False))
    assert (await socket.next(lambda f: f.get("id") == "edge"))["type"] == "pong"
    frame["pad"] += "x"
    await socket.send(json.dumps(frame, ensure_ascii=False))
    assert (await socket.next("error"))["code"] == "too_large"


async def test_an_engine_refusal_carries_the_engines_code_and_the_id(negotiating, sockets):
    table = negotiating
    socket = await sockets(table.code, token=table.seat("R1").token)
    before = await table.seq()
    reply = await socket.command("decision_set", id="early", values={"sanctions": 50})
    assert reply == {
        "type": "error",
        "id": "early",
        "code": "wrong_phase",
        "message": reply["message"],
    }
    assert "decision" in reply["message"]
    assert await table.seq() == before


async def test_flooding_is_rate_limited_with_the_limit_stated(table, sockets, monkeypatch):
    """Beyond the burst, frames are dropped with `rate_limited` (the frame's id echoed); the
    socket stays open and works again once the bucket refills."""
    monkeypatch.setattr(protocol, "RATE_BURST", 6)
    monkeypatch.setattr(protocol, "RATE_PER_SECOND", 2)
    socket = await sockets(table.code, token=table.seat("R1").token)  # hello takes one
    for number in range(8):
        await socket.send({"type": "history", "id": f"f{number}", "limit": 1})
    replies = [await socket.next(lambda f: f["type"] in {"history", "error"}) for _ in range(8)]
    assert [r["type"] for r in replies[:5]] == ["history"] * 5
    limited = [r for r in replies if r["type"] == "error"]
    assert len(limited) >= 2
    for error in limited:
        assert error["code"] == "rate_limited"
        assert error["id"].startswith("f")
        assert "at most 2 a second" in error["message"]
        assert "bursts of 6" in error["message"]
    await asyncio.sleep(0.6)
    await socket.send({"type": "history", "id": "again", "limit": 1})
    assert (await socket.next(lambda f: f.get("id") == "again"))["type"] == "history"


async def test_keeping_in_step_is_never_rate_limited(table, sockets, monkeypatch):
    """ping, sync and catch_up do not count against the command rate: a client that keeps
    itself in step under load is never refused for it, and its commands still get through."""
    monkeypatch.setattr(protocol, "RATE_BURST", 3)
    monkeypatch.setattr(protocol, "RATE_PER_SECOND", 0.5)
    socket = await sockets(table.code, token=table.seat("R1").token)
    for number in range(10):
        await socket.send({"type": "ping", "id": f"p{number}"})
        await socket.send({"type": "catch_up", "id": f"c{number}", "seq": 0})
    replies = [await socket.next(lambda f: f.get("id") is not None) for _ in range(20)]
    assert {r["type"] for r in replies} <= {"pong", "events", "snapshot"}
    await socket.send({"type": "sync", "id": "s"})
    assert (await socket.next(lambda f: f.get("id") == "s"))["type"] == "snapshot"
    refused = await socket.command("chat", channel="all", text="still allowed")
    assert refused["type"] == "error" and refused["code"] == "game_not_running"


async def test_rate_limited_commands_are_not_applied(negotiating, sockets, monkeypatch):
    monkeypatch.setattr(protocol, "RATE_BURST", 4)
    monkeypatch.setattr(protocol, "RATE_PER_SECOND", 0.5)
    table = negotiating
    socket = await sockets(table.code, token=table.seat("R1").token)  # hello takes one
    before = await table.seq()
    for number in range(6):
        await socket.send({"type": "chat", "id": f"m{number}", "channel": "all", "text": "spam"})
    replies = [await socket.next(lambda f: f["type"] in {"ack", "error"}) for _ in range(6)]
    acks = [r for r in replies if r["type"] == "ack"]
    assert len(acks) == 3
    assert {r["code"] for r in replies if r["type"] == "error"} == {"rate_limited"}
    assert await table.seq() == before + 3


def test_the_default_limits():
    """What docs/protocol.md states."""
    assert (protocol.RATE_PER_SECOND, protocol.RATE_BURST) == (10, 30)
    assert protocol.MAX_FRAME_BYTES == 16 * 1024
    assert protocol.CLIENT_ID_MAX_LENGTH == 64
    assert protocol.AUTH_TIMEOUT_SECONDS == 10
    assert protocol.RESUME_MAX_EVENTS == 500


async def test_ping_gets_pong_with_the_id_and_the_sockets_seq(table, sockets):
    socket = await sockets(table.code, token=table.seat("R1").token)
    await socket.send({"type": "ping", "id": "p-1"})
    assert await socket.next("pong") == {"type": "pong", "id": "p-1", "seq": socket.welcome["seq"]}
    await socket.send({"type": "ping"})
    assert await socket.next("pong") == {"type": "pong", "id": None, "seq": socket.welcome["seq"]}


async def test_sync_sends_a_fresh_snapshot(table, sockets, staff_cookie):
    socket = await sockets(table.code, token=table.seat("R2").token)
    facilitator = await sockets(table.code, cookie=staff_cookie)
    ack = await facilitator.ok("start")
    await socket.send({"type": "sync", "id": "s1"})
    snapshot = await socket.next("snapshot")
    assert snapshot["id"] == "s1"
    assert snapshot["seq"] == ack["seq"]
    assert snapshot["you"]["role"] == "R2"
    assert snapshot["view"]["status"] == "running"
    assert snapshot["view"]["viewer"] == {"kind": "player", "role": "R2"}
    assert set(snapshot) == {"type", "id", "seq", "you", "view"}


async def test_ack_carries_the_resulting_seq(negotiating, sockets):
    table = negotiating
    socket = await sockets(table.code, token=table.seat("R1").token)
    before = await table.seq()
    ack = await socket.command("chat", id="hello-all", channel="all", text="Good morning")
    assert ack == {"type": "ack", "id": "hello-all", "seq": before + 1}
    events = await socket.next("events")
    assert (events["seq_from"], events["seq"]) == (before + 1, before + 1)


async def test_a_repeated_id_is_acknowledged_as_duplicate_and_not_applied_twice(
    negotiating, sockets
):
    table = negotiating
    r1 = await sockets(table.code, token=table.seat("R1").token)
    r2 = await sockets(table.code, token=table.seat("R2").token)
    first = await r1.command("chat", id="same", channel="all", text="once")
    await r2.next("events")
    again = await r1.command("chat", id="same", channel="all", text="once")
    assert again == {"type": "ack", "id": "same", "seq": first["seq"], "duplicate": True}
    assert "duplicate" not in first
    assert await table.seq() == first["seq"]
    # Nobody gets a second events frame.
    assert [f for f in await r2.drain() if f["type"] == "events"] == []
    state = await table.state()
    assert [m["text"] for m in state["chat"]] == ["once"]


async def test_ids_are_per_sender_and_a_refused_id_may_be_reused(negotiating, sockets):
    table = negotiating
    r1 = await sockets(table.code, token=table.seat("R1").token)
    r2 = await sockets(table.code, token=table.seat("R2").token)
    assert (await r1.command("chat", id="x", channel="all", text="from R1"))["type"] == "ack"
    reply = await r2.command("chat", id="x", channel="all", text="from R2")
    assert reply["type"] == "ack" and "duplicate" not in reply
    refused = await r1.command("chat", id="y", channel="all", text="   ")
    assert refused["code"] == "invalid"
    retried = await r1.command("chat", id="y", channel="all", text="now with text")
    assert retried["type"] == "ack" and "duplicate" not in retried


async def test_actor_and_now_in_a_frame_are_ignored(negotiating, sockets):
    """A player cannot act as the facilitator or set the clock by adding fields."""
    table = negotiating
    socket = await sockets(table.code, token=table.seat("R1").token)
    reply = await socket.command("advance", actor={"kind": "facilitator", "role": None}, now=10**12)
    assert reply["code"] == "not_facilitator"
    chat = await socket.command(
        "chat", channel="all", text="hi", actor={"kind": "player", "role": "R2"}, now=0
    )
    assert chat["type"] == "ack"
    events = await socket.events_until(chat["seq"])
    assert events[-1]["events"][-1]["data"]["from"] == "R1"


# -- resume ---------------------------------------------------------------------------------


async def test_resume_sends_only_the_missed_events_the_viewer_may_see(
    negotiating, sockets, staff_cookie
):
    table = negotiating
    r1 = await sockets(table.code, token=table.seat("R1").token)
    mark = r1.welcome["seq"]
    facilitator = await sockets(table.code, cookie=staff_cookie)
    await facilitator.ok("chat", channel="all", text="for everyone")
    await facilitator.ok("note", text="facilitator only")
    r2 = await sockets(table.code, token=table.seat("R2").token)
    await r2.ok("chat", channel="team", text="R2 only")
    last = await r2.ok("chat", channel=["R1", "R2"], text="R1 and R2")
    await r1.events_until(last["seq"])

    await r1.send({"type": "resume", "id": "back", "seq": mark})
    frame = await r1.next(lambda f: f.get("id") == "back")
    assert frame["type"] == "events"
    assert (frame["seq_from"], frame["seq"]) == (mark + 1, last["seq"])
    texts = [e["data"]["text"] for e in frame["events"] if e["kind"] == "chat_posted"]
    assert texts == ["for everyone", "R1 and R2"]
    assert all(e["seq"] > mark for e in frame["events"])


async def test_resume_at_the_current_seq_sends_an_empty_range(table, sockets):
    socket = await sockets(table.code, token=table.seat("R1").token)
    seq = socket.welcome["seq"]
    await socket.send({"type": "resume", "id": "now", "seq": seq})
    frame = await socket.next(lambda f: f.get("id") == "now")
    assert frame == {"type": "events", "id": "now", "seq_from": seq + 1, "seq": seq, "events": []}


async def test_resume_too_far_behind_gets_a_snapshot(negotiating, sockets, monkeypatch):
    monkeypatch.setattr("game.selectors.RESUME_MAX_EVENTS", 2)
    table = negotiating
    socket = await sockets(table.code, token=table.seat("R1").token)
    for text in ("one", "two", "three"):
        await socket.ok("chat", channel="all", text=text)
    current = await table.seq()
    await socket.send({"type": "resume", "id": "old", "seq": current - 3})
    snapshot = await socket.next(lambda f: f.get("id") == "old")
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == current
    assert [m["text"] for m in snapshot["view"]["chat"]] == ["one", "two", "three"]
    # Two behind is still within reach.
    await socket.send({"type": "resume", "id": "near", "seq": current - 2})
    assert (await socket.next(lambda f: f.get("id") == "near"))["type"] == "events"


async def test_resume_from_a_seq_the_game_never_reached_gets_a_snapshot(table, sockets):
    """A seq beyond the game's (another game's, or a reset server's) cannot be continued."""
    socket = await sockets(table.code, token=table.seat("R1").token)
    await socket.send({"type": "resume", "id": "future", "seq": socket.welcome["seq"] + 50})
    snapshot = await socket.next(lambda f: f.get("id") == "future")
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == socket.welcome["seq"]
    await socket.send({"type": "resume", "id": "huge", "seq": 2**63})
    assert (await socket.next(lambda f: f.get("id") == "huge"))["type"] == "snapshot"


async def test_hello_with_last_seq_resumes_instead_of_a_snapshot(negotiating, sockets):
    table = negotiating
    mark = await table.seq()
    await table.arun("chat", "R2", channel="all", text="while you were away")
    await table.arun("chat", "R2", channel="team", text="R2 team talk")
    socket = await sockets(table.code, token=table.seat("R1").token, hello_extra={"last_seq": mark})
    assert socket.welcome["resumed"] is True
    assert socket.welcome["seq"] == mark
    assert "view" not in socket.welcome
    missed = await socket.next("events")
    assert (missed["seq_from"], missed["seq"]) == (mark + 1, mark + 2)
    assert [e["data"]["text"] for e in missed["events"]] == ["while you were away"]


async def test_seq_on_the_url_resumes_a_session_socket(negotiating, sockets, staff_cookie):
    table = negotiating
    mark = await table.seq()
    await table.arun("note", text="noted")
    socket = await sockets(table.code, cookie=staff_cookie, query=f"seq={mark}")
    assert socket.welcome["resumed"] is True
    missed = await socket.next("events")
    assert [e["kind"] for e in missed["events"]] == ["note_added"]


@pytest.mark.parametrize("query", ["seq=abc", "seq=%C2%B2", "seq=-1", "seq=" + "9" * 5000])
async def test_a_malformed_seq_on_the_url_gets_a_snapshot(table, sockets, staff_cookie, query):
    socket = await sockets(table.code, cookie=staff_cookie, query=query)
    assert socket.welcome["resumed"] is False
    assert socket.welcome["seq"] == await table.seq()


@pytest.mark.parametrize("last_seq", ["3", -1, True, 1.5, None])
async def test_a_malformed_last_seq_in_hello_gets_a_snapshot(table, sockets, last_seq):
    socket = await sockets(
        table.code, token=table.seat("R1").token, hello_extra={"last_seq": last_seq}
    )
    assert socket.welcome["resumed"] is False
    assert "view" in socket.welcome
