"""The scenario analyser on hand-made scenarios whose outcomes are known by hand, and on the
bundled scenarios (their checks must pass with clear margins)."""

from functools import cache
from pathlib import Path

import pytest

from game.analysis import analyse_scenario
from game.engine.testing import condition, lever, red_line, role, scenario

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"


def stag_hunt(*, guarded: bool = False) -> dict:
    """Two equal roles share one lever with the values 0 and 10, both starting at 0, one
    point of cost per unit. By hand (β = γ = 0.5): both at 0 → K 50, R 75 each; A alone at
    10 → S −1, E 50, K 25, R(A) 57.5, R(B) 62.5; both at 10 → K 100, N 90, R 95 each.
    `guarded`: B will not go above 0 (penalty 50) unless A commits to 10."""
    lines = []
    if guarded:
        lines.append(
            red_line(
                "b-cap", "B", "s", "ceiling", 0, penalty=50, unless=[condition("A", "s", ">=", 10)]
            )
        )
    return scenario(
        roles=[role("A"), role("B")],
        levers=[lever("s", holders={"A": (0, 1), "B": (0, 1)}, high=10, step=10)],
        red_lines=lines,
    )


def test_status_quo_and_fair_deal_of_the_stag_hunt():
    result = analyse_scenario(stag_hunt())
    assert result["status_quo"]["final"] == pytest.approx({"A": 75, "B": 75})
    fair = result["fair_deal"]
    assert fair["decisions"] == [{"A": {"s": 10}, "B": {"s": 10}}]
    assert fair["final"] == pytest.approx({"A": 95, "B": 95})
    assert fair["gain"] == pytest.approx({"A": 20, "B": 20})
    assert result["best_coalition"]["coalition"] == pytest.approx(100)
    assert result["best_total"]["total"] == pytest.approx(190)


def test_no_deal_of_the_stag_hunt_stays_at_the_status_quo():
    """Raising alone loses 17.5 points, so best-response play never leaves the start."""
    result = analyse_scenario(stag_hunt())
    assert result["no_deal"]["decisions"] == [{"A": {"s": 0}, "B": {"s": 0}}]
    assert result["no_deal"]["converged"]
    raise_a = result["unilateral"]["A"]["raise"]
    assert raise_a["gain"] == pytest.approx(0)  # its best raising move is to stay
    assert result["unilateral"]["A"]["retreat"] is None  # nothing below the start


def test_commitments_unlock_the_deal_a_red_line_blocks():
    """B's cap blocks the deal without commitments; A's term s ≥ 10 lifts it."""
    result = analyse_scenario(stag_hunt(guarded=True))
    without = result["fair_deal_without_commitments"]
    assert without["decisions"] == [{"A": {"s": 0}, "B": {"s": 0}}]
    assert without["gain"] == pytest.approx({"A": 0, "B": 0})
    fair = result["fair_deal"]
    assert fair["decisions"] == [{"A": {"s": 10}, "B": {"s": 10}}]
    assert fair["commitments"] == [
        {"round": 1, "by": "A", "lever": "s", "op": ">=", "value": 10, "to": "B", "lifts": "b-cap"}
    ]
    assert fair["rounds"][0]["breaches"] == []
    # Ignoring the red line: B pays its penalty. R(B) = 0.5·100 + 0.5·(100 − 10 − 50) = 70.
    assert result["max_pressure"]["final"] == pytest.approx({"A": 95, "B": 70})
    assert result["max_pressure"]["rounds"][0]["breaches"] == ["b-cap"]
    checks = result["checks"]
    assert checks["a"] == {**checks["a"], "value": pytest.approx(20), "passed": True}
    assert checks["b"]["value"] == pytest.approx(0) and not checks["b"]["passed"]
    assert checks["c"]["value"] == pytest.approx(20) and checks["c"]["passed"]
    # Everyone at minimum pressure is the status quo here: not a loss, so (d) fails.
    assert checks["d"]["value"] == pytest.approx(0) and not checks["d"]["passed"]


def leader_and_laggard() -> dict:
    """A starts at 10, B at 0 (values 0 or 10, no cost). At start: S −1, E 50, K 25,
    R 62.5 each. A retreating to 0: v1 S 1, E 0, K 50 (+12.5 for everyone); v2 credits A
    with 10, so S stays −1 and K falls to 0 (−12.5)."""
    return scenario(
        roles=[role("A"), role("B")],
        levers=[lever("s", holders={"A": (10, 0), "B": (0, 0)}, high=10, step=10)],
    )


def test_retreat_pays_under_v1_and_check_d_says_so():
    result = analyse_scenario(leader_and_laggard(), rules=1)
    assert result["unilateral"]["A"]["retreat"]["gain"] == pytest.approx(12.5)
    assert result["checks"]["d"]["value"] == pytest.approx(12.5)
    assert not result["checks"]["d"]["passed"]


def test_retreat_loses_under_v2():
    result = analyse_scenario(leader_and_laggard(), rules=2)
    assert result["unilateral"]["A"]["retreat"]["gain"] == pytest.approx(-12.5)
    assert result["unilateral"]["A"]["retreat"]["decisions"] == [{"s": 0}]
    assert result["checks"]["d"]["value"] == pytest.approx(-12.5)
    assert result["checks"]["d"]["passed"]
    assert result["fair_deal"]["decisions"] == [{"A": {"s": 10}, "B": {"s": 10}}]


def test_the_json_document_has_the_documented_keys():
    result = analyse_scenario(stag_hunt(guarded=True))
    for key in (
        "status_quo",
        "no_deal",
        "fair_deal",
        "fair_deal_without_commitments",
        "best_coalition",
        "max_pressure",
    ):
        assert set(result[key]) >= {"final", "decisions"}
    assert "commitments" in result["fair_deal"]
    assert set(result["checks"]) == {"a", "b", "c", "d"}
    for check in result["checks"].values():
        assert set(check) >= {"value", "threshold", "passed"}


@cache
def bundled_analysis(name: str) -> dict:
    from scenarios.validation import load_document, validate_document

    return analyse_scenario(validate_document(load_document(BUNDLED / name)))


@pytest.mark.parametrize("name", ["coalition-2022.json", "taiwan-strait-2027.yaml"])
def test_bundled_scenarios_pass_every_check_with_a_margin(name):
    """(a)–(c) by at least the threshold; (d) strictly negative."""
    result = bundled_analysis(name)
    failed = {key: check for key, check in result["checks"].items() if not check["passed"]}
    assert failed == {}
    # the fair deal needs commitments and breaches nothing
    assert result["fair_deal"]["commitments"]
    assert all(not entry["breaches"] for entry in result["fair_deal"]["rounds"])


def test_coalition_2022_fair_deal_makes_the_central_trade():
    """US LNG to the allies unlocks Japan's and Korea's cuts of Russian LNG."""
    result = bundled_analysis("coalition-2022.json")
    terms = {(t["by"], t["lever"], t["lifts"]) for t in result["fair_deal"]["commitments"]}
    assert ("US", "us_lng_to_allies", "jp-sakhalin-lng") in terms
    for decisions in result["fair_deal"]["decisions"]:
        assert decisions["US"]["us_lng_to_allies"] >= 4
        assert decisions["JP"]["russian_lng_share"] < 5
