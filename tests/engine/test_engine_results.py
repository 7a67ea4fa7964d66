"""Round results: commitment fulfilment, red-line breaches with `unless`, scores and finals."""

import pytest

from game.engine.testing import (
    Table,
    condition,
    inject,
    red_line,
    round_,
    term,
    worked_example,
)


def decide_all(table, decisions, *, lock=True):
    for code, values in decisions.items():
        table.run("decision_set", code, values=values)
        if lock:
            table.run("decision_lock", code)


def agree(table, proposer, to, terms):
    """Propose an offer and have every addressee accept it; returns its id."""
    [proposed] = table.run("offer_propose", proposer, to=to, terms=terms)
    offer_id = proposed["data"]["offer"]["id"]
    for code in to:
        table.run("offer_accept", code, offer=offer_id)
    assert table.state["offers"][offer_id]["status"] == "accepted"
    return offer_id


def score(table, decisions):
    """Play the decision phase of the current round and return the results events."""
    table.advance_to(table.state["round"], "decision")
    decide_all(table, decisions)
    return table.run("advance", "facilitator")


def of_kind(events, kind):
    return [item for item in events if item["kind"] == kind]


def test_worked_example_through_the_whole_engine():
    """The §3 example reached by commands gives the same published scores."""
    table = Table(worked_example())
    table.start()
    events = score(table, {"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}})
    [scored] = of_kind(events, "round_scored")
    data = scored["data"]
    assert scored["audience"] == "all"
    assert round(data["metrics"]["alignment_points"], 3) == 80
    assert round(data["metrics"]["effectiveness"], 3) == 56.667
    assert round(data["metrics"]["coalition"], 3) == 68.333
    assert round(data["scores"]["A"]["national"], 3) == 87
    assert round(data["scores"]["A"]["score"], 3) == 77.667
    assert round(data["scores"]["B"]["score"], 3) == 79.167
    costs = {item["data"]["role"]: item for item in of_kind(events, "cost_assessed")}
    assert costs["A"]["data"]["cost"] == pytest.approx(13)
    assert costs["A"]["audience"] == ["A"]
    assert "cost" not in data["scores"]["A"]
    assert events[-1]["kind"] == "phase_started"
    assert events[-1]["data"]["phase"] == "results"


def test_unlocked_team_keeps_its_previous_decision(trio):
    """B drafts but never locks: its start values stand; A's locked draft counts."""
    trio.advance_to(1, "decision")
    trio.run("decision_set", "A", values={"s": 70})
    trio.run("decision_lock", "A")
    trio.run("decision_set", "B", values={"s": 55, "e": 2})
    [scored] = of_kind(trio.run("advance", "facilitator"), "round_scored")
    assert scored["data"]["decisions"]["A"] == {"s": 70, "e": 8}
    assert scored["data"]["decisions"]["B"] == {"s": 20, "e": 4}
    assert scored["data"]["locked"] == ["A"]
    assert trio.state["decisions"]["B"] == {"s": 20, "e": 4}


def test_round_two_defaults_to_round_one_decisions(trio):
    score(trio, {"A": {"s": 70}})
    trio.advance_to(2, "decision")
    [scored] = of_kind(trio.run("advance", "facilitator"), "round_scored")
    assert scored["data"]["decisions"]["A"] == {"s": 70, "e": 8}


def test_breach_without_conditions_met_costs_the_penalty_privately(trio):
    """A cuts e to 3 below its floor of 5 with no offer: 25 points, told to A alone."""
    events = score(trio, {"A": {"e": 3}})
    [breach] = of_kind(events, "red_line_breached")
    assert breach["audience"] == ["A"]
    assert breach["data"] == {
        "round": 1,
        "red_line": "a-energy",
        "role": "A",
        "value": 3,
        "penalty": 25,
    }
    [cost] = [item for item in of_kind(events, "cost_assessed") if item["data"]["role"] == "A"]
    assert cost["data"]["red_line_penalty"] == 25
    national = of_kind(events, "round_scored")[0]["data"]["scores"]["A"]["national"]
    assert national == pytest.approx(100 - 3 * 5 - 25)


def test_standing_on_the_red_line_is_no_breach(trio):
    events = score(trio, {"A": {"e": 5}, "B": {"s": 60}})
    assert of_kind(events, "red_line_breached") == []


def test_breach_lifted_when_every_condition_is_met(trio):
    """C commits g >= 4 to A and keeps it: A's red line is lifted, no penalty."""
    trio.advance_to(1, "negotiation")
    agree(trio, "A", ["C"], [term("C", "g", ">=", 4)])
    events = score(trio, {"A": {"e": 3}, "C": {"g": 4}})
    assert of_kind(events, "red_line_breached") == []
    [lifted] = of_kind(events, "red_line_lifted")
    assert lifted["audience"] == ["A"]
    assert lifted["data"]["red_line"] == "a-energy"
    [fulfilled] = of_kind(events, "commitment_fulfilled")
    assert fulfilled["audience"] == ["A", "C"]
    assert trio.state["results"][0]["private"]["A"]["red_line_penalty"] == 0


def test_a_stronger_term_also_meets_the_condition(trio):
    trio.advance_to(1, "negotiation")
    agree(trio, "C", ["A"], [term("C", "g", ">=", 7)])
    events = score(trio, {"A": {"e": 3}, "C": {"g": 9}})
    assert of_kind(events, "red_line_breached") == []


def test_breach_when_one_of_two_conditions_is_missing(make_table):
    """The red line needs C g >= 4 and B s >= 40; only C commits: breached."""
    lines = [
        red_line(
            "a-energy",
            "A",
            "e",
            "floor",
            5,
            penalty=25,
            unless=[condition("C", "g", ">=", 4), condition("B", "s", ">=", 40)],
        )
    ]
    table = make_table(red_lines=lines)
    table.advance_to(1, "negotiation")
    agree(table, "A", ["C"], [term("C", "g", ">=", 4)])
    events = score(table, {"A": {"e": 3}, "C": {"g": 4}, "B": {"s": 45}})
    assert [item["data"]["red_line"] for item in of_kind(events, "red_line_breached")] == [
        "a-energy"
    ]


def test_broken_commitment_fails_the_condition_and_is_announced(trio):
    """C promises g >= 4 but decides 2: A breaches, C pays the commitment penalty, and the
    broken term is announced to everyone."""
    trio.advance_to(1, "negotiation")
    offer_id = agree(trio, "A", ["C"], [term("C", "g", ">=", 4)])
    events = score(trio, {"A": {"e": 3}, "C": {"g": 2}})
    assert len(of_kind(events, "red_line_breached")) == 1
    [broken] = of_kind(events, "commitment_broken")
    assert broken["audience"] == "all"
    assert broken["data"]["offer"] == offer_id
    assert broken["data"]["value"] == 2
    assert broken["data"]["penalty"] == 10
    scores = of_kind(events, "round_scored")[0]["data"]["scores"]
    assert scores["C"]["commitment_penalty"] == 10
    # C moved g by 2 at cost 1 and s not at all: N = 100 - 2 - 10
    assert scores["C"]["national"] == pytest.approx(88)
    assert trio.state["results"][0]["commitments"][0]["status"] == "broken"


def test_a_term_by_the_wrong_party_does_not_meet_the_condition(make_table):
    """The condition asks C for s >= 60; B commits s >= 60 instead: A still breaches."""
    lines = [
        red_line(
            "a-energy", "A", "e", "floor", 5, penalty=25, unless=[condition("C", "s", ">=", 60)]
        )
    ]
    table = make_table(red_lines=lines)
    table.advance_to(1, "negotiation")
    agree(table, "A", ["B"], [term("B", "s", ">=", 60)])
    events = score(table, {"A": {"e": 3}, "B": {"s": 60}, "C": {"s": 60}})
    assert len(of_kind(events, "red_line_breached")) == 1


def test_a_condition_met_in_an_offer_the_owner_is_not_party_to_does_not_count(trio):
    trio.advance_to(1, "negotiation")
    agree(trio, "B", ["C"], [term("C", "g", ">=", 4)])
    events = score(trio, {"A": {"e": 3}, "C": {"g": 4}})
    assert len(of_kind(events, "red_line_breached")) == 1


def test_a_weaker_term_or_another_op_does_not_meet_the_condition(trio):
    trio.advance_to(1, "negotiation")
    agree(trio, "A", ["C"], [term("C", "g", ">=", 3), term("C", "g", "<=", 9)])
    events = score(trio, {"A": {"e": 3}, "C": {"g": 5}})
    assert len(of_kind(events, "red_line_breached")) == 1


def test_round_commitments_bind_one_round_game_commitments_every_later_round(trio):
    """Round 1: C commits g >= 4 for the round and g <= 8 for the game. Round 2 checks only
    the game term, so A's round-1 condition no longer lifts its red line."""
    trio.advance_to(1, "negotiation")
    agree(trio, "A", ["C"], [term("C", "g", ">=", 4), term("C", "g", "<=", 8, "game")])
    first = score(trio, {"A": {"e": 3}, "C": {"g": 4}})
    assert len(of_kind(first, "commitment_fulfilled")) == 2
    trio.advance_to(2, "decision")
    second = trio.run("advance", "facilitator")
    checked = of_kind(second, "commitment_fulfilled") + of_kind(second, "commitment_broken")
    assert [item["data"]["term"]["duration"] for item in checked] == ["game"]
    assert len(of_kind(second, "red_line_breached")) == 1


def test_ceiling_red_line_breach(trio):
    events = score(trio, {"B": {"s": 65}})
    [breach] = of_kind(events, "red_line_breached")
    assert breach["data"]["red_line"] == "b-sanctions"
    assert breach["audience"] == ["B"]


def test_multipliers_compound_from_the_inject_round_on(make_table):
    """×2 on A's s from round 1 and ×1.5 from round 2: A's cost of +20 on s at 0.2 is
    8 in round 1 and 12 in round 2; an inject of round 3 does not count yet."""
    rounds = [
        round_("One", injects=[inject("Shock", effects=[("A", "s", 2)])]),
        round_("Two", injects=[inject("More", audience=["A"], effects=[("A", "s", 1.5)])]),
        round_("Three", injects=[inject("Later", effects=[("A", "s", 10)])]),
    ]
    table = make_table(rounds=rounds)
    first = score(table, {"A": {"s": 70}})
    table.advance_to(2, "decision")
    second = table.run("advance", "facilitator")

    def cost_of_a(events):
        [cost] = [x for x in of_kind(events, "cost_assessed") if x["data"]["role"] == "A"]
        return cost["data"]

    assert cost_of_a(first)["cost"] == pytest.approx(8)
    assert cost_of_a(second)["cost"] == pytest.approx(12)
    assert cost_of_a(second)["multipliers"] == {"s": 3}


def test_final_scores_weight_rounds(make_table):
    table = make_table(rounds=[round_("One", weight=1), round_("Two", weight=3)])
    score(table, {"A": {"s": 70}})
    table.advance_to(2, "decision")
    table.run("advance", "facilitator")
    [ended] = table.run("advance", "facilitator")
    assert ended["kind"] == "game_ended"
    r1, r2 = (entry["scores"] for entry in table.state["results"])
    final = ended["data"]["final"]
    for code in "ABC":
        expected = (r1[code]["score"] + 3 * r2[code]["score"]) / 4
        assert final["roles"][code] == pytest.approx(expected)
    k1, k2 = (entry["metrics"]["coalition"] for entry in table.state["results"])
    assert final["coalition"] == pytest.approx((k1 + 3 * k2) / 4)
    assert table.state["final"] == final
    assert table.state["end_reason"] == "completed"


def test_ending_early_finals_cover_scored_rounds_only(trio):
    score(trio, {"A": {"s": 70}})
    trio.advance_to(2, "negotiation")
    [ended] = trio.run("end", "facilitator")
    assert ended["data"]["reason"] == "facilitator"
    assert ended["data"]["final"]["rounds"] == 1
    assert ended["data"]["final"]["roles"]["A"] == pytest.approx(
        trio.state["results"][0]["scores"]["A"]["score"]
    )


def retreat_round(rules):
    table = Table(worked_example(), rules=rules)
    table.start()
    [scored] = of_kind(
        score(table, {"A": {"s": 40, "e": 5}, "B": {"s": 40, "e": 4}}), "round_scored"
    )
    return table, scored["data"]


def test_new_games_record_rules_v2_and_score_the_second_worked_example():
    """A game records its rules version; v2 gives the DESIGN's second example."""
    table, data = retreat_round(None)
    assert table.state["rules"] == 2
    assert data["metrics"]["alignment"] == pytest.approx(0.8)
    assert data["metrics"]["credited_pressures"]["A"] == pytest.approx({"s": 0.5, "e": 0.5})
    assert round(data["scores"]["A"]["score"], 3) == 79.667
    assert round(data["scores"]["B"]["score"], 3) == 79.167


def test_a_game_under_rules_v1_keeps_the_v1_formulas():
    _, data = retreat_round(1)
    assert data["metrics"]["alignment"] == pytest.approx(0.9)


def test_a_state_without_a_rules_version_scores_under_v1():
    """States cached before versions were recorded were played under v1."""
    table = Table(worked_example())
    del table.state["rules"]
    table.start()
    [scored] = of_kind(
        score(table, {"A": {"s": 40, "e": 5}, "B": {"s": 40, "e": 4}}), "round_scored"
    )
    assert scored["data"]["metrics"]["alignment"] == pytest.approx(0.9)


def test_round_scored_reports_status_quo_and_gain_per_role():
    """status_quo: the score at everyone's start values (worked example: 75.417 each);
    gain = base − status_quo; a facilitator adjustment changes neither."""
    table = Table(worked_example())
    table.start()
    [scored] = of_kind(
        score(table, {"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}}), "round_scored"
    )
    scores = scored["data"]["scores"]
    assert scores["A"]["status_quo"] == pytest.approx(75.416667)
    assert scores["B"]["status_quo"] == pytest.approx(75.416667)
    assert scores["A"]["gain"] == pytest.approx(77.666667 - 75.416667)
    assert scores["B"]["gain"] == pytest.approx(79.166667 - 75.416667)
    assert scores["A"]["gain"] == pytest.approx(scores["A"]["base"] - scores["A"]["status_quo"])


def test_status_quo_uses_the_rounds_cost_multipliers_and_no_penalties():
    """With start values nobody pays a cost, so the status quo is γ·K0 + (1 − γ)·100 even
    with injects and red lines in play."""
    spec = worked_example()
    spec["rounds"] = [round_("One", injects=[inject("Shock", effects=[("A", "s", 3)])])]
    spec["red_lines"] = [red_line("a-s", "A", "s", "floor", 60, penalty=25)]
    table = Table(spec)
    table.start()
    [scored] = of_kind(
        score(table, {"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}}), "round_scored"
    )
    assert scored["data"]["scores"]["A"]["status_quo"] == pytest.approx(75.416667)
