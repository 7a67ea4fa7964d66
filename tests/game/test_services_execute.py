"""game_execute: the one path by which commands change a game (DESIGN §2)."""

from datetime import UTC, datetime

import pytest
from game_tables import FACILITATOR, ServiceTable, timed_snapshot

from game import engine
from game.engine.testing import term
from game.models import CommandReceipt, Event, Game
from game.services import Actor, CommandRefused, game_execute, game_rebuild_state, player_join

pytestmark = pytest.mark.django_db


def test_events_get_gapless_seqs_from_one_and_their_context(table):
    """Every event is stored with the next seq, the round and phase it happened in, who caused
    it, when, and its audience; the command's result returns the stored events."""
    table.start()
    table.advance_to(1, "disclosure")
    choices = [{"red_line": "a-energy", "to": ["C"], "level": "full"}]
    result = table.run("disclosure_set", "A", choices=choices, now=1234.5)

    events = table.events()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.kind for e in events[:3]] == ["player_joined"] * 3
    assert all(e.actor == {"kind": "system", "name": "system"} for e in events[:3])

    drafted = events[-1]
    assert result.seq == drafted.seq == table.game.last_seq
    assert result.duplicate is False
    assert result.events == [drafted.as_dict()]
    assert drafted.kind == "disclosure_drafted"
    assert (drafted.round, drafted.phase) == (1, "disclosure")
    assert drafted.audience == ["A"]
    assert drafted.data == {"role": "A", "choices": choices}
    assert drafted.at == datetime.fromtimestamp(1234.5, tz=UTC)
    player = table.players["A"]
    assert drafted.actor == {
        "kind": "player",
        "name": "Player A",
        "role": "A",
        "player_id": player.player_id,
    }
    # The facilitator's commands are logged as the facilitator's.
    start = Event.objects.get(game_id=table.game_id, kind="game_started")
    assert start.actor == {"kind": "facilitator", "name": "Facilitator"}
    assert (start.round, start.phase) == (0, "")


def test_each_event_is_stamped_with_the_position_before_it(table):
    """An event's round and phase are those of the game just before it was applied."""
    table.start()
    table.advance_to(2, "negotiation")
    state = engine.initial_state(table.game.snapshot, seed=table.game.seed)
    for row in table.events():
        assert (row.round, row.phase) == (state["round"], state["phase"] or ""), row
        state = engine.apply(state, row.as_dict())


def test_the_cached_state_status_and_deadline_follow_the_log():
    """After each command the game row holds the engine state after its last event, the
    status and the deadline of the phase (none when untimed)."""
    table = ServiceTable.create(timed_snapshot(seconds=60), now=5000.0)
    table.seat_everyone()
    game = table.game
    assert (game.status, game.deadline, game.last_seq) == ("lobby", None, 3)

    table.run("start", "facilitator")
    game = table.game
    assert game.status == Game.Status.RUNNING
    assert game.deadline == 5060.0 == game.state["deadline"]
    assert (game.state["round"], game.state["phase"]) == (1, "briefing")
    assert game.last_seq == Event.objects.filter(game=game).count()

    table.run("pause", "facilitator", now=5010.0)
    game = table.game
    assert game.deadline is None
    assert game.state["remaining"] == 50.0

    table.run("resume", "facilitator", now=6000.0)
    assert table.game.deadline == 6050.0

    table.run("end", "facilitator", now=6001.0)
    game = table.game
    assert (game.status, game.deadline) == (Game.Status.ENDED, None)
    assert game.state["end_reason"] == "facilitator"


def test_a_command_with_no_events_changes_nothing(table):
    """A tick for a phase the game has left decides no events: nothing is appended."""
    table.start()
    before = table.game
    result = table.run("tick", "system", expected={"round": 1, "phase": "decision"})
    assert result.events == []
    assert result.seq == before.last_seq
    assert table.game.state == before.state


# --- refusals -------------------------------------------------------------------------------


def _lobby(t):
    pass


def _briefing(t):
    t.start()


def _negotiation(t):
    t.advance_to(1, "negotiation")


def _decision(t):
    t.advance_to(1, "decision")


def _paused(t):
    _decision(t)
    t.run("pause", "facilitator")


def _ended(t):
    t.start()
    t.run("end", "facilitator")


def _offer(t):
    """A offers B to keep s at 55 or more."""
    _negotiation(t)
    t.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])


def _withdrawn_offer(t):
    _offer(t)
    t.run("offer_withdraw", "A", offer="o1")


def _offer_accepted_by_b(t):
    """A offers B and C; B has accepted, C not yet: the offer is still open."""
    _negotiation(t)
    t.run("offer_propose", "A", to=["B", "C"], terms=[term("A", "s", ">=", 55)])
    t.run("offer_accept", "B", offer="o1")


def _revealed(t):
    """A has shown its red line a-energy to B in full."""
    _negotiation(t)
    t.run("reveal", "A", red_line="a-energy", to=["B"], level="full")


def _locked(t):
    _decision(t)
    t.run("decision_lock", "A")


def _join_again(t):
    return {"player_id": t.players["A"].player_id, "name": "Again", "role": "A"}


REFUSALS = {
    "invalid": (_briefing, "A", "chat", {"channel": "all", "text": "   "}),
    "unknown_command": (_briefing, "A", "fly_away", {}),
    "unknown_role": (_briefing, "A", "chat", {"channel": ["A", "ZZ"], "text": "hello"}),
    "unknown_lever": (_decision, "A", "decision_set", {"values": {"zz": 1}}),
    "unknown_red_line": (
        _negotiation,
        "A",
        "reveal",
        {"red_line": "b-sanctions", "to": "all", "level": "full"},
    ),
    "unknown_offer": (_offer, "C", "offer_accept", {"offer": "o1"}),
    "unknown_player": (_lobby, "facilitator", "player_move", {"player_id": 99999, "role": "B"}),
    "not_facilitator": (_briefing, "A", "advance", {}),
    "not_player": (_decision, "facilitator", "decision_lock", {}),
    "not_system": (_briefing, "facilitator", "tick", {"expected": {"round": 1, "phase": "x"}}),
    "game_not_running": (_lobby, "A", "chat", {"channel": "all", "text": "hello"}),
    "game_ended": (_ended, "A", "chat", {"channel": "all", "text": "hello"}),
    "already_started": (_briefing, "facilitator", "start", {}),
    "wrong_phase": (
        _briefing,
        "A",
        "offer_propose",
        {"to": ["B"], "terms": [term("A", "s", ">=", 55)]},
    ),
    "paused": (_paused, "A", "decision_set", {"values": {"s": 55}}),
    "already_paused": (_paused, "facilitator", "pause", {}),
    "not_paused": (_briefing, "facilitator", "resume", {}),
    "untimed": (_briefing, "facilitator", "extend", {"seconds": 60}),
    "already_joined": (_briefing, "system", "player_join", _join_again),
    "not_your_red_line": (
        _revealed,
        "B",
        "reveal",
        {"red_line": "a-energy", "to": ["C"], "level": "full"},
    ),
    "already_revealed": (
        _revealed,
        "A",
        "reveal",
        {"red_line": "a-energy", "to": ["B"], "level": "full"},
    ),
    "not_party": (_briefing, "A", "chat", {"channel": ["B"], "text": "psst"}),
    "not_addressee": (_offer, "A", "offer_accept", {"offer": "o1"}),
    "not_proposer": (_offer, "B", "offer_withdraw", {"offer": "o1"}),
    "offer_not_open": (_withdrawn_offer, "B", "offer_accept", {"offer": "o1"}),
    "already_responded": (_offer_accepted_by_b, "B", "offer_accept", {"offer": "o1"}),
    "term_party": (
        _negotiation,
        "A",
        "offer_propose",
        {"to": ["B"], "terms": [term("C", "g", ">=", 4)]},
    ),
    "not_your_lever": (_decision, "C", "decision_set", {"values": {"e": 5}}),
    "out_of_range": (_decision, "A", "decision_set", {"values": {"s": 105}}),
    "off_step": (_decision, "A", "decision_set", {"values": {"s": 52}}),
    "locked": (_locked, "A", "decision_set", {"values": {"s": 55}}),
    "already_locked": (_locked, "A", "decision_lock", {}),
    "not_locked": (_decision, "A", "decision_unlock", {}),
    "not_scored": (
        _briefing,
        "facilitator",
        "adjust_score",
        {"role": "A", "round": 1, "delta": 5, "reason": "Good work"},
    ),
    "unchanged": (_ended, "facilitator", "reveal_chat", {"reveal": False}),
}


def test_every_engine_refusal_is_covered():
    """The refusal table below reaches every error code the engine documents."""
    assert set(REFUSALS) == set(engine.ERROR_CODES)


def _footprint(game_id: int) -> dict:
    game = Game.objects.get(pk=game_id)
    return {
        "state": game.state,
        "last_seq": game.last_seq,
        "status": game.status,
        "deadline": game.deadline,
        "updated_at": game.updated_at,
        "events": Event.objects.filter(game_id=game_id).count(),
        "receipts": CommandReceipt.objects.filter(game_id=game_id).count(),
    }


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_a_refused_command_raises_the_engine_code_and_changes_nothing(table, code):
    """CommandRefused carries the engine's code and message; no event, no receipt, the same
    state and last_seq; the refusal's client id stays free for a corrected retry."""
    setup, by, type_, payload = REFUSALS[code]
    setup(table)
    if callable(payload):
        payload = payload(table)
    before = _footprint(table.game_id)

    refused = table.refuse(type_, by, client_id="cmd-1", **payload)

    assert refused.code == code
    assert refused.message and refused.message == str(refused)
    assert _footprint(table.game_id) == before


def test_a_refused_client_id_can_be_used_again(table):
    """A refusal stores no receipt: the same client id with a corrected command is applied."""
    table.start()
    with pytest.raises(CommandRefused):
        table.run("chat", "A", client_id="c1", channel="all", text="")
    result = table.run("chat", "A", client_id="c1", channel="all", text="Hello")
    assert result.duplicate is False
    assert [e["kind"] for e in result.events] == ["chat_posted"]


def test_a_player_cannot_act_for_another_role(table):
    """The service passes the authenticated actor's role, whatever the payload claims."""
    table.advance_to(1, "decision")
    result = table.run("decision_set", "B", values={"s": 40}, role="A", actor={"role": "A"})
    assert result.events[0]["data"]["role"] == "B"
    assert table.state["drafts"]["B"]["values"]["s"] == 40
    assert "A" not in table.state["drafts"] or table.state["drafts"]["A"]["values"]["s"] == 50


# --- idempotency ----------------------------------------------------------------------------


def test_a_repeated_client_id_returns_the_first_seq_and_appends_nothing(table):
    """The same client id from the same actor is answered with the first result's seq."""
    table.start()
    first = table.run("chat", "A", client_id="m-1", channel="all", text="Once")
    table.run("chat", "B", channel="all", text="In between")
    before = _footprint(table.game_id)

    again = table.run("chat", "A", client_id="m-1", channel="all", text="Once")
    different = table.run("chat", "A", client_id="m-1", channel="all", text="Other text")

    assert (again.seq, again.duplicate, again.events) == (first.seq, True, [])
    assert (different.seq, different.duplicate) == (first.seq, True)
    assert _footprint(table.game_id) == before
    assert [c["text"] for c in table.state["chat"]] == ["Once", "In between"]


def test_a_repeated_proposal_is_answered_with_the_offer_it_created(table):
    """Deciding the repeat again would make a second offer: the id's receipt answers it with
    the first offer instead, and nothing is written."""
    table.advance_to(1, "negotiation")
    terms = [term("A", "s", ">=", 55)]
    first = table.run("offer_propose", "A", client_id="p-1", to=["B"], terms=terms)
    before = _footprint(table.game_id)
    again = table.run("offer_propose", "A", client_id="p-1", to=["B"], terms=terms)
    assert first.created == {"offer": "o1"}
    assert (again.seq, again.duplicate, again.created) == (first.seq, True, {"offer": "o1"})
    assert _footprint(table.game_id) == before


def test_a_repeat_that_would_now_be_refused_is_answered_as_the_first_time(table):
    """The offer it accepted has closed since, so deciding the accept again is refused; the
    repeat is still answered with the first result rather than that refusal."""
    table.advance_to(1, "negotiation")
    table.run("offer_propose", "A", to=["B"], terms=[term("A", "s", ">=", 55)])
    first = table.run("offer_accept", "B", client_id="a-1", offer="o1")
    before = _footprint(table.game_id)
    again = table.run("offer_accept", "B", client_id="a-1", offer="o1")
    assert (again.seq, again.duplicate) == (first.seq, True)
    assert _footprint(table.game_id) == before
    with pytest.raises(CommandRefused) as refused:  # a new id is decided, and refused
        table.run("offer_accept", "B", client_id="a-2", offer="o1")
    assert refused.value.code != "invalid"
    assert _footprint(table.game_id) == before


def test_the_row_a_command_rewrites_reads_back_as_the_state_it_kept(table):
    """The game row written by a command holds exactly the state the engine reached (the
    scenario excepted, which the snapshot restores), with its new last_seq and status."""
    table.start()
    result = table.run("chat", "A", client_id="c-1", channel="all", text="Stored")
    game = Game.objects.get(pk=table.game_id)
    replayed = engine.initial_state(game.snapshot, seed=game.seed)
    for row in table.events():
        replayed = engine.apply(replayed, row.as_dict())
    assert game.state == replayed
    assert (game.last_seq, game.status) == (result.seq, "running")
    receipt = CommandReceipt.objects.get(game_id=table.game_id, client_id="c-1")
    assert (receipt.seq, receipt.actor_key) == (result.seq, table.players["A"].key)


def test_the_same_client_id_from_another_actor_is_applied(table):
    """Client ids are per actor: another player's or the facilitator's 'm-1' is new."""
    table.start()
    first = table.run("chat", "A", client_id="m-1", channel="all", text="From A")
    second = table.run("chat", "B", client_id="m-1", channel="all", text="From B")
    third = table.run("chat", "facilitator", client_id="m-1", channel="all", text="From F")
    assert not (second.duplicate or third.duplicate)
    assert first.seq < second.seq < third.seq
    assert [c["text"] for c in table.state["chat"]] == ["From A", "From B", "From F"]


def test_two_players_of_one_team_have_their_own_client_ids(table):
    """Two people on the same team are different actors."""
    player, _ = player_join(game=table.game, name="Second A", role="A")
    table.start()
    other = Actor(kind="player", role="A", player_id=player.pk, name=player.name)
    table.run("chat", "A", client_id="x", channel="team", text="one")
    result = game_execute(
        game_id=table.game_id,
        actor=other,
        command={"type": "chat", "channel": "team", "text": "two"},
        client_id="x",
        now=table.now,
    )
    assert result.duplicate is False
    assert len(table.state["chat"]) == 2


def test_a_command_without_events_still_answers_its_client_id(table):
    """An accepted no-op (a repeated identical draft) records its id like any command."""
    table.advance_to(1, "decision")
    table.run("decision_set", "A", client_id="d1", values={"s": 55})
    noop = table.run("decision_set", "A", client_id="d2", values={"s": 55})
    assert noop.events == []
    assert table.run("decision_set", "A", client_id="d2", values={"s": 60}).duplicate
    assert table.state["drafts"]["A"]["values"]["s"] == 55


def test_a_client_id_longer_than_the_receipt_column_is_refused(table):
    """Receipts keep ids up to 100 characters; a longer id is refused as invalid rather than
    failing in the database (PostgreSQL) or being silently kept whole (SQLite)."""
    table.start()
    before = _footprint(table.game_id)
    with pytest.raises(CommandRefused) as refused:
        table.run("chat", "A", client_id="x" * 101, channel="all", text="hi")
    assert refused.value.code == "invalid"
    assert _footprint(table.game_id) == before
    assert not table.run("chat", "A", client_id="x" * 100, channel="all", text="hi").duplicate


def test_facilitators_are_told_apart_by_user(table):
    """Two staff users sending the same client id are two commands."""
    table.start()
    one = Actor(kind="facilitator", user_id=1, name="one")
    two = Actor(kind="facilitator", user_id=2, name="two")
    for actor in (one, two, FACILITATOR):
        result = game_execute(
            game_id=table.game_id,
            actor=actor,
            command={"type": "note", "text": f"note by {actor.name}"},
            client_id="n",
            now=table.now,
        )
        assert not result.duplicate
    assert len(table.state["notes"]) == 3


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "a\udfffb"])
@pytest.mark.parametrize(
    "where",
    ["text", "channel", "nested", "key", "client_id"],
)
def test_text_the_database_cannot_store_is_refused(table, bad, where):
    """NUL characters and unpaired surrogates (both reachable through JSON escapes) are
    refused as invalid, instead of failing in the database: PostgreSQL rejects them in JSON
    and text columns, and neither back end can encode a lone surrogate as UTF-8."""
    table.start()
    before = _footprint(table.game_id)
    command = {"channel": "all", "text": "hello"}
    client_id = None
    if where == "text":
        command["text"] = f"hi {bad}"
    elif where == "channel":
        command["channel"] = ["A", f"B{bad}"]
    elif where == "nested":
        command["extra"] = {"deep": [[f"{bad}"]]}
    elif where == "key":
        command[f"k{bad}"] = 1
    else:
        client_id = f"id-{bad}"
    with pytest.raises(CommandRefused) as refused:
        table.run("chat", "A", client_id=client_id, **command)
    assert refused.value.code == "invalid"
    assert _footprint(table.game_id) == before


def test_text_in_any_script_is_stored_and_read_back_as_sent(table):
    """The state and the events are encoded by orjson (game.services.commandsql), which
    writes text as UTF-8 where Django's JSONField escapes it: a message in other scripts,
    with a line separator and an emoji, reads back from the event row and the game row as
    sent, and the log still rebuilds the state."""
    table.start()
    text = "Tōkyō 東京 — Seoul 서울\u2028Kyiv Київ ✓ 🇺🇦"
    result = table.run("chat", "A", client_id="utf-1", channel="all", text=text)

    stored = Event.objects.get(game_id=table.game_id, seq=result.seq)
    assert stored.data["text"] == text
    game = Game.objects.get(pk=table.game_id)
    assert game.state["chat"][-1]["text"] == text
    assert game_rebuild_state(game=game) == game.state


def test_the_state_text_reuses_unchanged_values_and_equals_the_whole_encoding():
    """commandsql.state_text: the column's JSON of a state (no scenario), each top-level value
    encoded again only when it is not the very object written last for the game; an equal
    but new object, or another game, is encoded afresh."""
    import json

    from game.services import commandsql

    offers = [{"id": "o-1", "text": "Seoul 서울"}]
    first = {"scenario": {"big": 1}, "offers": offers, "round": 1, "chat": []}
    assert json.loads(commandsql.state_text(901, first)[0]) == {
        "offers": offers,
        "round": 1,
        "chat": [],
    }
    # The same object changed in place (which the engine never does) keeps its old text:
    # proof that it was not encoded again.
    offers.append({"id": "o-2"})
    second = {**first, "round": 2}
    assert json.loads(commandsql.state_text(901, second)[0])["offers"] == [offers[0]]
    assert json.loads(commandsql.state_text(902, second)[0])["offers"] == offers  # another game
    third = {**second, "offers": list(offers)}  # a new object: encoded afresh
    assert json.loads(commandsql.state_text(901, third)[0]) == {
        "offers": offers,
        "round": 2,
        "chat": [],
    }
