"""Facilitator acts: ad-hoc injects, notes, score adjustments."""

import pytest


def test_adhoc_inject_is_text_only_and_goes_to_its_audience(trio):
    [published] = trio.run(
        "inject", "facilitator", title="Flash", body="Markets fall.", audience=["C", "A"]
    )
    assert published["audience"] == ["A", "C"]
    assert published["data"] == {
        "round": 1,
        "index": None,
        "title": "Flash",
        "body": "Markets fall.",
        "audience": ["A", "C"],
        "effects": [],
        "adhoc": True,
    }
    assert trio.state["injects"][-1]["adhoc"] is True


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"title": "", "body": "b", "audience": "all"}, "invalid"),
        ({"title": "t", "body": "b"}, "invalid"),
        ({"title": "t", "body": "b", "audience": []}, "invalid"),
        ({"title": "t", "body": "b", "audience": ["X"]}, "unknown_role"),
        ({"title": "t" * 201, "body": "b", "audience": "all"}, "invalid"),
        ({"title": "t", "body": None, "audience": "all"}, "invalid"),
    ],
)
def test_inject_is_checked(trio, payload, code):
    assert trio.refuse("inject", "facilitator", **payload).code == code


def test_notes_are_for_the_facilitator_only_in_any_status(make_table):
    table = make_table(started=False)
    [noted] = table.run("note", "facilitator", text="Room is late")
    assert noted["audience"] == "facilitator"
    assert noted["data"] == {"text": "Room is late", "round": 0, "phase": None}
    table.run("start", "facilitator")
    table.run("end", "facilitator")
    assert table.run("note", "facilitator", text="Good debrief")
    assert table.refuse("note", "facilitator", text=" ").code == "invalid"
    assert table.refuse("note", "A", text="mine").code == "not_facilitator"


def scored_round(table):
    table.advance_to(1, "decision")
    table.run("advance", "facilitator")


def test_adjust_score_changes_the_round_score_and_is_public(trio):
    scored_round(trio)
    before = trio.state["results"][0]["scores"]["B"]["score"]
    [adjusted] = trio.run(
        "adjust_score", "facilitator", role="B", round=1, delta=-4.5, reason="Leaked the brief"
    )
    assert adjusted["audience"] == "all"
    entry = trio.state["results"][0]
    assert entry["scores"]["B"]["score"] == pytest.approx(before - 4.5)
    assert entry["scores"]["B"]["adjustment"] == -4.5
    assert entry["adjustments"] == [
        {"role": "B", "round": 1, "delta": -4.5, "reason": "Leaked the brief"}
    ]
    trio.run("adjust_score", "facilitator", role="B", round=1, delta=2, reason="Good faith")
    assert trio.state["results"][0]["scores"]["B"]["score"] == pytest.approx(before - 2.5)


def test_adjustments_after_the_end_update_the_final(trio):
    scored_round(trio)
    trio.run("end", "facilitator")
    final_before = trio.state["final"]["roles"]["A"]
    trio.run("adjust_score", "facilitator", role="A", round=1, delta=10, reason="Debrief")
    assert trio.state["final"]["roles"]["A"] == pytest.approx(final_before + 10)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"role": "A", "round": 2, "delta": 1, "reason": "r"}, "not_scored"),
        ({"role": "A", "round": "1", "delta": 1, "reason": "r"}, "invalid"),
        ({"role": "A", "round": 1, "delta": 1, "reason": ""}, "invalid"),
        ({"role": "A", "round": 1, "delta": 1}, "invalid"),
        ({"role": "A", "round": 1, "delta": "1", "reason": "r"}, "invalid"),
        ({"role": "A", "round": 1, "delta": 1001, "reason": "r"}, "out_of_range"),
        ({"role": "Q", "round": 1, "delta": 1, "reason": "r"}, "unknown_role"),
    ],
)
def test_adjust_score_is_checked(trio, payload, code):
    scored_round(trio)
    assert trio.refuse("adjust_score", "facilitator", **payload).code == code


def test_adjust_score_needs_a_started_game(make_table):
    table = make_table(started=False)
    error = table.refuse("adjust_score", "facilitator", role="A", round=1, delta=1, reason="r")
    assert error.code == "game_not_running"
