"""Gap healing: a lost, late, repeated or overtaken broadcast never leaves a gap or a
duplicate in what a client receives.

The broadcast of committed events goes through `LossyLayer`, which wraps the real channel
layer where game.services.broadcast sends, so a test can drop a `group_send` or hold it
back and deliver it later, out of order, straight to each consumer's channel. A consumer
that sees a broadcast not following on from its seq re-reads the gap from the log, filtered
for its viewer, so every socket's seqs stay contiguous and every event arrives exactly once.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from socketplay import FACILITATOR, SocketTable, _visible, inline_scenario
from test_reconnect_resume import advance_to

from game.services import broadcast

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture(autouse=True)
def no_timer_loop(settings):
    settings.GAME_TIMER_LOOP = False


class LossyLayer:
    """The real channel layer, except that game broadcasts can be dropped or held back."""

    def __init__(self, real):
        self.real = real
        self.drop = 0
        self.hold = False
        self.dropped: list[dict] = []
        self.held: list[dict] = []

    async def group_send(self, group, message):
        if self.drop:
            self.drop -= 1
            self.dropped.append(message)
        elif self.hold:
            self.held.append(message)
        else:
            await self.real.group_send(group, message)


@pytest.fixture
def lossy(monkeypatch):
    layer = LossyLayer(get_channel_layer())
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: layer)
    return layer


def channels_of(game_id: int) -> list[str]:
    from game.models import Connection

    return list(Connection.objects.filter(game_id=game_id).values_list("channel_name", flat=True))


async def quiet(table: SocketTable, seconds: float = 0.15) -> None:
    """Let anything in flight arrive (bounded)."""
    await asyncio.sleep(seconds)
    table.pump()


def events_frames(sock, start: int) -> list[dict]:
    return [f.data for f in sock.frames[start:] if f.type == "events"]


def viewer_of(name: str) -> str:
    return FACILITATOR if name == FACILITATOR else name


async def assert_healed(table: SocketTable, starts: dict, first: int, last: int) -> None:
    """Each socket got one events frame for first..last, holding exactly the events of the
    log its viewer may see, and nothing else."""
    log = {e["seq"]: e for e in await table.log()}
    for name, sock in table.sockets.items():
        frames = events_frames(sock, starts[name])
        assert len(frames) == 1, (name, frames)
        frame = frames[0]
        assert (frame["seq_from"], frame["seq"]) == (first, last), name
        role = viewer_of(name)
        expected = [
            seq
            for seq in range(first, last + 1)
            if role == FACILITATOR or _visible(log[seq]["audience"], role)
        ]
        assert [e["seq"] for e in frame["events"]] == expected, name
        assert sock.problems == [], sock.problems


async def test_gap_lost_broadcast_is_reread_from_the_log_by_the_next_one(lossy):
    table = await SocketTable.create(inline_scenario(), seed=21)
    try:
        await advance_to(table, "negotiation", bots=False)
        start = await table.settle()
        starts = {name: len(sock.frames) for name, sock in table.sockets.items()}

        lossy.drop = 1
        await table.team("C").command("chat", channel="team", text="MARK-C-lost-broadcast")
        await quiet(table)
        assert lossy.dropped and all(s.cursor == start for s in table.sockets.values())

        await table.team("A").command("chat", channel="all", text="the next one")
        await table.settle()
        await assert_healed(table, starts, start + 1, start + 2)
        for name in ("A", "B", "D"):
            assert "MARK-C-lost-broadcast" not in table.team(name).frames[-1].text

        # Live events carry on from there.
        starts = {name: len(sock.frames) for name, sock in table.sockets.items()}
        await table.team("B").command("chat", channel="all", text="carry on")
        await table.settle()
        for name, sock in table.sockets.items():
            assert events_frames(sock, starts[name])[0]["seq_from"] == start + 3
            assert sock.problems == []
        assert (await table.knowledge()).scan_all(table.frames()) == []
    finally:
        await table.close()


async def test_gap_too_long_to_replay_heals_with_a_snapshot(lossy, monkeypatch):
    from game import selectors
    from game.realtime import protocol

    monkeypatch.setattr(protocol, "RESUME_MAX_EVENTS", 2)
    monkeypatch.setattr(selectors, "RESUME_MAX_EVENTS", 2)
    table = await SocketTable.create(inline_scenario(), seed=22)
    try:
        await advance_to(table, "negotiation", bots=False)
        await table.settle()
        starts = {name: len(sock.frames) for name, sock in table.sockets.items()}
        lossy.drop = 3
        for index in range(3):
            await table.team("C").command("chat", channel="team", text=f"MARK-C-{index}")
        await table.team("A").command("chat", channel="all", text="the next one")
        last = await table.settle()
        for name, sock in table.sockets.items():
            new = sock.frames[starts[name] :]
            assert [f.type for f in new if f.type in ("events", "snapshot")] == ["snapshot"]
            assert sock.cursor == last and sock.problems == []
        assert (await table.knowledge()).scan_all(table.frames()) == []
    finally:
        await table.close()


async def test_gap_out_of_order_and_repeated_broadcasts_give_contiguous_frames_once(lossy):
    table = await SocketTable.create(inline_scenario(), seed=23)
    try:
        await advance_to(table, "negotiation", bots=False)
        start = await table.settle()
        starts = {name: len(sock.frames) for name, sock in table.sockets.items()}

        lossy.hold = True
        await table.team("A").command("chat", channel="all", text="first, delivered second")
        await table.team("C").command("chat", channel="team", text="MARK-C-second")
        lossy.hold = False
        first, second = lossy.held
        assert (first["seq"], second["seq"]) == (start + 1, start + 2)

        channels = await database_sync_to_async(channels_of)(table.game_id)
        assert len(channels) == len(table.sockets)
        for channel in channels:  # N+2 before N+1, straight to each consumer
            await lossy.real.send(channel, second)
        await table.settle()
        for channel in channels:  # then the late one, and the overtaking one again
            await lossy.real.send(channel, first)
            await lossy.real.send(channel, second)
        await quiet(table)
        await assert_healed(table, starts, start + 1, start + 2)
        assert "MARK-C-second" not in "".join(f.text for f in table.team("B").frames)

        starts = {name: len(sock.frames) for name, sock in table.sockets.items()}
        await table.team("D").command("chat", channel="all", text="carry on")
        await table.settle()
        for name, sock in table.sockets.items():
            assert events_frames(sock, starts[name])[0]["seq_from"] == start + 3
            assert sock.problems == []
        assert (await table.knowledge()).scan_all(table.frames()) == []
    finally:
        await table.close()


async def test_gap_events_committed_while_a_resume_reads_the_log_arrive_once(monkeypatch):
    """A command committing between the resume's read of the game and its read of the log
    must not put events past the frame's `seq` into it (they would come again with their
    own broadcast)."""
    from game import selectors
    from game.models import Event
    from game.services import Actor, game_execute

    table = await SocketTable.create(inline_scenario(), seed=24)
    try:
        await advance_to(table, "negotiation", bots=False)
        await table.settle()
        old = table.team("B")
        last = old.cursor
        await old.disconnect()
        await table.team("A").command("chat", channel="all", text="missed")
        await table.settle()

        player_id = table.seats["A"][0]
        racer = Actor(kind="player", role="A", player_id=player_id, name="A player")
        fired = []

        class RacingManager:
            def filter(self, **lookups):
                if not fired:
                    fired.append(True)
                    game_execute(
                        game_id=table.game_id,
                        actor=racer,
                        command={"type": "chat", "channel": "all", "text": "raced"},
                    )
                return Event.objects.filter(**lookups)

        class RacingEvent:
            objects = RacingManager()

        monkeypatch.setattr(selectors, "Event", RacingEvent)
        sock = await table.open_team("B", last_seq=last)
        monkeypatch.setattr(selectors, "Event", Event)
        assert fired
        await table.settle()
        texts = [
            e["data"].get("text")
            for f in sock.frames
            if f.type == "events"
            for e in f.data["events"]
            if e["kind"] == "chat_posted"
        ]
        assert texts == ["missed", "raced"]
        assert sock.problems == []
    finally:
        await table.close()


async def test_gap_a_lost_last_broadcast_heals_at_the_next_ping(lossy):
    """With no later broadcast to reveal it (e.g. the game's last event), the keep-alive
    ping makes the socket catch up from the log before its pong."""
    table = await SocketTable.create(inline_scenario(), seed=23)
    try:
        await advance_to(table, "negotiation", bots=False)
        start = await table.settle()
        sock = table.team("B")
        before = len(sock.frames)
        lossy.drop = 1
        await table.team("A").command("chat", channel="all", text="MARK-lost-at-the-end")
        await quiet(table)
        assert lossy.dropped and sock.cursor == start

        await sock.send({"type": "ping", "id": "keep-alive"})
        pong = await sock.wait_for_type("pong", after=before)
        assert pong.data["seq"] == start + 1
        frames = events_frames(sock, before)
        assert [(f["seq_from"], f["seq"]) for f in frames] == [(start + 1, start + 1)]
        assert frames[0]["events"][0]["data"]["text"] == "MARK-lost-at-the-end"
        assert sock.problems == []
    finally:
        await table.close()


async def test_gap_a_failing_relay_keeps_the_socket_and_heals_later(lossy, monkeypatch):
    """A database error while re-reading a gap does not close the socket (no 1011): the seq
    stays where it was and the next broadcast heals the gap."""
    from game import selectors

    table = await SocketTable.create(inline_scenario(), seed=25)
    try:
        await advance_to(table, "negotiation", bots=False)
        start = await table.settle()
        real = selectors.game_events_since
        failures = []

        def flaky(**kwargs):
            if not failures:
                failures.append(kwargs)
                raise RuntimeError("database went away for a moment")
            return real(**kwargs)

        monkeypatch.setattr(selectors, "game_events_since", flaky)
        lossy.drop = 1
        await table.team("A").command("chat", channel="all", text="lost")
        await table.team("A").command("chat", channel="all", text="reveals the gap")
        await quiet(table)
        await table.team("A").command("chat", channel="all", text="heals it")
        await table.settle()
        assert failures
        for sock in table.sockets.values():
            assert sock.open and sock.closed is None
            assert sock.cursor == start + 3 and sock.problems == []
    finally:
        await table.close()


def consumers_of(table: SocketTable) -> dict[str, object]:
    """The game's consumers in this process, by the seat their socket speaks for."""
    from game.realtime import watch

    found = {}
    for consumer in watch._sockets.get(table.game_id, ()):
        actor = consumer.actor
        found[FACILITATOR if actor.kind == "facilitator" else actor.role] = consumer
    return found


async def lose_the_next_broadcast(table: SocketTable, lossy, text: str) -> tuple[int, dict]:
    """In the negotiation phase, team A chats and its broadcast is lost: every socket is left
    behind. Returns the seq before it and where each socket's frames stood."""
    await advance_to(table, "negotiation", bots=False)
    start = await table.settle()
    starts = {name: len(sock.frames) for name, sock in table.sockets.items()}
    lossy.drop = 1
    await table.team("A").command("chat", channel="all", text=text)
    await quiet(table)
    assert lossy.dropped
    return start, starts


async def test_gap_a_lost_last_broadcast_heals_by_the_heal_pass_without_a_ping(lossy, monkeypatch):
    """No later broadcast, no ping: the heal pass tells each socket left behind (at the same
    seq in two passes) to catch up, and it re-reads the event from the log."""
    from game.realtime import watch

    table = await SocketTable.create(inline_scenario(), seed=23)
    try:
        start, starts = await lose_the_next_broadcast(table, lossy, "MARK-healed-by-the-pass")
        monkeypatch.setattr(watch, "QUIET_SECONDS", 0.1)  # the game has gone quiet
        assert await watch.heal_pass(read_database=False) == 0  # behind once: maybe just busy
        assert await watch.heal_pass(read_database=False) == len(table.sockets)
        await quiet(table, 0.3)
        await assert_healed(table, starts, start + 1, start + 1)
    finally:
        await table.close()


async def test_gap_a_busy_socket_is_left_to_relay_what_is_queued_for_it(lossy, monkeypatch):
    """A socket handling a message (its own command waiting on the database, say) relays the
    broadcasts queued behind it afterwards: the heal pass does not send it to the database
    for them, and tells it once it is idle and still behind."""
    from game.realtime import watch

    table = await SocketTable.create(inline_scenario(), seed=23)
    try:
        start, starts = await lose_the_next_broadcast(table, lossy, "MARK-busy")
        monkeypatch.setattr(watch, "QUIET_SECONDS", 0.1)
        busy = consumers_of(table)["B"]
        busy.dispatching = True
        await watch.heal_pass(read_database=False)
        assert await watch.heal_pass(read_database=False) == len(table.sockets) - 1
        busy.dispatching = False
        assert await watch.heal_pass(read_database=False) == 0  # behind once since
        assert await watch.heal_pass(read_database=False) == 1
        await quiet(table, 0.3)
        await assert_healed(table, starts, start + 1, start + 1)
    finally:
        await table.close()


async def test_gap_a_socket_with_messages_waiting_is_not_told_to_catch_up(lossy, monkeypatch):
    from game.realtime import watch

    table = await SocketTable.create(inline_scenario(), seed=23)
    try:
        await lose_the_next_broadcast(table, lossy, "MARK-waiting")
        monkeypatch.setattr(watch, "QUIET_SECONDS", 0.1)
        layer = get_channel_layer()
        waiting_for = consumers_of(table)["C"].channel_name
        monkeypatch.setattr(layer, "waiting", lambda name: 3 if name == waiting_for else 0)
        await watch.heal_pass(read_database=False)
        assert await watch.heal_pass(read_database=False) == len(table.sockets) - 1
    finally:
        await table.close()


async def test_gap_sockets_of_a_game_still_receiving_broadcasts_are_not_told(lossy):
    """While the game's broadcasts keep arriving, the next one shows each consumer its gap:
    the heal pass waits until they have stopped for QUIET_SECONDS, then heals."""
    from game.realtime import watch

    table = await SocketTable.create(inline_scenario(), seed=23)
    try:
        start, starts = await lose_the_next_broadcast(table, lossy, "MARK-lost")
        for _ in range(2):  # a broadcast of the game arrives between passes
            watch.broadcast_received(table.game_id)
            assert await watch.heal_pass(read_database=False) == 0
        await asyncio.sleep(watch.QUIET_SECONDS)
        await watch.heal_pass(read_database=False)
        assert await watch.heal_pass(read_database=False) == len(table.sockets)
        await quiet(table, 0.3)
        await assert_healed(table, starts, start + 1, start + 1)
    finally:
        await table.close()


async def test_gap_the_layers_count_what_waits_on_a_channel():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    assert layer.waiting(channel) == 0
    for n in range(3):
        await layer.send(channel, {"type": "n", "n": n})
    assert layer.waiting(channel) == 3
    await layer.receive(channel)
    assert layer.waiting(channel) == 2
    await layer.release(channel)
    assert layer.waiting(channel) == 0


async def test_the_embedded_layer_hands_every_member_the_message_sent_not_a_copy():
    """A broadcast carries every viewer's frame; consumers only read it, so the embedded
    layer gives each member the message itself (deep-copying it was ~2% of a busy SQLite
    server's CPU), as the Redis layer's members share one decoded message."""
    from game.realtime.layers import WorkshopChannelLayer

    layer = WorkshopChannelLayer()
    members = [await layer.new_channel() for _ in range(3)]
    for channel in members:
        await layer.group_add("game-1", channel)
    message = {"type": "game.events", "frames": {"facilitator": '{"type":"events"}'}}
    await layer.group_send("game-1", message)
    assert [await layer.receive(channel) for channel in members] == [message] * 3
    await layer.group_send("game-1", message)
    assert all([await layer.receive(channel) is message for channel in members])


async def test_a_broadcast_from_another_process_advances_this_process_state(lossy):
    """The events a broadcast carries are folded into the state this process holds (as if
    another process had committed them), once, by the first socket to receive it: the
    process then holds the row's version without reading it."""
    from game.models import Game
    from game.services import statecache

    table = await SocketTable.create(inline_scenario(), seed=23)
    try:
        await advance_to(table, "negotiation", bots=False)
        await table.settle()
        stale = statecache.state_latest(game_id=table.game_id)
        lossy.hold = True
        await table.team("A").command("chat", channel="all", text="committed elsewhere")
        lossy.hold = False
        (message,) = lossy.held
        # This process has not committed it: it holds the state before and no later seq.
        statecache._states[table.game_id] = stale
        statecache._latest[table.game_id] = stale[0][0]
        await lossy.real.group_send(f"game-{table.game_id}", message)
        await quiet(table)
        game = await database_sync_to_async(Game.objects.get)(pk=table.game_id)
        (seq, updated_at), state = statecache.state_latest(game_id=table.game_id)
        assert (seq, updated_at) == (game.last_seq, game.updated_at)
        assert state == await database_sync_to_async(Game.stored_state)(table.game_id)
        assert state["chat"][-1]["text"] == "committed elsewhere"
    finally:
        await table.close()
