"""Red lines: sealed disclosure choices, their publication, immediate reveals, levels."""

import pytest

from game.engine.testing import red_line


@pytest.fixture
def disclosure(make_table):
    """Trio game with a second red line for A, in round 1 disclosure."""
    lines = [
        red_line("a-energy", "A", "e", "floor", 5, penalty=25, statement="SECRET-A-1"),
        red_line("a-sanctions", "A", "s", "ceiling", 90, statement="SECRET-A-2"),
        red_line("b-sanctions", "B", "s", "ceiling", 60, statement="SECRET-B"),
    ]
    table = make_table(red_lines=lines)
    table.advance_to(1, "disclosure")
    return table


def choice(red_line_id, to, level):
    return {"red_line": red_line_id, "to": to, "level": level}


def revealed(events):
    return [
        (item["data"]["red_line"], item["data"]["to"], item["data"]["level"], item["audience"])
        for item in events
        if item["kind"] == "red_line_revealed"
    ]


def test_choices_are_sealed_to_the_team(disclosure):
    [drafted] = disclosure.run("disclosure_set", "A", choices=[choice("a-energy", ["C"], "full")])
    assert drafted["kind"] == "disclosure_drafted"
    assert drafted["audience"] == ["A"]
    assert disclosure.state["reveals"] == []


def test_later_choices_replace_earlier_ones_and_repeats_are_no_ops(disclosure):
    disclosure.run("disclosure_set", "A", choices=[choice("a-energy", ["C"], "full")])
    disclosure.run("disclosure_set", "A", choices=[choice("a-sanctions", "all", "existence")])
    assert disclosure.state["disclosures"]["A"] == [choice("a-sanctions", "all", "existence")]
    repeat = [choice("a-sanctions", "all", "existence")] * 2
    assert disclosure.run("disclosure_set", "A", choices=repeat) == []
    disclosure.run("disclosure_set", "A", choices=[])
    assert disclosure.state["disclosures"]["A"] == []


def test_all_choices_are_published_together_when_the_phase_ends(disclosure):
    disclosure.run(
        "disclosure_set",
        "A",
        choices=[
            choice("a-energy", ["C"], "full"),
            choice("a-energy", ["B", "C"], "existence"),
            choice("a-sanctions", "all", "existence"),
        ],
    )
    disclosure.run("disclosure_set", "B", choices=[choice("b-sanctions", ["C", "A"], "full")])
    events = disclosure.run("advance", "facilitator")
    assert revealed(events) == [
        ("a-energy", ["C"], "full", ["A", "C"]),
        ("a-energy", ["B"], "existence", ["A", "B"]),
        ("a-sanctions", "all", "existence", "all"),
        ("b-sanctions", ["A", "C"], "full", ["A", "B", "C"]),
    ]
    assert events[-1]["kind"] == "phase_started"


def test_a_revealed_red_line_carries_the_true_content_at_its_level(disclosure):
    disclosure.run(
        "disclosure_set",
        "A",
        choices=[choice("a-energy", ["C"], "full"), choice("a-sanctions", ["B"], "existence")],
    )
    events = disclosure.run("advance", "facilitator")
    full, existence = (item["data"]["line"] for item in events[:2])
    assert full == {
        "id": "a-energy",
        "role": "A",
        "lever": "e",
        "kind": "floor",
        "value": 5,
        "penalty": 25,
        "statement": "SECRET-A-1",
        "unless": [],
    }
    assert existence == {"id": "a-sanctions", "role": "A", "lever": "s", "kind": "ceiling"}


def test_publication_skips_recipients_who_already_know(disclosure):
    disclosure.run("disclosure_set", "A", choices=[choice("a-energy", ["C"], "full")])
    disclosure.advance_to(2, "disclosure")
    disclosure.run(
        "disclosure_set",
        "A",
        choices=[choice("a-energy", ["B", "C"], "existence"), choice("a-energy", ["C"], "full")],
    )
    events = disclosure.run("advance", "facilitator")
    assert revealed(events) == [("a-energy", ["B"], "existence", ["A", "B"])]


def test_reveal_is_immediate_during_negotiation(disclosure):
    disclosure.advance_to(1, "negotiation")
    events = disclosure.run("reveal", "A", red_line="a-energy", to=["B"], level="existence")
    assert revealed(events) == [("a-energy", ["B"], "existence", ["A", "B"])]
    assert disclosure.state["reveals"] == [
        {
            "red_line": "a-energy",
            "owner": "A",
            "to": ["B"],
            "level": "existence",
            "round": 1,
            "phase": "negotiation",
        }
    ]


def test_reveal_upgrades_existence_to_full_but_never_downgrades(disclosure):
    disclosure.advance_to(1, "negotiation")
    disclosure.run("reveal", "A", red_line="a-energy", to=["B"], level="existence")
    assert disclosure.run("reveal", "A", red_line="a-energy", to=["B"], level="full")
    error = disclosure.refuse("reveal", "A", red_line="a-energy", to=["B"], level="existence")
    assert error.code == "already_revealed"
    assert (
        disclosure.refuse("reveal", "A", red_line="a-energy", to=["B"], level="full").code
        == "already_revealed"
    )


def test_reveal_to_all_then_to_a_role_at_the_same_level_is_already_revealed(disclosure):
    disclosure.advance_to(1, "negotiation")
    disclosure.run("reveal", "A", red_line="a-energy", to="all", level="existence")
    assert (
        disclosure.refuse("reveal", "A", red_line="a-energy", to=["C"], level="existence").code
        == "already_revealed"
    )
    events = disclosure.run("reveal", "A", red_line="a-energy", to=["B", "C"], level="full")
    assert revealed(events) == [("a-energy", ["B", "C"], "full", ["A", "B", "C"])]


def test_only_your_own_red_lines_and_unknown_ids_look_the_same_until_shown(disclosure):
    """B may not reveal A's red line. Before B has been shown it, the answer is the same as
    for an id that does not exist, so B cannot probe A's red-line ids."""
    disclosure.advance_to(1, "negotiation")
    hidden = disclosure.refuse("reveal", "B", red_line="a-energy", to=["C"], level="full")
    assert hidden.code == "unknown_red_line"
    missing = disclosure.refuse("reveal", "B", red_line="nope", to=["C"], level="full")
    assert missing.code == "unknown_red_line"
    disclosure.run("reveal", "A", red_line="a-energy", to=["B"], level="existence")
    shown = disclosure.refuse("reveal", "B", red_line="a-energy", to=["C"], level="full")
    assert shown.code == "not_your_red_line"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"to": ["B"], "level": "full"}, "invalid"),
        ({"red_line": 3, "to": ["B"], "level": "full"}, "invalid"),
        ({"red_line": "a-energy", "level": "full"}, "invalid"),
        ({"red_line": "a-energy", "to": [], "level": "full"}, "invalid"),
        ({"red_line": "a-energy", "to": ["A"], "level": "full"}, "invalid"),
        ({"red_line": "a-energy", "to": ["Q"], "level": "full"}, "unknown_role"),
        ({"red_line": "a-energy", "to": "everyone", "level": "full"}, "invalid"),
        ({"red_line": "a-energy", "to": ["B"], "level": "partial"}, "invalid"),
        ({"red_line": "a-energy", "to": ["B"]}, "invalid"),
    ],
)
def test_malformed_reveals_are_refused(disclosure, payload, code):
    disclosure.advance_to(1, "negotiation")
    assert disclosure.refuse("reveal", "A", **payload).code == code


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        (None, "invalid"),
        ("a-energy", "invalid"),
        (["a-energy"], "invalid"),
        ([choice("b-sanctions", ["C"], "full")], "unknown_red_line"),
        ([choice("a-energy", ["A"], "full")], "invalid"),
        ([choice("a-energy", ["C"], "most")], "invalid"),
        ([choice("a-energy", ["C"], "full")] * 101, "invalid"),
    ],
)
def test_malformed_disclosure_choices_are_refused(disclosure, choices, code):
    assert disclosure.refuse("disclosure_set", "A", choices=choices).code == code


def test_disclosure_and_reveal_have_their_phases(disclosure):
    error = disclosure.refuse("reveal", "A", red_line="a-energy", to=["B"], level="full")
    assert error.code == "wrong_phase"
    disclosure.advance_to(1, "negotiation")
    assert disclosure.refuse("disclosure_set", "A", choices=[]).code == "wrong_phase"


def test_disclosure_choices_are_cleared_each_round(disclosure):
    disclosure.run("disclosure_set", "A", choices=[choice("a-energy", ["C"], "full")])
    disclosure.advance_to(2, "disclosure")
    assert disclosure.state["disclosures"] == {}
    events = disclosure.run("advance", "facilitator")
    assert revealed(events) == []
