"""The phase machine: start, advance, timers and ticks, pause/resume/extend, end."""

import pytest

from game.engine import PHASES
from game.engine.testing import inject, round_, term

TIMED = {"briefing": 60, "disclosure": 120, "negotiation": 300, "decision": 0}


def timed_table(make_table, **seconds):
    spec = TIMED | seconds
    return make_table(rounds=[round_("One", seconds=spec), round_("Two", seconds=spec)])


def tick(table, *, at, expected=None):
    table.now = at
    expected = expected or {"round": table.state["round"], "phase": table.state["phase"]}
    return table.run("tick", "system", expected=expected)


def test_start_enters_round_one_briefing_with_its_injects(make_table):
    """start → game_started, round_started, one inject_published per inject (to its
    audience), then phase_started(briefing)."""
    rounds = [round_("One", injects=[inject("Open"), inject("Secret", audience=["B"])])]
    table = make_table(started=False, rounds=rounds)
    events = table.run("start", "facilitator")
    assert table.kinds(events) == [
        "game_started",
        "round_started",
        "inject_published",
        "inject_published",
        "phase_started",
    ]
    assert [item["audience"] for item in events[2:4]] == ["all", ["B"]]
    assert events[1]["data"]["briefing"] == "Briefing of One."
    assert (table.state["status"], table.state["round"], table.state["phase"]) == (
        "running",
        1,
        "briefing",
    )


def test_a_game_may_start_with_empty_seats(make_table):
    table = make_table(started=False)
    table.run("start", "facilitator")
    assert table.state["players"] == {}


def test_advance_walks_the_five_phases_then_the_next_round_then_ends(trio):
    seen = [(trio.state["round"], trio.state["phase"])]
    while trio.state["status"] == "running":
        trio.run("advance", "facilitator")
        seen.append((trio.state["round"], trio.state["phase"]))
    assert seen[:6] == [(1, phase) for phase in PHASES] + [(2, "briefing")]
    assert seen[-2:] == [(2, "results"), (2, "results")]
    assert trio.state["status"] == "ended"
    assert trio.kinds()[-1] == "game_ended"


def test_results_phase_shows_the_debrief_questions(trio):
    trio.advance_to(1, "decision")
    events = trio.run("advance", "facilitator")
    assert events[-1]["data"] == {
        "round": 1,
        "phase": "results",
        "seconds": 0,
        "deadline": None,
        "remaining": None,
        "questions": ["What did you learn?"],
    }


def test_timed_phases_get_an_absolute_deadline_untimed_ones_none(make_table):
    table = timed_table(make_table)
    assert table.state["deadline"] == 1000 + 60
    table.now = 1010
    table.run("advance", "facilitator")
    assert table.state["deadline"] == 1010 + 120
    table.advance_to(1, "decision")
    assert table.state["deadline"] is None  # decision is 0 seconds: manual


def test_tick_advances_once_when_the_deadline_has_passed(make_table):
    table = timed_table(make_table)
    expected = {"round": 1, "phase": "briefing"}
    assert tick(table, at=1059, expected=expected) == []  # not yet
    events = tick(table, at=1060, expected=expected)
    assert table.kinds(events) == ["phase_started"]
    assert table.state["phase"] == "disclosure"
    # A second tick for the same phase (a racing process) is a no-op.
    assert tick(table, at=1061, expected=expected) == []
    assert table.state["phase"] == "disclosure"


def test_tick_carries_the_phase_end_side_effects(make_table):
    table = timed_table(make_table)
    table.advance_to(1, "negotiation")
    table.run("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)])
    events = tick(table, at=table.state["deadline"])
    assert table.kinds(events) == ["offer_expired", "phase_started"]


def test_tick_is_a_no_op_untimed_in_the_lobby_paused_and_after_the_end(make_table):
    untimed = timed_table(make_table, briefing=0)
    assert tick(untimed, at=10**9) == []
    lobby = make_table(started=False)
    assert tick(lobby, at=10**9, expected={"round": 0, "phase": None}) == []
    table = timed_table(make_table)
    table.run("pause", "facilitator")
    assert tick(table, at=10**9, expected={"round": 1, "phase": "briefing"}) == []
    table.run("end", "facilitator")
    assert tick(table, at=10**9, expected={"round": 1, "phase": "briefing"}) == []


def test_tick_payload_is_checked(make_table):
    table = timed_table(make_table)
    assert table.refuse("tick", "system").code == "invalid"
    assert table.refuse("tick", "system", expected=[1]).code == "invalid"
    assert table.refuse("tick", "system", expected={"round": "1"}).code == "invalid"
    assert table.refuse("tick", "system", expected={"round": 1, "phase": 3}).code == "invalid"
    assert table.refuse("tick", "facilitator", expected={"round": 1}).code == "not_system"


def test_pause_freezes_the_timer_and_resume_restarts_it(make_table):
    table = timed_table(make_table)
    table.now = 1020
    [paused] = table.run("pause", "facilitator")
    assert paused["data"] == {"remaining": 40}
    assert (table.state["paused"], table.state["deadline"], table.state["remaining"]) == (
        True,
        None,
        40,
    )
    table.now = 5000
    [resumed] = table.run("resume", "facilitator")
    assert resumed["data"] == {"deadline": 5040}
    assert (table.state["paused"], table.state["remaining"]) == (False, None)


def test_pause_after_the_deadline_leaves_zero_seconds(make_table):
    table = timed_table(make_table)
    table.now = 2000
    table.run("pause", "facilitator")
    assert table.state["remaining"] == 0


def test_advancing_while_paused_keeps_the_new_phase_frozen(make_table):
    table = timed_table(make_table)
    table.run("pause", "facilitator")
    table.run("advance", "facilitator")
    assert table.state["phase"] == "disclosure"
    assert (table.state["deadline"], table.state["remaining"]) == (None, 120)
    table.now = 3000
    table.run("resume", "facilitator")
    assert table.state["deadline"] == 3120


def test_pause_and_resume_errors(trio):
    assert trio.refuse("resume", "facilitator").code == "not_paused"
    trio.run("pause", "facilitator")
    assert trio.refuse("pause", "facilitator").code == "already_paused"
    assert trio.refuse("pause", "A").code == "not_facilitator"


def test_paused_game_refuses_player_game_commands_but_allows_chat(trio):
    trio.advance_to(1, "negotiation")
    trio.run("pause", "facilitator")
    error = trio.refuse("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)])
    assert error.code == "paused"
    assert trio.run("chat", "A", channel="all", text="Still here?")
    assert trio.run("inject", "facilitator", title="News", body="Text", audience="all")


def test_extend_adds_seconds_to_the_deadline_or_the_frozen_remainder(make_table):
    table = timed_table(make_table)
    [extended] = table.run("extend", "facilitator", seconds=30)
    assert extended["data"] == {"seconds": 30, "deadline": 1090, "remaining": None}
    assert table.state["deadline"] == 1090
    table.run("pause", "facilitator")
    table.run("extend", "facilitator", seconds=15)
    assert table.state["remaining"] == 105


def test_extend_after_the_deadline_counts_from_now(make_table):
    table = timed_table(make_table)
    table.now = 1100
    table.run("extend", "facilitator", seconds=30)
    assert table.state["deadline"] == 1130


def test_extend_checks_its_seconds_and_needs_a_timer(make_table):
    table = timed_table(make_table)
    assert table.refuse("extend", "facilitator", seconds=0).code == "out_of_range"
    assert table.refuse("extend", "facilitator", seconds=3601).code == "out_of_range"
    assert table.refuse("extend", "facilitator", seconds=1.5).code == "invalid"
    assert table.refuse("extend", "facilitator", seconds=True).code == "invalid"
    assert table.refuse("extend", "facilitator").code == "invalid"
    table.advance_to(1, "decision")
    assert table.refuse("extend", "facilitator", seconds=30).code == "untimed"


def test_status_errors(make_table):
    lobby = make_table(started=False)
    assert lobby.refuse("advance", "facilitator").code == "game_not_running"
    assert lobby.refuse("pause", "facilitator").code == "game_not_running"
    lobby.run("start", "facilitator")
    assert lobby.refuse("start", "facilitator").code == "already_started"
    lobby.run("end", "facilitator")
    for command in ("start", "advance", "end", "pause"):
        assert lobby.refuse(command, "facilitator").code == "game_ended"


def test_end_from_the_lobby_and_end_clears_the_timer(make_table):
    lobby = make_table(started=False)
    [ended] = lobby.run("end", "facilitator")
    assert ended["data"]["final"] == {
        "roles": {"A": None, "B": None, "C": None},
        "coalition": None,
        "rounds": 0,
    }
    table = timed_table(make_table)
    table.run("pause", "facilitator")
    table.run("end", "facilitator")
    assert (table.state["deadline"], table.state["paused"], table.state["status"]) == (
        None,
        False,
        "ended",
    )


@pytest.mark.parametrize("command", ["start", "advance", "pause", "resume", "extend", "end"])
def test_only_the_facilitator_moves_the_clock(trio, command):
    assert trio.refuse(command, "A").code == "not_facilitator"
    assert trio.refuse(command, "system").code == "not_facilitator"
