"""Bot strategies open / guarded / secretive: seeded, deciding from their role's view, and
the lesson on a small scenario whose best deal needs a commitment."""

import json
import random

import pytest

from game.engine import bot_plan, play_game, replay, view
from game.engine.strategies import SEATINGS, seat_strategies
from game.engine.testing import Table, condition, lever, red_line, role, scenario


def stag_hunt(rounds: int = 2) -> dict:
    """A and B share lever s (0 or 10, cost 1 per unit), both at 0. Both at 10 scores 95
    each; raising alone loses. B's cap (penalty 50) lifts only if A commits to s ≥ 10."""
    from game.engine.testing import round_

    return scenario(
        roles=[role("A"), role("B")],
        levers=[lever("s", holders={"A": (0, 1), "B": (0, 1)}, high=10, step=10)],
        red_lines=[
            red_line(
                "b-cap", "B", "s", "ceiling", 0, penalty=50, unless=[condition("A", "s", ">=", 10)]
            )
        ],
        rounds=[round_(f"Round {n}") for n in range(1, rounds + 1)],
    )


def play(spec, strategy, seed=1):
    codes = [item["code"] for item in spec["roles"]]
    return play_game(spec, seed=seed, strategies=dict.fromkeys(codes, strategy))


def test_open_bots_make_the_deal_and_secretive_bots_do_not():
    open_state, _ = play(stag_hunt(), "open")
    secretive_state, _ = play(stag_hunt(), "secretive")
    assert [r["decisions"] for r in open_state["results"]] == [{"A": {"s": 10}, "B": {"s": 10}}] * 2
    assert open_state["final"]["coalition"] == pytest.approx(100)
    assert all(not r["private"]["B"]["breaches"] for r in open_state["results"])
    assert secretive_state["final"]["coalition"] == pytest.approx(50)
    assert secretive_state["offers"] == {}


def test_open_reveals_in_full_guarded_existence_secretive_nothing():
    for strategy, expected in (("open", ["full"]), ("guarded", ["existence"]), ("secretive", [])):
        state, _ = play(stag_hunt(), strategy)
        assert [reveal["level"] for reveal in state["reveals"]] == expected, strategy


def test_strategy_games_are_seeded_and_replay_from_their_log():
    spec = stag_hunt(3)
    first = play(spec, "open", seed=4)
    assert play(spec, "open", seed=4) == first
    state, events = first
    stored = json.loads(json.dumps(events))
    assert replay(spec, seed=4, events=stored) == json.loads(json.dumps(state))


def test_a_strategy_decides_from_the_role_view_only():
    """Hiding everything the view does not show changes nothing: bot_plan gets the view."""
    table = Table(stag_hunt())
    table.advance_to(1, "negotiation")
    seen = view(table.state, {"kind": "player", "role": "A"})
    assert "cost" not in json.dumps(seen["scenario"]["levers"])
    planned = bot_plan(seen, "A", seed=1, strategy="open")
    assert planned and planned[0]["type"] == "offer_propose"
    assert planned[0]["terms"][0]["by"] == "A"


def test_unknown_strategy_and_seating_are_refused():
    table = Table(stag_hunt())
    table.advance_to(1, "decision")
    seen = view(table.state, {"kind": "player", "role": "A"})
    with pytest.raises(ValueError, match="unknown bot strategy 'nice'"):
        bot_plan(seen, "A", seed=1, strategy="nice")
    with pytest.raises(ValueError, match="unknown seating"):
        seat_strategies(["A"], "half-open", random.Random(1))


def test_seatings_assign_a_strategy_to_every_seat():
    codes = ["A", "B", "C"]
    for seating in SEATINGS:
        seats = seat_strategies(codes, seating, random.Random(2))
        assert set(seats) == set(codes)
    lone = seat_strategies(codes, "lone-open", random.Random(2))
    assert sorted(lone.values()) == ["open", "secretive", "secretive"]
