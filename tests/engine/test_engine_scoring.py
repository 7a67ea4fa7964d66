"""Scoring (DESIGN §3) checked against the worked example, hand-computed cases and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.engine.scoring import (
    alignment_points,
    awareness_matrix,
    coalition_alignment,
    domestic_cost,
    effectiveness,
    final_scores,
    known_level,
    lever_spread,
    pair_alignment,
    pair_alignments,
    pressure,
    score_round,
    status_quo_scores,
)
from game.engine.testing import lever, role, worked_example

WORKED = worked_example()


def score_worked(decisions, **kwargs):
    return score_round(
        roles=WORKED["roles"], levers=WORKED["levers"], decisions=decisions, **kwargs
    )


def test_worked_example_matches_design_to_the_third_decimal():
    """The §3 example: S=0.6, 80 alignment points, E=56.667, K=68.333, C, N and R per role."""
    result = score_worked({"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}})
    assert result["pressures"]["A"] == pytest.approx({"s": 0.7, "e": 0.5})
    assert result["pressures"]["B"] == pytest.approx({"s": 0.4, "e": 0.6})
    assert result["pairs"] == [{"roles": ["A", "B"], "alignment": pytest.approx(0.6)}]
    assert result["alignment"] == pytest.approx(0.6)
    assert round(result["alignment_points"], 3) == 80.0
    assert round(result["effectiveness"], 3) == 56.667
    assert round(result["coalition"], 3) == 68.333
    a, b = result["roles"]["A"], result["roles"]["B"]
    assert (round(a["cost"], 3), round(b["cost"], 3)) == (13.0, 10.0)
    assert (round(a["national"], 3), round(b["national"], 3)) == (87.0, 90.0)
    assert (round(a["score"], 3), round(b["score"], 3)) == (77.667, 79.167)
    assert a["cost_by_lever"] == pytest.approx({"s": 4.0, "e": 9.0})


def test_pressure_runs_with_the_lever_direction():
    up = lever("u", holders={}, low=10, high=30)
    down = lever("d", holders={}, low=10, high=30, pressure="down")
    assert pressure(15, up) == 0.25
    assert pressure(15, down) == 0.75


def test_movement_against_the_pressure_direction_costs_nothing():
    """Only movement toward more pressure costs: s down and e up are free."""
    cost, by_lever = domestic_cost("A", {"s": 10, "e": 10}, WORKED["levers"])
    assert cost == 0
    assert by_lever == {"s": 0.0, "e": 0.0}


def test_inject_multipliers_scale_costs():
    cost, _ = domestic_cost(
        "A", {"s": 70, "e": 8}, WORKED["levers"], {"A": {"s": 2.25}, "B": {"s": 9}}
    )
    assert cost == pytest.approx(0.2 * 2.25 * 20)


def test_penalties_and_adjustments_enter_national_and_round_scores():
    result = score_worked(
        {"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}},
        penalties={"A": 25},
        adjustments={"B": -3},
    )
    assert result["roles"]["A"]["national"] == pytest.approx(62.0)
    assert result["roles"]["A"]["score"] == pytest.approx(0.5 * 68.3333333 + 0.5 * 62, abs=1e-6)
    assert result["roles"]["B"]["score"] == pytest.approx(79.1666667 - 3, abs=1e-6)


def test_beta_and_gamma_weight_the_parts():
    """β = 1 makes K the alignment points; γ = 0 makes R the national score."""
    result = score_worked(
        {"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}}, alignment_weight=1, coalition_weight=0
    )
    assert result["coalition"] == pytest.approx(80)
    assert result["roles"]["A"]["score"] == pytest.approx(87)


def test_pairs_without_a_shared_lever_are_left_out():
    """A–B share x; C holds only y: pairs (A,C) and (B,C) do not count toward A."""
    levers = [
        lever("x", holders={"A": (0, 0), "B": (0, 0)}),
        lever("y", holders={"C": (0, 0)}),
    ]
    roles = [role("A"), role("B"), role("C")]
    result = score_round(
        roles=roles, levers=levers, decisions={"A": {"x": 100}, "B": {"x": 50}, "C": {"y": 0}}
    )
    assert result["pairs"] == [{"roles": ["A", "B"], "alignment": 0.0}]
    assert result["alignment"] == 0.0
    # E = (1/3)(1.0 + 0.5 + 0.0) * 100
    assert result["effectiveness"] == pytest.approx(50.0)


def test_alignment_uses_only_the_levers_a_pair_shares_with_their_weights():
    p_a = {"x": 1.0, "y": 0.0, "z": 0.3}
    p_b = {"x": 0.5, "y": 1.0}
    # shared x (w 3) and y (w 1): 1 - 2 (3*0.5 + 1*1) / 4 = -0.25
    assert pair_alignment(p_a, p_b, {"x": 3, "y": 1, "z": 9}) == pytest.approx(-0.25)
    assert pair_alignment({"z": 1}, {"x": 1}, {"x": 1, "z": 1}) is None


def test_coalition_alignment_is_the_mean_over_pairs_and_neutral_without_pairs():
    pairs = [{"alignment": 1.0}, {"alignment": 0.0}, {"alignment": -0.4}]
    assert coalition_alignment(pairs) == pytest.approx(0.2)
    assert coalition_alignment([]) is None
    assert alignment_points(None) == 50


def test_spread_is_max_minus_min_pressure_per_lever():
    spread = lever_spread({"A": {"s": 0.7, "e": 0.5}, "B": {"s": 0.4}}, WORKED["levers"])
    assert spread == pytest.approx({"s": 0.3, "e": 0.0})


def test_final_is_the_round_weight_weighted_mean_of_round_scores_and_of_k():
    rounds = [
        {"weight": 1, "coalition": 60, "scores": {"A": 70, "B": 50}},
        {"weight": 3, "coalition": 80, "scores": {"A": 90, "B": 30}},
    ]
    final = final_scores(rounds, ["A", "B"])
    assert final["roles"] == {"A": pytest.approx(85.0), "B": pytest.approx(35.0)}
    assert final["coalition"] == pytest.approx(75.0)
    assert final["rounds"] == 2
    assert final_scores([], ["A"]) == {"roles": {"A": None}, "coalition": None, "rounds": 0}


def test_awareness_matrix_counts_reveals_up_to_each_decision():
    lines = [{"id": "L", "role": "A"}]
    reveals = [
        {"red_line": "L", "to": ["B"], "level": "existence", "round": 1},
        {"red_line": "L", "to": "all", "level": "existence", "round": 2},
        {"red_line": "L", "to": ["B"], "level": "full", "round": 2},
    ]
    rows = awareness_matrix(
        red_lines=lines, role_order=["A", "B", "C"], reveals=reveals, rounds=[1, 2]
    )
    levels = {(row["round"], row["role"]): row["level"] for row in rows}
    assert levels == {
        (1, "A"): "own",
        (1, "B"): "existence",
        (1, "C"): "none",
        (2, "A"): "own",
        (2, "B"): "full",
        (2, "C"): "existence",
    }
    assert known_level(reveals, "L", None) == "existence"
    assert known_level(reveals, "L", "B", up_to_round=1) == "existence"


# Properties ---------------------------------------------------------------------------------

unit = st.floats(min_value=0, max_value=1, allow_nan=False)
positive = st.floats(min_value=0.01, max_value=10, allow_nan=False)


@st.composite
def pressure_pairs(draw):
    keys = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=6, unique=True))
    weights = {key: draw(positive) for key in keys}
    p_i = {key: draw(unit) for key in keys}
    p_j = {key: draw(unit) for key in keys}
    return p_i, p_j, weights


@given(pressure_pairs())
def test_pair_alignment_lies_in_minus_one_to_one_and_is_symmetric(case):
    p_i, p_j, weights = case
    s = pair_alignment(p_i, p_j, weights)
    assert -1 - 1e-12 <= s <= 1 + 1e-12
    assert s == pair_alignment(p_j, p_i, weights)


@given(pressure_pairs())
def test_identical_positions_are_perfectly_aligned(case):
    p_i, _, weights = case
    assert pair_alignment(p_i, dict(p_i), weights) == 1


@st.composite
def games(draw):
    """A random small scenario (roles, levers with holders) and decisions on the grid."""
    size = draw(st.integers(min_value=2, max_value=5))
    codes = [f"R{index}" for index in range(size)]
    levers = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        holders = draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        if index == 0:
            holders = codes[:2] + [code for code in holders if code not in codes[:2]]
        levers.append(
            lever(
                f"l{index}",
                holders={
                    code: (draw(st.integers(0, 10)), draw(st.floats(0, 5))) for code in holders
                },
                high=10,
                pressure=draw(st.sampled_from(["up", "down"])),
                weight=draw(positive),
            )
        )
    for code in codes:  # every role holds at least one lever
        if not any(code in item["holders"] for item in levers):
            levers[0]["holders"][code] = {"start": 5, "cost": 1.0}
    roles = [role(code, weight=draw(positive)) for code in codes]
    decisions = {
        code: {item["key"]: draw(st.integers(0, 10)) for item in levers if code in item["holders"]}
        for code in codes
    }
    penalties = {code: draw(st.integers(0, 50)) for code in codes}
    return roles, levers, decisions, penalties


@given(games())
def test_effectiveness_and_alignment_stay_in_range(game):
    roles, levers, decisions, penalties = game
    result = score_round(roles=roles, levers=levers, decisions=decisions, penalties=penalties)
    assert -1e-9 <= result["effectiveness"] <= 100 + 1e-9
    assert 0 - 1e-9 <= result["alignment_points"] <= 100 + 1e-9
    assert all(-1 - 1e-12 <= pair["alignment"] <= 1 + 1e-12 for pair in result["pairs"])
    assert (
        effectiveness(
            result["pressures"],
            {x["key"]: x["weight"] for x in levers},
            {x["code"]: x["weight"] for x in roles},
        )
        == result["effectiveness"]
    )


@given(games(), st.randoms(use_true_random=False), st.sampled_from([1, 2]))
def test_scores_do_not_depend_on_role_labels_or_order(game, rng, rules):
    """Renaming the roles and listing them in another order changes no figure (under either
    scoring rules version)."""
    roles, levers, decisions, penalties = game
    codes = [item["code"] for item in roles]
    shuffled = codes[:]
    rng.shuffle(shuffled)
    rename = {old: f"X{new}" for old, new in zip(codes, shuffled, strict=True)}

    def relabel_lever(item):
        holders = {rename[code]: held for code, held in item["holders"].items()}
        return {**item, "holders": holders}

    roles2 = [{**item, "code": rename[item["code"]]} for item in roles]
    rng.shuffle(roles2)
    levers2 = [relabel_lever(item) for item in levers]
    rng.shuffle(levers2)
    decisions2 = {rename[code]: values for code, values in decisions.items()}
    penalties2 = {rename[code]: value for code, value in penalties.items()}
    first = score_round(
        roles=roles, levers=levers, decisions=decisions, penalties=penalties, rules=rules
    )
    second = score_round(
        roles=roles2, levers=levers2, decisions=decisions2, penalties=penalties2, rules=rules
    )
    for key in ("alignment", "alignment_points", "effectiveness", "coalition"):
        assert first[key] == second[key]
    for code in codes:
        for key in ("cost", "national", "score"):
            assert first["roles"][code][key] == second["roles"][rename[code]][key]
    pairs1 = sorted(pair["alignment"] for pair in first["pairs"])
    pairs2 = sorted(pair["alignment"] for pair in second["pairs"])
    assert pairs1 == pairs2


def test_pair_alignments_follow_the_given_role_order():
    p = {"A": {"x": 1.0}, "B": {"x": 0.0}, "C": {"x": 0.5}}
    pairs = pair_alignments(p, {"x": 1}, ["C", "A", "B"])
    assert [pair["roles"] for pair in pairs] == [["C", "A"], ["C", "B"], ["A", "B"]]


# Scoring rules v2: credited pressure --------------------------------------------------------


def test_second_worked_example_rules_v2_matches_design():
    """A retreats on s below its start: p̃(A)=(0.5, 0.5), S=0.8, 90 points, E=46.667,
    K=68.333, C(A)=9 (no cost, no credit for the retreat), R(A)=79.667, R(B)=79.167."""
    result = score_worked({"A": {"s": 40, "e": 5}, "B": {"s": 40, "e": 4}}, rules=2)
    assert result["pressures"]["A"] == pytest.approx({"s": 0.4, "e": 0.5})
    assert result["credited_pressures"]["A"] == pytest.approx({"s": 0.5, "e": 0.5})
    assert result["credited_pressures"]["B"] == pytest.approx({"s": 0.4, "e": 0.6})
    assert result["alignment"] == pytest.approx(0.8)
    assert round(result["alignment_points"], 3) == 90.0
    assert round(result["effectiveness"], 3) == 46.667
    assert round(result["coalition"], 3) == 68.333
    a, b = result["roles"]["A"], result["roles"]["B"]
    assert (round(a["cost"], 3), round(b["cost"], 3)) == (9.0, 10.0)
    assert (round(a["score"], 3), round(b["score"], 3)) == (79.667, 79.167)


def test_second_worked_example_under_rules_v1_credits_the_retreat():
    """Under v1 the same retreat gives S=0.9: the design's reason for v2."""
    result = score_worked({"A": {"s": 40, "e": 5}, "B": {"s": 40, "e": 4}}, rules=1)
    assert result["alignment"] == pytest.approx(0.9)
    assert result["credited_pressures"] == result["pressures"]


def test_first_worked_example_is_the_same_under_both_versions():
    """Nobody retreats below its start there, so v1 and v2 agree."""
    decisions = {"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}}
    assert score_worked(decisions, rules=1) == {
        **score_worked(decisions, rules=2),
        "credited_pressures": score_worked(decisions, rules=1)["pressures"],
    }


def test_unknown_rules_version_is_refused():
    with pytest.raises(ValueError, match="unknown scoring rules version 3"):
        score_worked({"A": {"s": 70, "e": 5}, "B": {"s": 40, "e": 4}}, rules=3)


def test_status_quo_scores_are_the_scores_at_start_values():
    """Worked example at start: S=0.3, 65 points, E=36.667, K=50.833, N=100, R=75.417."""
    scores = status_quo_scores(roles=WORKED["roles"], levers=WORKED["levers"])
    assert scores == pytest.approx({"A": 75.416667, "B": 75.416667})


@given(games(), st.data())
def test_retreating_below_start_never_raises_alignment_v2(game, data):
    """Under v2, moving one role's lever from at-or-above its start pressure to below it
    never raises any pair's S nor A; it can only lower effectiveness."""
    roles, levers, decisions, _ = game
    code = data.draw(st.sampled_from([item["code"] for item in roles]))
    held = [item for item in levers if code in item["holders"]]
    target = data.draw(st.sampled_from(held))
    start = target["holders"][code]["start"]
    below = [value for value in range(0, 11) if pressure(value, target) < pressure(start, target)]
    if not below:
        return
    retreat = data.draw(st.sampled_from(below))
    before = {**decisions, code: {**decisions[code], target["key"]: start}}
    after = {**decisions, code: {**decisions[code], target["key"]: retreat}}
    first = score_round(roles=roles, levers=levers, decisions=before, rules=2)
    second = score_round(roles=roles, levers=levers, decisions=after, rules=2)
    assert second["alignment"] == pytest.approx(first["alignment"], abs=1e-12)
    assert second["effectiveness"] <= first["effectiveness"] + 1e-9
    assert second["coalition"] <= first["coalition"] + 1e-9
