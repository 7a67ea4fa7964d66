"""game_tick_due: timed phases advance at their deadline, exactly once (DESIGN §3)."""

import pytest
from game_tables import ServiceTable, timed_snapshot, trio_snapshot

from game.models import Event, Game
from game.services import game_tick_due

pytestmark = pytest.mark.django_db


def _started(seconds: int = 60, now: float = 1000.0) -> ServiceTable:
    table = ServiceTable.create(timed_snapshot(seconds=seconds), now=now)
    table.start()
    return table


def _phase_starts(table) -> int:
    return Event.objects.filter(game_id=table.game_id, kind="phase_started").count()


def test_nothing_happens_before_the_deadline():
    table = _started()
    before = table.game
    assert before.deadline == 1060.0
    assert game_tick_due(now=1059.999) == 0
    after = table.game
    assert (after.last_seq, after.state) == (before.last_seq, before.state)


def test_a_due_phase_advances_once_even_when_ticked_twice_at_the_same_time():
    table = _started()
    starts = _phase_starts(table)

    assert game_tick_due(now=1060.0) == 1
    assert game_tick_due(now=1060.0) == 0

    game = table.game
    assert (game.state["round"], game.state["phase"]) == (1, "disclosure")
    assert game.deadline == 1120.0
    assert _phase_starts(table) == starts + 1
    tick = Event.objects.filter(game=game).order_by("-seq").first()
    assert tick.actor == {"kind": "system", "name": "system"}
    assert tick.at.timestamp() == 1060.0


def test_a_late_tick_advances_one_phase_only():
    """A tick long after the deadline advances one phase; the next phase's deadline is
    counted from the tick, so the following phase is not skipped."""
    table = _started()
    assert game_tick_due(now=5000.0) == 1
    game = table.game
    assert game.state["phase"] == "disclosure"
    assert game.deadline == 5060.0
    assert game_tick_due(now=5000.0) == 0


def test_a_paused_game_is_never_due():
    table = _started()
    table.run("pause", "facilitator", now=1010.0)
    assert table.game.deadline is None
    assert game_tick_due(now=10**9) == 0
    assert table.state["phase"] == "briefing"

    table.run("resume", "facilitator", now=2000.0)
    assert table.game.deadline == 2050.0
    assert game_tick_due(now=2049.0) == 0
    assert game_tick_due(now=2050.0) == 1
    assert table.state["phase"] == "disclosure"


def test_extend_moves_the_deadline():
    table = _started()
    table.run("extend", "facilitator", seconds=30, now=1030.0)
    assert table.game.deadline == 1090.0
    assert game_tick_due(now=1060.0) == 0
    assert game_tick_due(now=1090.0) == 1


def test_lobby_ended_and_untimed_games_are_never_due(make_table):
    lobby = ServiceTable.create(timed_snapshot())
    untimed = make_table(trio_snapshot())
    untimed.start()
    ended = _started()
    ended.run("end", "facilitator")
    assert [t.game.deadline for t in (lobby, untimed, ended)] == [None, None, None]
    assert game_tick_due(now=10**9) == 0
    assert Game.objects.filter(status="running").count() == 1  # the untimed one


def test_every_due_game_is_ticked_up_to_the_limit():
    tables = [_started(now=1000.0 + n) for n in range(4)]
    assert game_tick_due(now=1061.0) == 2  # due at 1060 and 1061; not 1062 and 1063
    assert game_tick_due(now=1063.0, limit=1) == 1
    assert game_tick_due(now=1063.0, limit=10) == 1
    assert game_tick_due(now=1063.0) == 0
    assert all(t.state["phase"] == "disclosure" for t in tables)


def test_ticks_drive_a_timed_game_to_the_end():
    """Only the timer: every phase ends at its deadline (results is untimed: the
    facilitator moves on), and each tick advances exactly one phase."""
    table = _started(seconds=60)
    now = 1000.0
    for _ in range(50):
        game = table.game
        if game.status == Game.Status.ENDED:
            break
        if game.deadline is None:
            now += 1
            table.run("advance", "facilitator", now=now)
            continue
        now = game.deadline
        assert game_tick_due(now=now - 0.001) == 0
        assert game_tick_due(now=now) == 1
        assert game_tick_due(now=now) == 0
    assert table.game.status == Game.Status.ENDED
    assert len(table.state["results"]) == 2
