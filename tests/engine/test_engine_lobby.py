"""Seating: players join (recorded by the server), are moved and removed by the facilitator."""

import pytest


@pytest.fixture
def lobby(make_table):
    return make_table(started=False)


def test_join_move_and_remove_are_events_for_everyone(lobby):
    [joined] = lobby.run("player_join", "system", player_id="p1", name=" Ann ", role="A")
    assert (joined["kind"], joined["audience"]) == ("player_joined", "all")
    assert joined["data"] == {"player_id": "p1", "name": "Ann", "role": "A"}
    [moved] = lobby.run("player_move", "facilitator", player_id="p1", role="B")
    assert moved["data"] == {"player_id": "p1", "role": "B", "from": "A"}
    assert lobby.state["players"] == {"p1": {"id": "p1", "name": "Ann", "role": "B"}}
    [removed] = lobby.run("player_remove", "facilitator", player_id="p1")
    assert removed["data"] == {"player_id": "p1", "role": "B"}
    assert lobby.state["players"] == {}


def test_integer_player_ids_are_kept_as_given(lobby):
    """The server's database ids are ints: events carry them unchanged (state keys are text)."""
    [joined] = lobby.run("player_join", "system", player_id=17, name="Bo", role="C")
    assert joined["data"]["player_id"] == 17
    assert lobby.state["players"] == {"17": {"id": 17, "name": "Bo", "role": "C"}}
    [moved] = lobby.run("player_move", "facilitator", player_id=17, role="A")
    assert moved["data"]["player_id"] == 17
    [removed] = lobby.run("player_remove", "facilitator", player_id=17)
    assert removed["data"] == {"player_id": 17, "role": "A"}
    assert lobby.state["players"] == {}


def test_moving_to_the_same_role_is_a_no_op(lobby):
    lobby.run("player_join", "system", player_id="p1", name="Ann", role="A")
    assert lobby.run("player_move", "facilitator", player_id="p1", role="A") == []


def test_late_joiners_may_join_a_running_game(lobby):
    lobby.run("start", "facilitator")
    assert lobby.run("player_join", "system", player_id="p9", name="Late", role="C")


def test_seating_errors(lobby):
    lobby.run("player_join", "system", player_id="p1", name="Ann", role="A")
    assert (
        lobby.refuse("player_join", "system", player_id="p1", name="Ann", role="B").code
        == "already_joined"
    )
    assert (
        lobby.refuse("player_join", "system", player_id="p2", name="Bo", role="Z").code
        == "unknown_role"
    )
    assert lobby.refuse("player_join", "system", player_id="p2", name="", role="A").code == (
        "invalid"
    )
    assert (
        lobby.refuse("player_join", "system", player_id="p2", name="x" * 81, role="A").code
        == "invalid"
    )
    assert lobby.refuse("player_join", "system", player_id=None, name="Bo", role="A").code == (
        "invalid"
    )
    assert lobby.refuse("player_move", "facilitator", player_id="p7", role="A").code == (
        "unknown_player"
    )
    assert lobby.refuse("player_remove", "facilitator", player_id="p7").code == "unknown_player"


def test_who_may_seat(lobby):
    payload = {"player_id": "p1", "name": "Ann", "role": "A"}
    assert lobby.refuse("player_join", "facilitator", **payload).code == "not_system"
    assert lobby.refuse("player_join", "A", **payload).code == "not_system"
    lobby.run("player_join", "system", **payload)
    assert lobby.refuse("player_move", "A", player_id="p1", role="B").code == "not_facilitator"
    assert lobby.refuse("player_remove", "system", player_id="p1").code == "not_facilitator"


def test_no_seating_after_the_end(lobby):
    lobby.run("end", "facilitator")
    assert (
        lobby.refuse("player_join", "system", player_id="p1", name="Ann", role="A").code
        == "game_ended"
    )
