"""Broadcasting: only after the transaction commits, and each viewer's frame holds only what
that viewer may see (DESIGN §2, §5)."""

import asyncio
import json
import random
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from game_tables import FACILITATOR, ServiceTable

from game.engine.testing import term
from game.realtime.botclient import with_items
from game.services import broadcast
from game.services.seating import player_move

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"

VIEWERS = {"facilitator", "observer", "role:A", "role:B", "role:C"}


class RecordingLayer:
    """Stands in for the channel layer and records every group_send."""

    def __init__(self, fail: bool = False):
        self.sent: list[tuple[str, dict]] = []
        self.fail = fail

    async def group_send(self, group: str, message: dict) -> None:
        if self.fail:
            raise ConnectionError("channel layer down")
        self.sent.append((group, message))


@pytest.fixture
def layer(monkeypatch) -> RecordingLayer:
    recorder = RecordingLayer()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: recorder)
    return recorder


def frames_of(message: dict) -> dict[str, dict]:
    return {key: json.loads(text) for key, text in message["frames"].items()}


def kinds(frame: dict) -> list[str]:
    return [event["kind"] for event in frame["events"]]


@pytest.mark.django_db
def test_events_are_sent_only_when_the_transaction_commits(
    table, layer, django_capture_on_commit_callbacks
):
    """game_execute registers the broadcast as an on-commit callback; running it sends one
    game.events message to the game's group with a frame per viewer."""
    table.start()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = table.run("chat", "A", channel="all", text="Hello")
    assert layer.sent == []
    assert len(callbacks) == 1

    callbacks[0]()
    [(group, message)] = layer.sent
    assert group == f"game-{table.game_id}"
    assert message["type"] == "game.events"
    assert message["seq_from"] == message["seq"] == result.seq
    assert message["players"] == []
    frames = frames_of(message)
    assert set(frames) == VIEWERS
    for frame in frames.values():
        assert frame["type"] == "events"
        assert frame["seq_from"] == frame["seq"] == result.seq
        assert kinds(frame) == ["chat_posted"]


@pytest.mark.django_db
def test_nothing_is_sent_when_the_outer_transaction_rolls_back(
    table, layer, django_capture_on_commit_callbacks
):
    """A command inside a transaction that is rolled back leaves no event and sends nothing."""
    table.start()
    last_seq = table.game.last_seq
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        table.run("chat", "A", channel="all", text="Never said")
        raise RuntimeError("the caller fails after the command")
    assert callbacks == []
    assert layer.sent == []
    assert table.game.last_seq == last_seq
    assert table.state["chat"] == []


@pytest.mark.django_db
def test_a_refused_command_sends_nothing(table, layer, django_capture_on_commit_callbacks):
    table.start()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        table.refuse("advance", "A")
    assert callbacks == [] and layer.sent == []


@pytest.mark.django_db
def test_a_command_without_events_sends_nothing(table, layer, django_capture_on_commit_callbacks):
    table.start()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        table.run("tick", "system", expected={"round": 9, "phase": "decision"})
    assert callbacks == [] and layer.sent == []


@pytest.mark.django_db
def test_a_failing_channel_layer_does_not_undo_the_command(
    table, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """A lost broadcast is logged; the command stays applied (clients re-read the log)."""
    table.start()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: RecordingLayer(fail=True))
    with django_capture_on_commit_callbacks(execute=True):
        result = table.run("chat", "A", channel="all", text="Still said")
    assert table.game.last_seq == result.seq
    assert "Broadcast of game" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_on_a_real_commit_the_send_follows_the_outermost_block(layer):
    """With real transactions: nothing is sent inside the caller's atomic block, the send
    happens when it commits, and a rolled-back block sends nothing at all."""
    table = ServiceTable.create()
    table.seat_everyone()
    assert len(layer.sent) == 3  # one per join, each committed on its own
    table.start()
    layer.sent.clear()

    with transaction.atomic():
        table.run("chat", "A", channel="all", text="One")
        table.run("chat", "B", channel="all", text="Two")
        assert layer.sent == []
    assert [m["seq"] for _, m in layer.sent] == [table.game.last_seq - 1, table.game.last_seq]

    layer.sent.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        table.run("chat", "C", channel="all", text="Rolled back")
        raise RuntimeError
    assert layer.sent == []
    assert [c["text"] for c in table.state["chat"]] == ["One", "Two"]


def _sent_by(layer: RecordingLayer, callbacks_context, run) -> dict[str, dict]:
    with callbacks_context(execute=True):
        run()
    (_, message) = layer.sent[-1]
    return frames_of(message)


@pytest.mark.django_db
def test_frames_hold_only_what_each_viewer_may_see(
    table, layer, django_capture_on_commit_callbacks
):
    """Sealed drafts, private chat, targeted injects, offers and private results reach only
    their audience (and the facilitator); the observer sees public events only."""
    capture = django_capture_on_commit_callbacks

    frames = _sent_by(layer, capture, table.start)
    assert "SECRET-INJECT-B" in json.dumps(frames["role:B"])
    assert "SECRET-INJECT-B" in json.dumps(frames["facilitator"])
    for key in ("role:A", "role:C", "observer"):
        assert "SECRET-INJECT-B" not in json.dumps(frames[key])
        assert "inject_published" not in kinds(frames[key])

    table.advance_to(1, "disclosure")
    choices = [{"red_line": "a-energy", "to": ["C"], "level": "full"}]
    frames = _sent_by(layer, capture, lambda: table.run("disclosure_set", "A", choices=choices))
    assert kinds(frames["role:A"]) == kinds(frames["facilitator"]) == ["disclosure_drafted"]
    for key in ("role:B", "role:C", "observer"):
        assert frames[key]["events"] == []

    # Publication at the end of disclosure: C learns A's red line; B and the observer do not.
    frames = _sent_by(layer, capture, lambda: table.run("advance", "facilitator"))
    assert "SECRET-STATEMENT-A" in json.dumps(frames["role:C"])
    for key in ("role:B", "observer"):
        assert "SECRET-STATEMENT-A" not in json.dumps(frames[key])
        assert kinds(frames[key]) == ["phase_started"]

    frames = _sent_by(
        layer, capture, lambda: table.run("chat", "A", channel=["A", "B"], text="PRIVATE-AB")
    )
    assert kinds(frames["role:A"]) == kinds(frames["role:B"]) == ["chat_posted"]
    assert "PRIVATE-AB" not in json.dumps(frames["role:C"]) + json.dumps(frames["observer"])

    frames = _sent_by(
        layer,
        capture,
        lambda: table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)]),
    )
    assert kinds(frames["role:A"]) == kinds(frames["role:B"]) == ["offer_proposed"]
    assert frames["role:C"]["events"] == frames["observer"]["events"] == []

    table.run("advance", "facilitator")  # to decision: o1 expires
    frames = _sent_by(layer, capture, lambda: table.run("decision_set", "B", values={"s": 70}))
    assert kinds(frames["role:B"]) == ["decision_drafted"]
    assert all(frames[key]["events"] == [] for key in ("role:A", "role:C", "observer"))
    table.run("decision_lock", "B")

    # Results: B crossed its own red line; only B (and the facilitator) learns of the breach
    # and of its cost; everyone sees the round's scores.
    frames = _sent_by(layer, capture, lambda: table.run("advance", "facilitator"))
    facilitator_kinds = kinds(frames["facilitator"])
    assert "red_line_breached" in facilitator_kinds
    assert facilitator_kinds.count("cost_assessed") == 3
    for code in "ABC":
        frame = frames[f"role:{code}"]
        assert "round_scored" in kinds(frame)
        assessed = [e["data"]["role"] for e in frame["events"] if e["kind"] == "cost_assessed"]
        assert assessed == [code]
        assert ("red_line_breached" in kinds(frame)) == (code == "B")
    assert "cost_assessed" not in kinds(frames["observer"])
    assert "red_line_breached" not in kinds(frames["observer"])


@pytest.mark.django_db
def test_seat_changes_name_the_affected_players(table, layer, django_capture_on_commit_callbacks):
    """A move's message lists the moved player, so its sockets re-check who they are."""
    player_id = table.players["A"].player_id
    with django_capture_on_commit_callbacks(execute=True):
        player_move(game=table.game, player_id=player_id, role="B", actor=FACILITATOR)
    (_, message) = layer.sent[-1]
    assert message["players"] == [player_id]
    assert kinds(frames_of(message)["observer"]) == ["player_moved"]


@pytest.mark.django_db(transaction=True)
async def test_the_configured_channel_layer_delivers_the_frames():
    """Through the real layer (in-memory, or Redis in the services leg): a socket in the
    game's group receives the committed events."""
    channel_layer = get_channel_layer()

    def create():
        table = ServiceTable.create()
        table.seat_everyone()
        return table

    table = await database_sync_to_async(create)()
    channel = await channel_layer.new_channel()
    await channel_layer.group_add(broadcast.game_group(table.game_id), channel)
    try:
        await database_sync_to_async(table.start)()
        message = await asyncio.wait_for(channel_layer.receive(channel), timeout=5)
        assert message["type"] == "game.events"
        frame = json.loads(message["frames"]["role:A"])
        assert "game_started" in kinds(frame)
        assert "SECRET-INJECT-B" not in message["frames"]["role:A"]
        assert message["seq"] == (await database_sync_to_async(lambda: table.game.last_seq)())
    finally:
        await channel_layer.group_discard(broadcast.game_group(table.game_id), channel)


@pytest.mark.django_db
def test_account_details_of_the_acting_facilitator_reach_only_the_facilitator(
    table, layer, django_capture_on_commit_callbacks
):
    """Players and observers see that the facilitator acted, never its account id or username;
    the facilitator's own frame keeps them (the same holds for resumed events)."""
    from game.selectors import game_events_since
    from game.services import Actor, game_execute

    staff = Actor(kind="facilitator", user_id=4242, name="ops-admin-7")
    with_details = game_execute(game_id=table.game_id, actor=staff, command={"type": "start"})
    with django_capture_on_commit_callbacks(execute=True):
        game_execute(
            game_id=table.game_id,
            actor=staff,
            command={"type": "chat", "channel": "all", "text": "Welcome"},
        )
    frames = frames_of(layer.sent[0][1])
    assert frames["facilitator"]["events"][0]["actor"]["user_id"] == 4242
    for key in ("observer", "role:A"):
        actor = frames[key]["events"][0]["actor"]
        assert actor == {"kind": "facilitator", "name": "Facilitator"}
        assert "ops-admin-7" not in json.dumps(frames[key]) and "4242" not in json.dumps(
            frames[key]
        )
    resumed = game_events_since(
        game_id=table.game_id, seq=with_details.seq - 1, viewer={"kind": "player", "role": "B"}
    )
    assert resumed["events"] and "ops-admin-7" not in json.dumps(resumed)


def _held_state(table: ServiceTable) -> tuple[int, dict]:
    """The state this process committed last for the table's game (shared with the states
    before it wherever nothing changed), and its seq."""
    from game.services.statecache import state_latest

    (seq, _), state = state_latest(game_id=table.game_id)
    assert seq == table.game.last_seq
    return seq, state


def _seated_table() -> ServiceTable:
    table = ServiceTable.create()
    table.seat_everyone()
    return table


def _all_viewers(state: dict) -> list[dict]:
    return broadcast.all_viewers(state["scenario"])


# Commits of their own (the states a process keeps are those it committed).
@pytest.mark.django_db(transaction=True)
def test_view_frames_built_from_kept_parts_are_the_engines_views():
    """Whatever parts are reused, every viewer's `view` frame holds exactly the engine's
    view of the state: after public, team and private chat, other commands and the end."""
    from game import engine

    table = _seated_table()
    table.advance_to(1, "negotiation")
    steps = [
        ("chat", "A", {"channel": "all", "text": "public, é and 😀"}),
        ("chat", "B", {"channel": "team", "text": "TEAM-B"}),
        ("chat", "C", {"channel": ["A", "C"], "text": "PRIVATE-A-C"}),
        ("chat", "facilitator", {"channel": "all", "text": "from the facilitator"}),
        ("offer_propose", "A", {"to": ["B"], "terms": [term("A", "s", ">=", 55)]}),
        ("chat", "A", {"channel": "all", "text": "after the offer"}),
        ("end", "facilitator", {}),
        ("chat", "A", {"channel": "all", "text": "after the end"}),
    ]
    checked = 0
    for type_, by, payload in steps:
        try:
            table.run(type_, by, **payload)
        except Exception:
            if (type_, by) != ("chat", "A") or table.state["status"] != "ended":
                raise
            continue  # chat after the end is refused: nothing new to check
        seq, state = _held_state(table)
        for viewer in _all_viewers(state):
            frame = json.loads(broadcast.live_view_text(state, viewer, seq))
            expected = engine.shared_view(state, viewer, with_scenario=state["status"] == "ended")
            assert frame == {"type": "view", "seq": seq, "view": json.loads(json.dumps(expected))}
            checked += 1
    assert checked >= 7 * 5


@pytest.mark.django_db(transaction=True)
def test_a_command_rebuilds_only_the_view_parts_it_changed(monkeypatch):
    """A chat message reuses every part of every view and encodes only itself; an offer
    rebuilds each viewer's `offers` (and the facilitator's `readiness`) and nothing else, and
    no message's JSON again."""
    table = _seated_table()
    table.advance_to(1, "negotiation")
    table.run("chat", "A", channel="all", text="first")
    seq, state = _held_state(table)
    for viewer in _all_viewers(state):
        broadcast.live_view_text(state, viewer, seq)

    built, encoded = [], []
    view_part, dumps = broadcast.engine.view_part, broadcast.dumps
    monkeypatch.setattr(
        broadcast.engine,
        "view_part",
        lambda state, viewer, key: built.append(key) or view_part(state, viewer, key),
    )
    building = []  # inside live_view_text: what building view frames encodes
    live_view_text = broadcast.live_view_text

    def building_view(*args):
        building.append(True)
        try:
            return live_view_text(*args)
        finally:
            building.pop()

    monkeypatch.setattr(broadcast, "live_view_text", building_view)
    monkeypatch.setattr(
        broadcast, "dumps", lambda value: (building and encoded.append(value)) or dumps(value)
    )

    table.run("chat", "B", channel="all", text="second")
    seq, state = _held_state(table)
    texts = [broadcast.live_view_text(state, viewer, seq) for viewer in _all_viewers(state)]
    assert built == []  # nothing but chat changed: every part is reused
    assert [item["text"] for item in encoded] == ["second"]  # the new message, once
    assert all('"text":"second"' in text for text in texts)

    table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
    seq, state = _held_state(table)
    encoded.clear()
    for viewer in _all_viewers(state):
        broadcast.live_view_text(state, viewer, seq)
    # The facilitator's readiness board counts the offers awaiting each team's answer.
    assert sorted(built) == ["offers"] * len(_all_viewers(state)) + ["readiness"]
    assert not any("text" in value for value in encoded)  # the messages' JSON is kept


@pytest.mark.django_db(transaction=True)
def test_a_view_in_events_is_the_viewers_events_frame_carrying_its_patch(monkeypatch):
    """build_views builds, for a viewer followed with ?views=3 only, exactly that viewer's
    `events` frame with the `view` frame of the parts changed inside (the offers as items),
    and nothing else."""
    table = _seated_table()
    table.advance_to(1, "negotiation")
    previous = _held_state(table)
    result = table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
    seq, state = _held_state(table)
    viewer = {"kind": "player", "role": "B"}
    key = broadcast.follow_key(viewer, broadcast.VIEWS_IN_EVENTS)
    monkeypatch.setattr(broadcast, "views_followed", lambda game_id: {key})
    frames = broadcast.build_frames(snapshot=state["scenario"], state=state, events=result.events)
    views = broadcast.build_views(
        snapshot=state["scenario"],
        state=state,
        seq=seq,
        game_id=table.game_id,
        previous=previous,
        frames=frames,
    )
    assert list(views) == ["role:B+events"]
    patch = broadcast.live_view_patch_text(previous[1], state, viewer, previous[0], seq, items=True)
    carried = json.loads(views[key])
    assert carried == {**json.loads(frames["role:B"]), "view": json.loads(patch)}
    # The new offer as an item, not the whole list of offers.
    assert carried["view"]["base"] == previous[0] and carried["view"]["view"] == {}
    assert [offer["id"] for offer in carried["view"]["items"]["offers"]] == ["o1"]


@pytest.mark.parametrize("strategy", ["open", "guarded", "secretive"])
def test_view_frames_from_kept_parts_equal_the_engines_views_along_whole_games(strategy):
    """Every state of a whole game of the bundled scenario (bots of one strategy, a chat
    message on a random channel after every few events), every viewer: the frame built
    from kept parts holds exactly the engine's view, and each patch from the state before
    (?views=2, and ?views=3 with the offers changed as items) makes it on the view before."""
    from game import engine

    scenario = json.loads((BUNDLED / "coalition-2022.json").read_text())
    roles = [role["code"] for role in scenario["roles"]]
    _, events = engine.play_game(scenario, seed=11, strategies=dict.fromkeys(roles, strategy))
    rng = random.Random(strategy)
    state = engine.initial_state(scenario, seed=11)
    viewers = _all_viewers(state)
    checked = 0
    held = {broadcast.viewer_key(viewer): None for viewer in viewers}  # a page's view
    itemised = 0
    for n, event in enumerate(events):
        previous = state
        state = engine.apply(state, event)
        if state["status"] == "running" and rng.random() < 0.3:
            role = rng.choice(roles)
            other = rng.choice([code for code in roles if code != role])
            channel = rng.choice(["all", "team", [role, other]])
            chat = {"type": "chat", "actor": {"kind": "player", "role": role}, "now": 0}
            for item in engine.decide(state, {**chat, "channel": channel, "text": f"m{n}"}):
                state = engine.apply(state, item)
        for viewer in viewers:
            frame = json.loads(broadcast.live_view_text(state, viewer, n))
            expected = engine.shared_view(state, viewer, with_scenario=state["status"] == "ended")
            assert frame["view"] == json.loads(json.dumps(expected)), (n, event["kind"], viewer)
            # Each kind of patch, put in place on the view before, makes the whole view.
            page = held[broadcast.viewer_key(viewer)]
            if page is not None:
                for items in (False, True):
                    patch = json.loads(
                        broadcast.live_view_patch_text(
                            previous, state, viewer, n - 1, n, items=items
                        )
                    )
                    assert ("items" in patch) <= items
                    itemised += "items" in patch
                    patched = with_items({**page, **patch["view"]}, patch.get("items"))
                    assert patched == frame["view"], (n, event["kind"], viewer, items)
            held[broadcast.viewer_key(viewer)] = frame["view"]
            checked += 1
    assert state["status"] == "ended" and checked == len(events) * len(viewers)
    assert itemised >= len(state["offers"])  # each new offer at least once, as an item
