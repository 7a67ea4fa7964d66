"""Results tables add up: in every view of whole bot games of both bundled scenarios, each
role's national and round score are the sum of the parts the viewer is shown, and a team's
domestic cost and red-line penalties reach no other team before the end."""

from math import fsum
from pathlib import Path

import pytest

from game.engine import apply, initial_state, play_game, view
from game.engine.breakdown import score_breakdown
from scenarios.parsing import load_document
from scenarios.validation import validate_document

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"
SCENARIOS = ["coalition-2022.json", "taiwan-strait-2027.yaml"]
STRATEGIES = [None, "open", "guarded", "secretive"]
# The events one scoring writes: round_scored, then the details and each role's costs.
SCORING_EVENTS = (
    "round_scored",
    "commitment_fulfilled",
    "commitment_broken",
    "red_line_breached",
    "red_line_lifted",
    "cost_assessed",
)


def bundled(name: str) -> dict:
    return validate_document(load_document(BUNDLED / name))


def viewers(scenario: dict) -> list[dict]:
    players = [{"kind": "player", "role": role["code"]} for role in scenario["roles"]]
    return [{"kind": "facilitator"}, {"kind": "observer"}, *players]


def states_with_results(scenario: dict, strategy: str | None, seed: int):
    """Every state with a scored round (not those halfway through writing a round's scores)."""
    strategies = dict.fromkeys([r["code"] for r in scenario["roles"]], strategy)
    _, events = play_game(scenario, seed=seed, strategies=strategies if strategy else None)
    state = initial_state(scenario, seed=seed)
    for index, item in enumerate(events):
        state = apply(state, item)
        following = events[index + 1]["kind"] if index + 1 < len(events) else None
        if state["results"] and following not in SCORING_EVENTS:
            yield state


def assert_adds_up(part: dict, where: str):
    total = fsum(item["value"] for item in part["parts"])
    assert total == pytest.approx(part["total"], abs=1e-9), where


def whole_games():
    for name in SCENARIOS:
        for strategy in STRATEGIES:
            yield pytest.param(name, strategy, id=f"{name.split('.')[0]}-{strategy or 'default'}")


@pytest.mark.parametrize(("name", "strategy"), list(whole_games()))
def test_every_shown_score_is_the_sum_of_its_shown_parts(name, strategy):
    scenario = bundled(name)
    seen_parts = set()
    for state in states_with_results(scenario, strategy, seed=3):
        ended = state["status"] == "ended"
        for viewer in viewers(scenario):
            for entry in view(state, viewer)["results"]:
                for code, rows in entry["breakdown"].items():
                    where = f"{viewer} round {entry['round']} {code}"
                    published = entry["scores"][code]
                    assert rows["national"]["total"] == published["national"], where
                    assert rows["score"]["total"] == published["score"], where
                    assert_adds_up(rows["national"], where)
                    assert_adds_up(rows["score"], where)
                    parts = {item["part"] for item in rows["national"]["parts"]}
                    seen_parts |= parts
                    own = ended or viewer["kind"] == "facilitator" or viewer.get("role") == code
                    assert ("cost" in parts) == own, where
                    assert ("red_lines" in parts) == own, where
                    assert ("cost_and_red_lines" in parts) != own, where
    assert {"start", "cost", "red_lines", "cost_and_red_lines", "commitments"} <= seen_parts


def test_red_line_penalties_and_adjustments_are_parts_of_the_score():
    """A breached red line, a broken commitment and a facilitator's adjustment each appear as
    a part, and the parts still add up (the issue's table showed none of the first)."""
    entry = {
        "metrics": {"coalition": 60.0},
        "scores": {
            "A": {"national": 67.5, "commitment_penalty": 10, "adjustment": 2.5, "score": 66.25},
        },
        "private": {"A": {"cost": 7.5, "red_line_penalty": 15}},
    }
    own = score_breakdown(entry, 0.5, "A", False)["A"]
    assert own["national"]["parts"] == [
        {"part": "start", "value": 100},
        {"part": "cost", "value": -7.5},
        {"part": "red_lines", "value": -15},
        {"part": "commitments", "value": -10},
    ]
    assert own["score"]["parts"] == [
        {"part": "coalition", "value": 30.0},
        {"part": "national", "value": 33.75},
        {"part": "adjustment", "value": 2.5},
    ]
    other = score_breakdown(entry, 0.5, "B", False)["A"]
    assert other["national"]["parts"][1] == {"part": "cost_and_red_lines", "value": -22.5}
    assert_adds_up(own["national"], "own")
    assert_adds_up(own["score"], "own")
    assert_adds_up(other["national"], "other")
