"""Offer previews that explain themselves: which red-line condition is met or missing, and
which terms ask for no move at all."""

import pytest

from game.engine.preview import preview
from game.engine.testing import term


@pytest.fixture
def talks(trio):
    trio.advance_to(1, "negotiation")
    return trio


def a_energy(result: dict) -> dict:
    return next(line for line in result["red_lines"] if line["red_line"] == "a-energy")


@pytest.mark.parametrize(("promised", "lifted"), [(4, True), (3, False)])
def test_red_line_says_which_condition_the_terms_meet_or_miss(talks, promised, lifted):
    """A cuts e to 4 (below its floor of 5): for C's g >= 4 the condition is met and the red
    line lifted; the same cut for g >= 3 crosses it, and says the g >= 4 condition is unmet."""
    terms = [term("A", "e", "<=", 4), term("C", "g", ">=", promised)]
    result = preview(talks.state, "A", {"terms": terms})
    line = a_energy(result)
    assert line["lifted"] is lifted
    assert line["conditions"] == [
        {
            "role": "C",
            "lever": "g",
            "op": ">=",
            "value": 4,
            "met": lifted,
            "offer": None,
            "promised": promised,
        }
    ]
    assert result["estimate"]["penalties"] == (0 if lifted else 25)


def test_condition_met_by_an_accepted_offer_names_it(talks):
    """C's g >= 4 already accepted (o1): a later cut alone is lifted by o1."""
    talks.run("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)])
    talks.run("offer_accept", "C", offer="o1")
    result = preview(talks.state, "A", {"terms": [term("A", "e", "<=", 4)]})
    line = a_energy(result)
    assert line["lifted"] is True
    assert line["conditions"][0]["met"] is True
    assert line["conditions"][0]["offer"] == "o1"


def test_unconditional_red_line_has_no_conditions(talks):
    result = preview(talks.state, "B", {"terms": [term("B", "s", ">=", 70)]})
    [line] = result["red_lines"]
    assert (line["red_line"], line["lifted"], line["conditions"]) == ("b-sanctions", False, [])


def test_a_condition_nothing_promises_has_no_promised_value(talks):
    result = preview(talks.state, "A", {"terms": [term("A", "e", "<=", 4)]})
    [condition] = a_energy(result)["conditions"]
    assert (condition["met"], condition["promised"]) == (False, None)


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        # C's g is 0: "at least 0" asks nothing, "at least 4" asks a move.
        ([term("C", "g", ">=", 0), term("C", "g", ">=", 4)], [(0, True), (0, False)]),
        # B's s is 20 (up): "at most 20" or "at most 50" ask nothing; "at least 25" does.
        (
            [term("B", "s", "<=", 20), term("B", "s", "<=", 50), term("B", "s", ">=", 25)],
            [(20, True), (20, True), (20, False)],
        ),
        # A's own e is 8 (down): "at most 8" asks nothing, "at most 7" does.
        ([term("A", "e", "<=", 8), term("A", "e", "<=", 7)], [(8, True), (8, False)]),
    ],
)
def test_terms_that_ask_for_no_move_are_flagged(talks, terms, expected):
    result = preview(talks.state, "A", {"terms": terms})
    assert [(item["now"], item["changes_nothing"]) for item in result["terms"]] == expected


def test_a_term_already_owed_changes_nothing(talks):
    """C already owes g >= 4 (accepted): a new "at least 3" asks for no move beyond that."""
    talks.run("offer_propose", "A", to=["C"], terms=[term("C", "g", ">=", 4)])
    talks.run("offer_accept", "C", offer="o1")
    result = preview(talks.state, "A", {"terms": [term("C", "g", ">=", 3)]})
    assert result["terms"] == [{"now": 4, "changes_nothing": True}]


def test_previewing_an_offer_received_flags_its_terms(talks):
    talks.run("offer_propose", "C", to=["A"], terms=[term("C", "g", ">=", 0)])
    result = preview(talks.state, "A", {"offer": "o1"})
    assert result["terms"] == [{"now": 0, "changes_nothing": True}]
