"""decide() and apply() as a whole: robustness, purity, commutation, the error catalogue."""

import copy
import json
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.engine import (
    COMMAND_TYPES,
    ERROR_CODES,
    EVENT_KINDS,
    RuleError,
    apply,
    decide,
    game_deadline,
    game_status,
    initial_state,
    replay,
    timer_position,
)
from game.engine.testing import Table, coalition, term

REPO = pathlib.Path(__file__).resolve().parents[2]


def running_table(phase="negotiation"):
    table = Table(coalition(3, seconds=0))
    table.advance_to(1, phase)
    return table


def test_unknown_commands_and_malformed_envelopes_are_refused():
    table = running_table()
    state = table.state
    assert decide(state, "advance").code == "invalid"
    assert decide(state, {"actor": {"kind": "system"}, "now": 1}).code == "invalid"
    assert decide(state, {"type": "fly", "actor": {"kind": "system"}, "now": 1}).code == (
        "unknown_command"
    )
    bad_actors = [None, {}, {"kind": "admin"}, "facilitator", {"kind": "player"}]
    for actor in bad_actors:
        error = decide(state, {"type": "advance", "actor": actor, "now": 1})
        assert error.code in ("invalid", "unknown_role"), actor
    error = decide(state, {"type": "chat", "actor": {"kind": "player", "role": "ZZ"}, "now": 1})
    assert error.code == "unknown_role"
    for now in (None, "soon", float("inf"), float("nan"), True):
        error = decide(state, {"type": "advance", "actor": {"kind": "facilitator"}, "now": now})
        assert error.code == "invalid"


def test_a_refused_command_is_a_frozen_rule_error():
    error = running_table().refuse("decision_lock", "R1")
    assert isinstance(error, RuleError)
    assert error.code == "wrong_phase"
    assert error.message == (
        "Decisions can only be locked during decision; the game is in the negotiation phase."
    )
    with pytest.raises(AttributeError):
        error.code = "other"


def test_apply_does_not_change_the_state_it_is_given():
    table = running_table()
    frozen = copy.deepcopy(table.state)
    events = decide(
        table.state,
        table.command("offer_propose", "R2", to=["R1"], terms=[term("R1", "aid_R1", ">=", 10)]),
    )
    new = apply(table.state, events[0])
    assert table.state == frozen
    assert new["offers"] and not table.state["offers"]


def test_apply_ignores_keys_the_service_adds_and_refuses_unknown_kinds():
    table = running_table()
    [proposed] = decide(
        table.state,
        table.command("offer_propose", "R2", to=["R1"], terms=[term("R1", "aid_R1", ">=", 10)]),
    )
    stored = {
        **proposed,
        "seq": 9,
        "at": "2024-01-01T00:00:00Z",
        "round": 1,
        "phase": "x",
        "actor": {"kind": "player"},
    }
    assert apply(table.state, stored) == apply(table.state, proposed)
    with pytest.raises(ValueError):
        apply(table.state, {"kind": "meteor", "data": {}, "audience": "all"})


def test_state_is_json_serialisable_and_survives_a_round_trip():
    table = running_table()
    table.run("offer_propose", "R2", to=["R1"], terms=[term("R1", "aid_R1", ">=", 10)])
    table.advance_to(2, "negotiation")
    assert json.loads(json.dumps(table.state)) == table.state
    assert json.loads(json.dumps(table.events)) == table.events


def test_replay_folds_the_log_into_the_same_state():
    table = running_table()
    table.run("chat", "R1", channel="all", text="hello")
    table.advance_to(2, "decision")
    assert replay(table.state["scenario"], seed=7, events=table.events) == table.state


def test_service_helpers_report_status_deadline_and_timer_position():
    table = Table(coalition(2, seconds=30))
    assert game_status(table.state) == "lobby"
    table.start()
    assert game_status(table.state) == "running"
    assert game_deadline(table.state) == table.now + 30
    assert timer_position(table.state) == {"round": 1, "phase": "briefing"}


def test_initial_state_is_a_lobby_with_start_values():
    spec = coalition(2)
    state = initial_state(spec, seed=3)
    assert (state["status"], state["round"], state["phase"], state["seed"]) == (
        "lobby",
        0,
        None,
        3,
    )
    assert state["players"] == {}
    assert state["decisions"]["R1"]["sanctions"] == 10
    spec["title"] = "changed later"
    assert state["scenario"]["title"] == "Test scenario"  # a snapshot, not a reference
    with pytest.raises(TypeError):
        initial_state(spec, seed="3")


def test_the_public_catalogues_are_complete():
    assert {"offer_propose", "tick", "decision_lock", "player_join"} <= set(COMMAND_TYPES)
    assert {"round_scored", "red_line_revealed", "game_ended"} <= set(EVENT_KINDS)


# Robustness: any command, however malformed, yields events or a RuleError ---------------------

ROLE_CODES = ["R1", "R2", "R3", "ZZ"]
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "all",
            "team",
            "full",
            "existence",
            ">=",
            "<=",
            "round",
            "game",
            "sanctions",
            "energy",
            "aid_R1",
            "o1",
            "R1-sanctions",
            "R2-energy",
            *ROLE_CODES,
        ]
    ),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "by",
                    "lever",
                    "op",
                    "value",
                    "duration",
                    "red_line",
                    "to",
                    "level",
                    "round",
                    "phase",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=12,
)
payload_keys = st.sampled_from(
    [
        "to",
        "terms",
        "note",
        "offer",
        "channel",
        "text",
        "values",
        "choices",
        "red_line",
        "level",
        "seconds",
        "title",
        "body",
        "audience",
        "role",
        "round",
        "delta",
        "reason",
        "player_id",
        "name",
        "expected",
    ]
)
actors = st.one_of(
    st.sampled_from(
        [
            {"kind": "facilitator", "role": None},
            {"kind": "system", "role": None},
            *({"kind": "player", "role": code} for code in ROLE_CODES),
        ]
    ),
    json_value,
)
commands = st.fixed_dictionaries(
    {
        "type": st.one_of(st.sampled_from(list(COMMAND_TYPES)), json_leaf),
        "actor": actors,
        "now": st.one_of(st.floats(0, 10**10), json_leaf),
    }
).flatmap(
    lambda base: st.dictionaries(payload_keys, json_value, max_size=5).map(
        lambda payload: {**payload, **base}
    )
)

PHASE_TABLES = {}


def table_in(phase):
    if phase not in PHASE_TABLES:
        table = running_table(phase)
        if phase == "negotiation":
            table.run("offer_propose", "R2", to=["R1"], terms=[term("R1", "aid_R1", ">=", 10)])
        PHASE_TABLES[phase] = table
    return PHASE_TABLES[phase]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(["disclosure", "negotiation", "decision", "results"]), commands)
def test_decide_never_raises_and_never_changes_its_input(phase, command):
    table = table_in(phase)
    before = copy.deepcopy(table.state)
    outcome = decide(table.state, command)
    assert table.state == before
    if isinstance(outcome, RuleError):
        assert outcome.code in ERROR_CODES
        assert outcome.message
        return
    state = table.state
    for item in outcome:
        json.dumps(item)
        state = apply(state, item)
    json.dumps(state)


# Commutation: independent commands in either order give the same state -----------------------

values_a = st.fixed_dictionaries({"sanctions": st.sampled_from(range(0, 101, 5))})
values_b = st.fixed_dictionaries(
    {"sanctions": st.sampled_from(range(0, 101, 5)), "energy": st.integers(0, 10)}
)


@settings(max_examples=40, deadline=None)
@given(values_a, values_b, st.booleans(), st.booleans())
def test_two_teams_deciding_in_either_order_reach_the_same_results(va, vb, lock_a, lock_b):
    def play(order):
        table = running_table("decision")
        for code, values, lock in order:
            table.run("decision_set", code, values=values)
            if lock:
                table.run("decision_lock", code)
        table.run("advance", "facilitator")
        return table.state

    moves = [("R1", va, lock_a), ("R2", vb, lock_b)]
    first, second = play(moves), play(moves[::-1])
    assert first == second
    assert first["results"][0]["scores"] == second["results"][0]["scores"]


@settings(max_examples=25, deadline=None)
@given(st.permutations(["R1", "R2", "R3"]))
def test_disclosures_published_together_do_not_depend_on_who_chose_first(order):
    def play(sequence):
        table = running_table("disclosure")
        for code in sequence:
            line = {"R1": "R1-sanctions", "R2": "R2-energy", "R3": "R3-energy"}[code]
            table.run(
                "disclosure_set", code, choices=[{"red_line": line, "to": "all", "level": "full"}]
            )
        table.run("advance", "facilitator")
        return table.state

    assert play(order)["reveals"] == play(["R1", "R2", "R3"])["reveals"]


# The error catalogue ----------------------------------------------------------------------------


def test_every_error_code_is_documented_in_docs_engine_md():
    text = (REPO / "docs" / "engine.md").read_text()
    missing = [code for code in ERROR_CODES if f"`{code}`" not in text]
    assert missing == []


def test_every_error_code_is_exercised_by_some_engine_test():
    here = pathlib.Path(__file__).resolve().parent
    sources = "\n".join(path.read_text() for path in here.glob("test_engine_*.py"))
    untested = [code for code in ERROR_CODES if f'"{code}"' not in sources]
    assert untested == []


def test_system_commands_and_seat_events_are_listed_for_the_service():
    from game.engine import SEAT_EVENT_KINDS, SYSTEM_COMMAND_TYPES

    assert set(SYSTEM_COMMAND_TYPES) == {"player_join", "tick"}
    assert set(SEAT_EVENT_KINDS) == {"player_joined", "player_moved", "player_removed"}
    assert set(SEAT_EVENT_KINDS) <= set(EVENT_KINDS)
