"""Previews: a team's own figures for a draft decision or an offer, from its own knowledge."""

import pytest

from game.engine.errors import RuleError
from game.engine.preview import preview
from game.engine.testing import term


@pytest.fixture
def deciding(trio):
    trio.advance_to(1, "decision")
    return trio


def test_decision_preview_costs_the_move_from_start(deciding):
    """A's costs: s 0.2 per unit up from 50, e 3 per unit down from 8."""
    result = preview(deciding.state, "A", {"decision": {"s": 70, "e": 6}})
    assert result["kind"] == "decision"
    assert result["values"] == {"s": 70, "e": 6}
    assert result["cost_by_lever"] == pytest.approx({"s": 4.0, "e": 6.0})
    assert result["cost"] == pytest.approx(10.0)


def test_decision_preview_names_a_red_line_it_would_breach(deciding):
    """A's floor e >= 5 is crossed at 4 and nothing lifts it: its penalty counts."""
    result = preview(deciding.state, "A", {"decision": {"e": 4}})
    [line] = result["red_lines"]
    assert line["red_line"] == "a-energy"
    assert line["lifted"] is False
    assert result["estimate"]["penalties"] == 25
    safe = preview(deciding.state, "A", {"decision": {"e": 5}})
    assert safe["red_lines"] == []
    assert safe["estimate"]["penalties"] == 0


def test_decision_preview_estimate_matches_the_scoring_module(deciding):
    """With partners at their start values, the estimate is the round score of §3."""
    result = preview(deciding.state, "A", {"decision": {"s": 50, "e": 8}})
    assert result["cost"] == 0
    assert result["estimate"]["national"] == 100
    assert 0 <= result["estimate"]["coalition"] <= 100
    assert result["estimate"]["score"] == pytest.approx(
        0.5 * result["estimate"]["coalition"] + 0.5 * 100
    )


def test_decision_preview_refuses_bad_values_like_the_command_would(deciding):
    assert preview(deciding.state, "A", {"decision": {"g": 1}}).code == "not_your_lever"
    assert preview(deciding.state, "A", {"decision": {"s": 52}}).code == "off_step"
    assert preview(deciding.state, "A", {"decision": {"s": 500}}).code == "out_of_range"
    assert preview(deciding.state, "A", {"nothing": 1}).code == "invalid"


def test_offer_preview_warns_of_a_red_line_the_terms_cross(trio):
    trio.advance_to(1, "negotiation")
    crossing = preview(trio.state, "A", {"terms": [term("A", "e", "<=", 3)]})
    assert [line["red_line"] for line in crossing["red_lines"]] == ["a-energy"]
    assert crossing["red_lines"][0]["lifted"] is False
    assert crossing["cost_change"] == pytest.approx(15.0)  # 8 -> 3 at 3 a unit


def test_offer_preview_lifts_a_red_line_when_the_offer_meets_its_condition(trio):
    trio.advance_to(1, "negotiation")
    terms = [term("A", "e", "<=", 3), term("C", "g", ">=", 4)]
    result = preview(trio.state, "A", {"terms": terms})
    assert result["red_lines"][0]["lifted"] is True
    assert result["estimate"]["penalties"] == 0


def test_offer_preview_of_a_received_offer_and_secrecy_of_others(trio):
    trio.advance_to(1, "negotiation")
    trio.run("offer_propose", "B", to=["C"], terms=[term("C", "g", ">=", 2)])
    assert preview(trio.state, "C", {"offer": "o1"})["kind"] == "offer"
    refused = preview(trio.state, "A", {"offer": "o1"})
    assert isinstance(refused, RuleError)
    assert refused.code == "unknown_offer"


def test_preview_counts_commitments_the_team_owes(trio):
    trio.advance_to(1, "negotiation")
    trio.run("offer_propose", "B", to=["A"], terms=[term("A", "s", ">=", 60)])
    trio.run("offer_accept", "A", offer="o1")
    trio.advance_to(1, "decision")
    broken = preview(trio.state, "A", {"decision": {"s": 55}})
    assert broken["commitments"][0]["met"] is False
    assert broken["estimate"]["penalties"] == 10
    kept = preview(trio.state, "A", {"decision": {"s": 60}})
    assert kept["commitments"][0]["met"] is True


def test_preview_only_while_running(make_table):
    lobby = make_table(started=False)
    assert preview(lobby.state, "A", {"decision": {}}).code == "game_not_running"
