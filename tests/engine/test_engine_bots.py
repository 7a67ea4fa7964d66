"""Bots and whole games: determinism, replay of the log, and the heuristic's promises."""

import json

import pytest

from game.engine import apply, bot_commands, decide, initial_state, play_game, replay, view
from game.engine.testing import Table, coalition, condition, lever, red_line, role, scenario


@pytest.mark.parametrize("size", [2, 3, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_folding_the_log_of_a_bot_game_reproduces_its_final_state(size, seed):
    spec = coalition(size, rounds=3)
    state, events = play_game(spec, seed=seed, now=1000.0)
    assert state["status"] == "ended"
    assert len(state["results"]) == 3
    folded = initial_state(spec, seed=seed)
    for item in events:
        folded = apply(folded, item)
    assert folded == state
    # ... and through JSON, as the service stores events.
    stored = json.loads(json.dumps(events))
    assert replay(spec, seed=seed, events=stored) == json.loads(json.dumps(state))


def reversed_keys(value):
    """The same data with every mapping's keys in reverse order, as a database that does not
    keep key order (PostgreSQL jsonb) might hand it back."""
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def test_a_bot_game_does_not_depend_on_the_key_order_of_stored_states(monkeypatch):
    """Every state handed back with its keys reordered: the game goes exactly the same."""
    import game.engine.bots as bots

    spec = coalition(4, rounds=2)
    expected = play_game(spec, seed=3)
    monkeypatch.setattr(bots, "apply", lambda state, item: reversed_keys(apply(state, item)))
    state, events = play_game(reversed_keys(spec), seed=3)
    assert events == expected[1]
    assert state == expected[0]


def test_a_bot_game_is_deterministic_for_a_seed():
    spec = coalition(3)
    assert play_game(spec, seed=5) == play_game(spec, seed=5)


def test_bot_games_use_ticks_for_timed_phases_and_advance_for_untimed_ones():
    _, timed = play_game(coalition(2, seconds=30), seed=1)
    _, manual = play_game(coalition(2, seconds=0), seed=1)
    deadlines = [e["data"]["deadline"] for e in timed if e["kind"] == "phase_started"]
    assert any(deadline is not None for deadline in deadlines)
    assert all(e["data"]["deadline"] is None for e in manual if e["kind"] == "phase_started")


def test_bots_reveal_conditional_red_lines_to_the_roles_they_name():
    _, events = play_game(coalition(3), seed=0)
    reveals = [e["data"] for e in events if e["kind"] == "red_line_revealed"]
    r2 = [x for x in reveals if x["red_line"] == "R2-energy"]
    assert r2 and r2[0]["to"] == ["R1"] and r2[0]["level"] == "full"


def test_bots_trade_commitments_and_keep_them():
    _, events = play_game(coalition(3), seed=0)
    assert any(e["kind"] == "offer_accepted" for e in events)
    assert not any(e["kind"] == "commitment_broken" for e in events)
    assert any(e["kind"] == "commitment_fulfilled" for e in events)


def test_bots_never_breach_a_red_line_that_was_not_lifted():
    for seed in range(4):
        _, events = play_game(coalition(4, rounds=2), seed=seed)
        assert not any(e["kind"] == "red_line_breached" for e in events)


def test_bots_act_once_per_phase():
    table = Table(coalition(3, seconds=0))
    table.advance_to(1, "decision")
    first = bot_commands(table.state, "R2", seed=1)
    assert [c["type"] for c in first] == ["decision_set", "decision_lock"]
    for command in first:
        for item in decide(table.state, command):
            table.state = apply(table.state, item)
    assert bot_commands(table.state, "R2", seed=1) == []


def test_bots_do_nothing_in_the_lobby_paused_or_in_briefing_and_results():
    table = Table(coalition(2, seconds=0))
    assert bot_commands(table.state, "R1", seed=1) == []
    table.start()
    assert bot_commands(table.state, "R1", seed=1) == []
    table.advance_to(1, "decision")
    table.run("pause", "facilitator")
    assert bot_commands(table.state, "R1", seed=1) == []


def test_bots_only_use_what_their_role_may_see():
    """A bot's commands are a function of its own view: equal views, equal commands."""
    table = Table(coalition(3, seconds=0))
    table.advance_to(1, "negotiation")
    other = Table(coalition(3, seconds=0))
    other.advance_to(1, "negotiation")
    # R3 chats in its team channel and R2 reveals to R3 only: nothing R1 can see changes.
    other.run("chat", "R3", channel="team", text="secret plan")
    other.run("reveal", "R2", red_line="R2-energy", to=["R3"], level="existence")
    player = {"kind": "player", "role": "R1"}
    view_a, view_b = view(table.state, player), view(other.state, player)
    assert view_a == view_b
    assert bot_commands(table.state, "R1", seed=3) == bot_commands(other.state, "R1", seed=3)


def test_a_bot_rejects_an_offer_that_would_breach_its_red_line():
    spec = scenario(
        roles=[role("A"), role("B")],
        levers=[lever("x", holders={"A": (50, 0.1), "B": (50, 0.1)})],
        red_lines=[red_line("a-x", "A", "x", "ceiling", 60)],
    )
    table = Table(spec)
    table.advance_to(1, "negotiation")
    table.run(
        "offer_propose",
        "B",
        to=["A"],
        terms=[{"by": "A", "lever": "x", "op": ">=", "value": 80, "duration": "round"}],
    )
    assert [c["type"] for c in bot_commands(table.state, "A", seed=0)] == ["offer_reject"]


def test_a_bot_accepts_a_cheap_offer_and_asks_for_its_conditions():
    spec = scenario(
        roles=[role("A"), role("B")],
        levers=[
            lever("x", holders={"A": (50, 0.1), "B": (50, 0.1)}),
            lever("y", holders={"B": (0, 0.1)}, high=10),
        ],
        red_lines=[red_line("a-x", "A", "x", "ceiling", 60, unless=[condition("B", "y", ">=", 3)])],
    )
    table = Table(spec)
    table.advance_to(1, "negotiation")
    table.run(
        "offer_propose",
        "B",
        to=["A"],
        terms=[{"by": "A", "lever": "x", "op": ">=", "value": 55, "duration": "round"}],
    )
    commands = bot_commands(table.state, "A", seed=0)
    assert [c["type"] for c in commands] == ["offer_accept", "offer_propose"]
    assert commands[1]["terms"] == [
        {"by": "B", "lever": "y", "op": ">=", "value": 3, "duration": "round"}
    ]


def test_a_bot_decision_honours_commitments_and_red_lines():
    spec = scenario(
        roles=[role("A"), role("B")],
        levers=[lever("x", holders={"A": (50, 0.1), "B": (90, 0.1)})],
        red_lines=[red_line("a-x", "A", "x", "ceiling", 60)],
    )
    table = Table(spec)
    table.advance_to(1, "negotiation")
    table.run(
        "offer_propose",
        "B",
        to=["A"],
        terms=[{"by": "A", "lever": "x", "op": ">=", "value": 55, "duration": "round"}],
    )
    table.run("offer_accept", "A", offer="o1")
    table.advance_to(1, "decision")
    for seed in range(10):
        [setting, _lock] = bot_commands(table.state, "A", seed=seed)
        assert 55 <= setting["values"]["x"] <= 60
