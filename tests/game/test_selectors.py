"""Reads of game data (game.selectors): always through the engine's view, and consistent."""

import pytest
from game_tables import FACILITATOR

from game import selectors
from game.models import Game
from game.services.seating import player_move, player_remove

pytestmark = pytest.mark.django_db

A = {"kind": "player", "role": "A"}


def test_game_seated_snapshot_is_the_viewers_view_at_the_last_seq(table):
    table.start()
    actor, snapshot = selectors.game_seated_snapshot(
        game_id=table.game_id, actor=table.players["A"]
    )
    assert actor == table.players["A"]
    assert snapshot["seq"] == table.game.last_seq
    assert snapshot["view"]["viewer"] == A | snapshot["view"]["viewer"]
    assert "SECRET-INJECT-B" not in str(snapshot)
    _, facilitator = selectors.game_seated_snapshot(game_id=table.game_id, actor=FACILITATOR)
    assert "SECRET-INJECT-B" in str(facilitator)


def test_game_events_since_returns_the_visible_events_after_a_seq(table):
    table.start()
    start_seq = table.game.last_seq
    table.advance_to(1, "disclosure")
    table.run(
        "disclosure_set",
        "B",
        choices=[{"red_line": "b-sanctions", "to": "all", "level": "existence"}],
    )
    table.run("chat", "A", channel="all", text="hello")
    frame = selectors.game_events_since(game_id=table.game_id, seq=start_seq, viewer=A)
    assert frame["seq_from"] == start_seq + 1
    assert frame["seq"] == table.game.last_seq
    kinds = [event["kind"] for event in frame["events"]]
    assert kinds == ["phase_started", "chat_posted"]  # not B's sealed draft
    assert all(event["seq"] > start_seq for event in frame["events"])


def test_game_events_since_stops_at_the_seq_it_reports(table, monkeypatch):
    """A command committed between reading the game and reading its events is left to its
    own broadcast: the frame never holds events beyond its `seq`, or a resuming socket would
    receive them twice."""
    table.start()
    stale = Game.objects.get(pk=table.game_id)
    table.run("chat", "A", channel="all", text="committed in between")
    monkeypatch.setattr(
        selectors, "game_current_state", lambda game_id: (stale.last_seq, stale.state)
    )

    frame = selectors.game_events_since(game_id=table.game_id, seq=stale.last_seq - 2, viewer=A)

    assert frame["seq"] == stale.last_seq
    # seq - 1 is the inject for B only; the chat committed in between is not in the frame.
    assert [event["seq"] for event in frame["events"]] == [stale.last_seq]


def test_game_events_since_gives_up_when_too_far_behind(table, monkeypatch):
    monkeypatch.setattr(selectors, "RESUME_MAX_EVENTS", 3)
    table.start()
    last_seq = table.game.last_seq
    assert selectors.game_events_since(game_id=table.game_id, seq=last_seq - 4, viewer=A) is None
    assert selectors.game_events_since(game_id=table.game_id, seq=last_seq - 3, viewer=A)


def test_game_seated_snapshot_follows_the_seat_the_log_gives(table):
    """A moved player's snapshot is its new team's; a removed player gets none."""
    player = table.players["A"]
    player_move(game=table.game, player_id=player.player_id, role="C", actor=FACILITATOR)
    actor, snapshot = selectors.game_seated_snapshot(game_id=table.game_id, actor=player)
    assert actor.role == "C" and snapshot["view"]["viewer"]["role"] == "C"
    player_remove(game=table.game, player_id=player.player_id, actor=FACILITATOR)
    assert selectors.game_seated_snapshot(game_id=table.game_id, actor=player) == (None, {})
