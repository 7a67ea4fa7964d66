"""Sealed team decisions: partial drafts, lock, unlock."""

import pytest


@pytest.fixture
def deciding(trio):
    trio.advance_to(1, "decision")
    return trio


def test_a_partial_draft_merges_onto_the_standing_decision(deciding):
    [drafted] = deciding.run("decision_set", "A", values={"s": 70})
    assert drafted["audience"] == ["A"]
    assert drafted["data"] == {"role": "A", "values": {"s": 70, "e": 8}}
    deciding.run("decision_set", "A", values={"e": 6})
    assert deciding.state["drafts"]["A"] == {"values": {"s": 70, "e": 6}, "locked": False}


def test_setting_the_same_draft_again_is_a_no_op(deciding):
    deciding.run("decision_set", "A", values={"s": 70})
    assert deciding.run("decision_set", "A", values={"s": 70}) == []


def test_lock_seals_the_current_values_and_unlock_reopens(deciding):
    [locked] = deciding.run("decision_lock", "B")
    assert locked["audience"] == ["B"]
    assert locked["data"] == {"role": "B", "values": {"s": 20, "e": 4}}
    assert deciding.refuse("decision_set", "B", values={"s": 25}).code == "locked"
    assert deciding.refuse("decision_lock", "B").code == "already_locked"
    [unlocked] = deciding.run("decision_unlock", "B")
    assert unlocked["audience"] == ["B"]
    assert deciding.refuse("decision_unlock", "B").code == "not_locked"
    deciding.run("decision_set", "B", values={"s": 25})
    assert deciding.state["drafts"]["B"]["values"] == {"s": 25, "e": 4}


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"g": 3}, "not_your_lever"),
        ({"oil": 3}, "unknown_lever"),
        ({"s": 101}, "out_of_range"),
        ({"s": -5}, "out_of_range"),
        ({"s": 33}, "off_step"),
        ({"s": "70"}, "invalid"),
        ({"s": None}, "invalid"),
        ({}, "invalid"),
        ([70], "invalid"),
        ("s=70", "invalid"),
    ],
)
def test_drafts_are_checked(deciding, values, code):
    assert deciding.refuse("decision_set", "A", values=values).code == code


def test_a_rejected_draft_changes_nothing(deciding):
    before = deciding.state
    deciding.refuse("decision_set", "A", values={"s": 70, "e": 11})
    assert deciding.state is before


def test_float_steps_are_accepted_on_the_grid(make_table):
    from game.engine.testing import lever

    table = make_table(
        levers=[
            lever("s", holders={"A": (0.5, 1), "B": (0.2, 1), "C": (0.1, 1)}, high=1, step=0.1),
            lever("e", holders={"A": (8, 3), "B": (4, 2)}, high=10, pressure="down"),
            lever("g", holders={"C": (0, 1)}, high=10),
        ],
        red_lines=[],
    )
    table.advance_to(1, "decision")
    table.run("decision_set", "A", values={"s": 0.7})
    table.run("decision_set", "B", values={"s": 0.3})
    assert table.refuse("decision_set", "C", values={"s": 0.25}).code == "off_step"


@pytest.mark.parametrize("command", ["decision_set", "decision_lock", "decision_unlock"])
def test_decisions_only_during_the_decision_phase(trio, command):
    trio.advance_to(1, "negotiation")
    error = trio.refuse(command, "A", values={"s": 70})
    assert error.code == "wrong_phase"
    assert "the game is in the negotiation phase" in error.message


def test_decisions_are_refused_while_paused(deciding):
    deciding.run("pause", "facilitator")
    assert deciding.refuse("decision_lock", "A").code == "paused"


def test_drafts_reset_each_round(deciding):
    deciding.run("decision_set", "A", values={"s": 70})
    deciding.advance_to(2, "decision")
    assert deciding.state["drafts"] == {}
