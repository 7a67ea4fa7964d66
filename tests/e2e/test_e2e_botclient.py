"""The bot client's own bookkeeping, against a scripted fake server (no Django, no daphne):
it must report a gap the server leaves and heal it with `resume`, fill the events a `sync`
skipped without calling that a gap, drop repeated events, flag events outside their frame,
and re-send a frame the server dropped as `rate_limited`."""

import json

import pytest
from websockets.asyncio.server import serve

from game.realtime.botclient import BotClient, contiguous


def event(seq: int, kind: str = "chat_posted") -> dict:
    return {"seq": seq, "kind": kind, "data": {}, "audience": "all"}


def frame(seq_from: int, seq: int, *seqs: int) -> dict:
    return {"type": "events", "seq_from": seq_from, "seq": seq, "events": [event(s) for s in seqs]}


class FakeServer:
    """Answers hello with a welcome at seq 2, then follows a script keyed by frame type."""

    def __init__(self, log: int = 10, view: dict | None = None):
        self.log = log  # the game's last seq
        self.view = view or {"status": "running"}  # the welcome's
        self.paths: list[str] = []  # each socket's request path
        self.received: list[dict] = []
        self.script: list = []

    async def handler(self, socket):
        self.paths.append(socket.request.path)
        async for text in socket:
            message = json.loads(text)
            self.received.append(message)
            kind = message["type"]
            if kind == "hello":
                await socket.send(
                    json.dumps(
                        {
                            "type": "welcome",
                            "seq": 2,
                            "view": self.view,
                            "you": {"kind": "player", "role": "US"},
                        }
                    )
                )
            elif kind == "resume":
                since = message["seq"]
                events = list(range(since + 1, self.log + 1))
                await socket.send(json.dumps(frame(since + 1, self.log, *events)))
            elif kind == "sync":
                await socket.send(
                    json.dumps({"type": "snapshot", "seq": self.log, "view": {"status": "x"}})
                )
            else:
                reply = self.script.pop(0)(message)
                for item in reply:
                    await socket.send(json.dumps(item))

    def push(self, socket_frames):
        """Frames to send unprompted: the next command triggers them."""
        self.script.append(lambda message: socket_frames)


async def run(server: FakeServer, body, **options):
    async with serve(server.handler, "127.0.0.1", 0) as listening:
        port = listening.sockets[0].getsockname()[1]
        url = f"ws://127.0.0.1:{port}/?lang=en"
        async with BotClient(url, token="t", label="fake", **options) as client:
            await body(client)
            return client


async def test_a_gap_is_reported_and_healed_with_resume():
    server = FakeServer(log=6)

    async def body(client):
        # seq 3 arrives, then 6 (4 and 5 skipped): a gap; the client asks resume from 3.
        server.push([frame(3, 3, 3), frame(6, 6, 6), {"type": "ack", "id": "x", "seq": 6}])
        await client.send_raw({"type": "chat", "id": "x"})
        await client.wait_seq(6, timeout=5)

    client = await run(server, body)
    assert client.gaps == [(4, 6)]
    assert [m["seq"] for m in server.received if m["type"] == "resume"] == [3]
    assert [e["seq"] for e in client.events] == [3, 4, 5, 6]
    assert contiguous(client) == ["gap: expected seq 4, frame started at 6"]


async def test_sync_skipping_events_is_back_filled_without_a_gap():
    server = FakeServer(log=9)

    async def body(client):
        await client.sync()  # snapshot at 9 while the log is at 2: back-fill 3..9
        await client.wait_seq(9, timeout=5)
        # A late broadcast of events already logged is dropped as a duplicate.
        server.push([frame(8, 9, 8, 9), {"type": "ack", "id": "y", "seq": 9}])
        await client.send_raw({"type": "chat", "id": "y"})

    client = await run(server, body)
    assert client.gaps == []
    assert client.view == {"status": "x"} and client.view_seq == 9
    assert [e["seq"] for e in client.events] == list(range(3, 10))
    assert client.duplicate_events == 2
    assert contiguous(client) == []


async def test_events_outside_their_frame_are_anomalies():
    server = FakeServer()

    async def body(client):
        server.push([frame(3, 4, 3, 5), {"type": "ack", "id": "z", "seq": 4}])
        await client.send_raw({"type": "chat", "id": "z"})

    client = await run(server, body)
    assert any("outside" in problem for problem in contiguous(client))


async def test_rate_limited_commands_are_sent_again_with_the_same_id():
    server = FakeServer()
    answers = iter(
        [
            {"type": "error", "code": "rate_limited", "message": "slow down"},
            {"type": "ack", "seq": 3},
        ]
    )
    server.script = [lambda m: [{**next(answers), "id": m["id"]}] for _ in range(2)]

    async def body(client):
        assert (await client.command("chat", channel="all", text="hi"))["type"] == "ack"

    client = await run(server, body)
    sent = [m for m in server.received if m["type"] == "chat"]
    assert len(sent) == 2 and sent[0]["id"] == sent[1]["id"]
    assert client.rate_limited == 1


async def test_following_views_a_turn_waits_for_the_view_of_its_last_command_and_never_syncs():
    scenario = {"roles": ["US"]}
    server = FakeServer(log=2, view={"status": "running", "phase": "one", "scenario": scenario})
    server.script.append(lambda m: [{"type": "ack", "id": m["id"], "seq": 3}, frame(3, 3, 3)])
    pushed = {"type": "view", "seq": 3, "view": {"status": "running", "phase": "two"}}
    server.script.append(lambda m: [pushed, {"type": "pong", "id": m["id"]}])
    planned: list[dict] = []

    async def body(client):
        client.plan = lambda: planned.append(client.view) or []
        assert (await client.command("chat", channel="all", text="hi"))["seq"] == 3
        client.answer_timeout = 0.3
        with pytest.raises(TimeoutError):  # no view yet covers the command: no turn
            await client.play()
        assert planned == []
        await client.send_raw({"type": "ping"})  # the server pushes the view at seq 3
        client.answer_timeout = 5
        await client.play()

    client = await run(server, body, views=True)
    assert server.paths == ["/?lang=en&views=3"]
    assert "sync" not in [m["type"] for m in server.received]
    # The pushed view leaves the scenario out: the welcome's is kept.
    assert planned == [{"status": "running", "phase": "two", "scenario": scenario}]
    assert client.view_seq == 3


async def test_a_view_patch_is_put_in_place_only_on_the_view_it_starts_from():
    server = FakeServer(log=2, view={"status": "running", "phase": "one", "offers": []})
    patches = [
        {"type": "view", "seq": 3, "base": 2, "view": {"phase": "two"}},
        {"type": "view", "seq": 5, "base": 4, "view": {"offers": ["o1"]}},  # not from seq 3
    ]
    server.script.append(lambda m: [*patches, {"type": "pong", "id": m["id"]}])

    async def body(client):
        await client.send_raw({"type": "ping"})

    client = await run(server, body, views=True)
    assert client.view == {"status": "running", "phase": "two", "offers": []}
    assert client.view_seq == 3
    assert contiguous(client) == ["view patch from 4, view at 3"]


async def test_a_view_patch_inside_an_events_frame_is_put_in_place_after_its_events():
    server = FakeServer(log=2, view={"status": "running", "phase": "one", "offers": []})
    carried = [
        {**frame(3, 3, 3), "view": {"type": "view", "seq": 3, "base": 2, "view": {"phase": "two"}}},
        {**frame(4, 4, 4), "view": {"type": "view", "seq": 4, "base": 9, "view": {"offers": [1]}}},
    ]
    server.script.append(lambda m: [*carried, {"type": "pong", "id": m["id"]}])

    async def body(client):
        await client.send_raw({"type": "ping"})

    client = await run(server, body, views=True)
    assert [e["seq"] for e in client.events] == [3, 4]
    assert client.view == {"status": "running", "phase": "two", "offers": []}
    assert client.view_seq == 3
    assert contiguous(client) == ["view patch from 9, view at 3"]


async def test_a_turn_after_a_known_seq_waits_for_the_view_that_shows_it():
    """play(after=N): a change someone else made (the facilitator's advance, acked to it)
    must be in the bot's view before the bot plans, even when its own log has not seen it."""
    server = FakeServer(log=2, view={"status": "running", "phase": "one"})
    advance = {
        **frame(3, 3, 3),
        "view": {"type": "view", "seq": 3, "base": 2, "view": {"phase": "two"}},
    }
    server.script.append(lambda m: [advance, {"type": "pong", "id": m["id"]}])
    planned: list[dict] = []

    async def body(client):
        client.plan = lambda: planned.append(client.view) or []
        client.answer_timeout = 0.3
        with pytest.raises(TimeoutError):  # its view is at seq 2: no turn yet
            await client.play(after=3)
        assert planned == []
        await client.send_raw({"type": "ping"})
        client.answer_timeout = 5
        await client.play(after=3)

    await run(server, body, views=True)
    assert planned == [{"status": "running", "phase": "two"}]


async def test_a_patchs_items_replace_by_id_and_add_at_the_end():
    offers = [{"id": "o1", "status": "open"}, {"id": "o2", "status": "open"}]
    server = FakeServer(log=2, view={"status": "running", "offers": offers})
    items = {"offers": [{"id": "o2", "status": "accepted"}, {"id": "o3", "status": "open"}]}
    carried = {
        **frame(3, 3, 3),
        "view": {"type": "view", "seq": 3, "base": 2, "view": {}, "items": items},
    }
    server.script.append(lambda m: [carried, {"type": "pong", "id": m["id"]}])

    async def body(client):
        await client.send_raw({"type": "ping"})

    client = await run(server, body, views=True)
    assert client.view["offers"] == [offers[0], *items["offers"]]
    assert offers[1] == {"id": "o2", "status": "open"}  # the held view is not changed in place
