"""A command in one round trip (game.services.commands, commandsql.write_if_current): one
statement on PostgreSQL, one short transaction on SQLite (since round 10 of issue 11); every
test here runs on both back ends except those of PostgreSQL's state patch.

Outside a caller's transaction, a command is decided on the state this process holds for the
game and written in one trip that commits only if the row still has the version that state
came from and the command's id is new. Otherwise nothing of it is written and the command runs
under the row lock on the row's current state. These tests pin both halves: the trip is taken
when it can be, and every case where it must not commit falls back with nothing lost, nothing
doubled, and the answer the lock would give.
"""

import pytest
from django.db import transaction
from game_tables import ServiceTable
from test_services_broadcast import RecordingLayer
from test_services_rebuild import _assert_log_is_the_truth, play_random_game

from game.engine.testing import term
from game.models import CommandReceipt, Event
from game.services import CommandRefused, commandsql, statecache

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trips(monkeypatch) -> list[bool]:
    """What each one-trip write answered (True: committed), and how often the lock was taken."""
    answers: list[bool] = []
    write = commandsql.write_if_current

    def recorded(*args, **kwargs):
        answers.append(write(*args, **kwargs))
        return answers[-1]

    monkeypatch.setattr(commandsql, "write_if_current", recorded)
    return answers


@pytest.fixture
def locks(monkeypatch) -> list[int]:
    taken: list[int] = []
    lock = commandsql.lock_game

    def counted(game_id):
        taken.append(game_id)
        return lock(game_id)

    monkeypatch.setattr(commandsql, "lock_game", counted)
    return taken


@pytest.fixture
def patches(monkeypatch) -> list[dict | None]:
    """Each state patch computed for a write (commandsql.state_patch), in order."""
    computed: list[dict | None] = []
    patch = commandsql.state_patch

    def recorded(previous, state):
        computed.append(patch(previous, state))
        return computed[-1]

    monkeypatch.setattr(commandsql, "state_patch", recorded)
    return computed


def hold_stale(table: ServiceTable, stale: tuple) -> None:
    """This process holds `stale` and has seen no later seq: another process wrote the game
    and its broadcast has not arrived yet."""
    statecache._states[table.game_id] = stale
    statecache._latest[table.game_id] = stale[0][0]


def started_table() -> ServiceTable:
    table = ServiceTable.create()
    table.seat_everyone()
    table.advance_to(1, "negotiation")
    return table


def chat_texts(table: ServiceTable) -> list[str]:
    return [
        event.data["text"]
        for event in Event.objects.filter(game_id=table.game_id, kind="chat_posted")
    ]


def test_a_command_on_the_held_state_commits_in_one_trip_without_the_lock(trips, locks):
    table = started_table()
    assert trips and all(trips)  # setting the table up took it already
    trips.clear()
    locks.clear()
    before = table.game.last_seq
    result = table.run("chat", "A", client_id="c1", channel="all", text="One trip")
    assert trips == [True] and locks == []
    assert [event["seq"] for event in result.events] == [before + 1]
    game = table.game
    assert game.last_seq == before + 1
    assert chat_texts(table) == ["One trip"]
    receipt = CommandReceipt.objects.get(game_id=table.game_id, client_id="c1")
    assert receipt.seq == before + 1
    # The row's state, status and deadline are those of the log, and the process holds the
    # row's new version: the next command takes the trip again.
    _assert_log_is_the_truth(table)
    assert statecache.state_latest(game_id=table.game_id)[0] == (game.last_seq, game.updated_at)
    table.run("chat", "B", channel="all", text="Again")
    assert trips == [True, True] and locks == []


@pytest.mark.services
@pytest.mark.usefixtures("postgresql")
def test_the_trip_sends_only_the_state_keys_the_command_changed(trips, patches):
    """A chat message rewrites the row's `chat` and `chat_counts` and nothing else of the
    state; an offer its `offers` and `offer_count`; the row still equals the log's state after
    each."""
    table = started_table()
    trips.clear()
    table.run("chat", "A", channel="all", text="Only the chat")
    assert trips == [True] and set(patches[-1]) == {"chat", "chat_counts"}
    _assert_log_is_the_truth(table)
    table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
    assert trips == [True, True] and set(patches[-1]) == {"offers", "offer_count"}
    _assert_log_is_the_truth(table)


@pytest.mark.services
@pytest.mark.usefixtures("postgresql")
def test_under_the_lock_the_row_is_patched_with_the_keys_the_command_changed(trips, patches):
    """Inside a caller's transaction (the lock's path) the row's state is patched too
    (`state || patch`), not rewritten whole; the row equals the log's state after each."""
    table = started_table()
    trips.clear()
    with transaction.atomic():
        table.run("chat", "A", channel="all", text="Only the chat")
    assert trips == [] and set(patches[-1]) == {"chat", "chat_counts"}
    _assert_log_is_the_truth(table)
    with transaction.atomic():
        table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
    assert trips == [] and set(patches[-1]) == {"offers", "offer_count"}
    _assert_log_is_the_truth(table)


def test_a_state_patch_holds_the_changed_keys_and_is_refused_when_a_key_goes():
    shared, scenario = {"offers": {}}, {"roles": []}
    previous = {"scenario": scenario, "offers": shared["offers"], "chat": [], "phase": "x"}
    changed = {**previous, "chat": [{"text": "hi"}], "deadline": None}
    # Every top-level value that is not the previous state's own object, a new key included
    # even when it is null; never the scenario, which the row does not hold.
    assert commandsql.state_patch(previous, changed) == {"chat": [{"text": "hi"}], "deadline": None}
    assert commandsql.state_patch(previous, {**previous, "scenario": {}}) == {}
    # An equal but new object is sent (identity, not equality, says what is unchanged).
    assert commandsql.state_patch(previous, {**previous, "chat": []}) == {"chat": []}
    # A key removed cannot be patched: the whole state is written instead.
    without = {key: value for key, value in previous.items() if key != "phase"}
    assert commandsql.state_patch(previous, without) is None


def test_a_state_the_row_moved_on_from_is_not_written_and_the_lock_decides(trips, locks):
    """Another process accepted the offer after this one stored its state: the withdrawal,
    which that stale state allows, writes nothing in one trip and is refused under the lock."""
    table = started_table()
    table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
    stale = statecache.state_latest(game_id=table.game_id)
    table.run("offer_accept", "B", offer="o1")  # "the other process"
    last_seq = table.game.last_seq
    hold_stale(table, stale)  # this process has not heard of the accept
    trips.clear()
    locks.clear()
    with pytest.raises(CommandRefused) as refused:
        table.run("offer_withdraw", "A", client_id="w1", offer="o1")
    assert refused.value.code == "offer_not_open"
    assert trips == [False] and locks == [table.game_id]
    assert table.game.last_seq == last_seq
    assert table.state["offers"]["o1"]["status"] == "accepted"
    assert not CommandReceipt.objects.filter(client_id="w1").exists()
    # The lock path read the row's state; the process holds it now and takes the trip again.
    table.run("chat", "A", channel="all", text="After")
    assert trips[-1] is True
    _assert_log_is_the_truth(table)


def test_an_accepted_command_decided_on_a_stale_state_lands_after_the_newer_events(trips):
    table = started_table()
    stale = statecache.state_latest(game_id=table.game_id)
    table.run("chat", "B", channel="all", text="Elsewhere first")
    hold_stale(table, stale)
    trips.clear()
    result = table.run("chat", "A", channel="all", text="Then here")
    assert trips == [False]
    assert result.seq == table.game.last_seq
    assert chat_texts(table) == ["Elsewhere first", "Then here"]
    _assert_log_is_the_truth(table)


def test_a_state_older_than_a_seq_seen_broadcast_goes_straight_to_the_lock(trips, locks):
    table = started_table()
    stale = statecache.state_latest(game_id=table.game_id)
    table.run("chat", "B", channel="all", text="Elsewhere first")
    statecache._states[table.game_id] = stale  # its broadcast's seq has been seen
    trips.clear()
    locks.clear()
    table.run("chat", "A", channel="all", text="Then here")
    assert trips == [] and locks == [table.game_id]
    assert chat_texts(table) == ["Elsewhere first", "Then here"]
    _assert_log_is_the_truth(table)


def test_a_repeated_id_writes_nothing_and_is_answered_as_the_first_time(trips, locks):
    table = started_table()
    trips.clear()
    first = table.run("chat", "A", client_id="same", channel="all", text="Once")
    again = table.run("chat", "A", client_id="same", channel="all", text="Once")
    assert trips == [True, False]  # the receipt's conflict aborted the whole trip
    assert again.duplicate and again.seq == first.seq
    assert chat_texts(table) == ["Once"]
    assert table.game.last_seq == first.seq
    # A repeated offer answers with what the first run created.
    proposed = table.run(
        "offer_propose", "A", client_id="offer", to=["B"], terms=[term("A", "s", ">=", 55)]
    )
    repeated = table.run(
        "offer_propose", "A", client_id="offer", to=["B"], terms=[term("A", "s", ">=", 55)]
    )
    assert repeated.duplicate and repeated.created == proposed.created == {"offer": "o1"}
    assert list(table.state["offers"]) == ["o1"]
    _assert_log_is_the_truth(table)


def test_a_refusal_on_the_held_state_is_confirmed_under_the_lock(trips, locks):
    table = started_table()
    trips.clear()
    locks.clear()
    last_seq = table.game.last_seq
    with pytest.raises(CommandRefused) as refused:
        table.run("offer_accept", "B", offer="o9")
    assert refused.value.code == "unknown_offer"
    assert trips == [] and locks == [table.game_id]
    assert table.game.last_seq == last_seq


def test_inside_a_callers_transaction_the_command_commits_with_it(trips, locks):
    table = started_table()
    trips.clear()
    locks.clear()
    last_seq = table.game.last_seq
    with pytest.raises(RuntimeError), transaction.atomic():
        table.run("chat", "A", channel="all", text="Rolled back with its caller")
        raise RuntimeError
    assert trips == [] and locks == [table.game_id]
    assert table.game.last_seq == last_seq and chat_texts(table) == []


def test_a_game_that_was_deleted_is_not_written(trips):
    table = started_table()
    game_id = table.game_id
    table.game.delete()
    trips.clear()
    with pytest.raises(Exception) as missing:
        table.run("chat", "A", channel="all", text="Nobody reads this")
    assert type(missing.value).__name__ == "DoesNotExist"
    assert trips == [False]
    assert not Event.objects.filter(game_id=game_id).exists()


@pytest.mark.parametrize("seed", range(2))
def test_rebuild_equals_cache_along_random_games_in_one_trip(trips, seed):
    """tests/game/test_services_rebuild's long random games, committed through the one-trip
    path where it applies (transactions of their own)."""
    play_random_game(seed)
    assert trips.count(True) > 20  # (a False is a repeated id: the steps reuse a few)


def test_a_state_advanced_from_another_process_broadcast_takes_the_trip_again(
    trips, locks, monkeypatch
):
    """Two processes: the other one commits, this one folds the events its broadcast carries
    into the state it holds, reaches the row's version, and its next command goes in one
    trip again instead of reading the row under the lock."""
    from datetime import datetime

    from game.models import Game
    from game.services import broadcast

    recorder = RecordingLayer()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: recorder)
    table = started_table()
    stale = statecache.state_latest(game_id=table.game_id)
    table.run("chat", "B", channel="team", text="Elsewhere")  # "the other process"
    table.run("offer_propose", "B", to=["A"], terms=[term("B", "s", ">=", 55)])
    hold_stale(table, stale)
    for _, message in recorder.sent[-2:]:
        assert statecache.state_advance(
            game_id=table.game_id,
            seq_from=message["seq_from"],
            seq=message["seq"],
            updated_at=datetime.fromisoformat(message["version"]),
            events=message["applied"],
        )
    game = table.game
    (seq, updated_at), state = statecache.state_latest(game_id=table.game_id)
    assert (seq, updated_at) == (game.last_seq, game.updated_at)
    assert state == Game.stored_state(table.game_id)
    trips.clear()
    locks.clear()
    table.run("offer_accept", "A", offer="o1")  # decided on the advanced state
    assert trips == [True] and locks == []
    _assert_log_is_the_truth(table)


def test_a_broadcast_that_does_not_follow_the_held_state_is_not_folded_in(monkeypatch):
    from datetime import datetime

    from game.services import broadcast

    recorder = RecordingLayer()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: recorder)
    table = started_table()
    stale = statecache.state_latest(game_id=table.game_id)
    table.run("chat", "B", channel="all", text="one")
    table.run("chat", "B", channel="all", text="two")
    hold_stale(table, stale)
    _, last = recorder.sent[-1]  # "two": the held state lacks "one"
    assert not statecache.state_advance(
        game_id=table.game_id,
        seq_from=last["seq_from"],
        seq=last["seq"],
        updated_at=datetime.fromisoformat(last["version"]),
        events=last["applied"],
    )
    assert statecache.state_latest(game_id=table.game_id) == stale
