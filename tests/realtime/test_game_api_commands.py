"""REST: POST /api/games/<code>/commands (the socket's commands over HTTP), seats, export."""

import pytest
from django.test import Client

from game.api import PLAYER_TOKEN_HEADER
from game.models import Player

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiating(make_game):
    table = make_game()
    table.advance_to(1, "negotiation")
    return table


def command(table, body, *, token=None, client=None):
    client = client or Client()
    headers = {PLAYER_TOKEN_HEADER: token} if token else {}
    return client.post(
        f"/api/games/{table.code}/commands", body, content_type="application/json", headers=headers
    )


def test_a_player_command_by_token_is_applied(negotiating):
    table = negotiating
    before = table.last_seq()
    reply = command(
        table,
        {"type": "chat", "id": "c1", "channel": "all", "text": "Hello"},
        token=table.seat("R1").token,
    )
    assert reply.status_code == 200, reply.content
    assert reply.json() == {"seq": before + 1, "duplicate": False}
    table.refresh()
    assert table.game.state["chat"][-1]["from"] == "R1"


def test_a_repeated_id_is_not_applied_twice(negotiating):
    table = negotiating
    token = table.seat("R1").token
    body = {"type": "chat", "id": "once", "channel": "all", "text": "Hello"}
    first = command(table, body, token=token).json()
    again = command(table, body, token=token).json()
    assert again == {"seq": first["seq"], "duplicate": True}
    assert table.last_seq() == first["seq"]


def test_a_facilitator_command_by_staff_session(negotiating, staff_client):
    reply = command(negotiating, {"type": "pause"}, client=staff_client)
    assert reply.status_code == 200
    negotiating.refresh()
    assert negotiating.game.state["paused"] is True
    reply = command(negotiating, {"type": "resume"}, client=staff_client)
    assert reply.status_code == 200
    negotiating.refresh()
    assert negotiating.game.state["paused"] is False


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"type": "advance"}, 400, "not_facilitator"),
        ({"type": "decision_set", "values": {"sanctions": 50}}, 400, "wrong_phase"),
        ({"type": "chat", "channel": "all", "text": ""}, 400, "invalid"),
        ({"type": "dance"}, 400, "unknown_type"),
        ({"type": 7}, 400, "invalid_field"),
        ({}, 400, "invalid_field"),
        ({"type": "tick", "expected": {"round": 1, "phase": "negotiation"}}, 400, "forbidden"),
        ({"type": "player_join", "player_id": 5, "name": "X", "role": "R1"}, 400, "forbidden"),
        ({"type": "chat", "id": 5, "channel": "all", "text": "x"}, 400, "invalid_field"),
        ({"type": "chat", "id": "x" * 65, "channel": "all", "text": "x"}, 400, "invalid_field"),
        ([{"type": "chat"}], 400, "invalid_frame"),
    ],
)
def test_refused_commands_change_nothing(negotiating, body, status, code):
    table = negotiating
    before = table.last_seq()
    reply = command(table, body, token=table.seat("R1").token)
    assert reply.status_code == status, reply.content
    assert reply.json()["code"] == code
    assert reply.json()["message"]
    assert table.last_seq() == before


def test_commands_need_a_seat(negotiating):
    reply = command(negotiating, {"type": "chat", "channel": "all", "text": "hi"})
    assert reply.status_code in (401, 403)
    assert reply.json()["code"] == "unauthenticated"


def test_a_session_player_needs_the_csrf_token(negotiating):
    """Commands authenticated by the session cookie alone are checked against CSRF."""
    table = negotiating
    client = Client(enforce_csrf_checks=True)
    client.get(f"/join/{table.code}/")  # a page with a form sets the csrftoken cookie
    joined = client.post(
        f"/api/games/{table.code}/join",
        {"name": "Browser", "team": "R2"},
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},  # a browser's join
    )
    assert joined.status_code == 201, joined.content
    before = table.last_seq()
    body = {"type": "chat", "channel": "all", "text": "from a forged form"}
    forged = command(table, body, client=client)
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["message"]
    assert table.last_seq() == before

    reply = client.post(
        f"/api/games/{table.code}/commands",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert reply.status_code == 200, reply.content


def test_a_token_header_needs_no_csrf_token(negotiating):
    client = Client(enforce_csrf_checks=True)
    body = {"type": "chat", "channel": "all", "text": "from a bot"}
    reply = command(negotiating, body, token=negotiating.seat("R3").token, client=client)
    assert reply.status_code == 200


def test_player_move_through_the_commands_endpoint_moves_the_player_row(negotiating, staff_client):
    seat = negotiating.seat("R1")
    reply = command(
        negotiating, {"type": "player_move", "player_id": seat.player_id, "role": "R3"},
        client=staff_client,
    )  # fmt: skip
    assert reply.status_code == 200
    assert Player.objects.get(pk=seat.player_id).role == "R3"
    view = Client().get(
        f"/api/games/{negotiating.code}/view", headers={PLAYER_TOKEN_HEADER: seat.token}
    )
    assert view.json()["view"]["role"]["code"] == "R3"


# -- seats ------------------------------------------------------------------------------------


def test_staff_move_a_player(negotiating, staff_client):
    seat = negotiating.seat("R2")
    before = negotiating.last_seq()
    reply = staff_client.post(
        f"/api/games/{negotiating.code}/players/{seat.player_id}/move",
        {"team": "r1"},
        content_type="application/json",
    )
    assert reply.status_code == 200
    assert reply.json() == {"seq": before + 1}
    assert Player.objects.get(pk=seat.player_id).role == "R1"
    negotiating.refresh()
    assert negotiating.game.state["players"][str(seat.player_id)]["role"] == "R1"


def test_staff_remove_a_player(negotiating, staff_client):
    seat = negotiating.seat("R2")
    reply = staff_client.post(f"/api/games/{negotiating.code}/players/{seat.player_id}/remove")
    assert reply.status_code == 200
    assert Player.objects.get(pk=seat.player_id).removed is True
    negotiating.refresh()
    assert str(seat.player_id) not in negotiating.game.state["players"]
    again = staff_client.post(f"/api/games/{negotiating.code}/players/{seat.player_id}/remove")
    assert again.status_code == 404
    assert again.json()["code"] == "unknown_player"


def test_seats_of_another_game_are_not_found(negotiating, make_game, staff_client):
    other = make_game()
    seat = other.seat("R1")
    path = f"/api/games/{negotiating.code}/players/{seat.player_id}"
    assert staff_client.post(f"{path}/remove").status_code == 404
    moved = staff_client.post(f"{path}/move", {"team": "R2"}, content_type="application/json")
    assert moved.status_code == 404
    assert Player.objects.get(pk=seat.player_id).role == "R1"


def test_move_to_an_unknown_team_is_refused(negotiating, staff_client):
    seat = negotiating.seat("R2")
    reply = staff_client.post(
        f"/api/games/{negotiating.code}/players/{seat.player_id}/move",
        {"team": "ZZ"},
        content_type="application/json",
    )
    assert reply.status_code == 400
    assert reply.json()["code"] == "unknown_role"
    assert Player.objects.get(pk=seat.player_id).role == "R2"


@pytest.mark.parametrize("who", ["anonymous", "player"])
def test_only_staff_move_or_remove(negotiating, who):
    seat = negotiating.seat("R2")
    headers = {PLAYER_TOKEN_HEADER: negotiating.seat("R1").token} if who == "player" else {}
    path = f"/api/games/{negotiating.code}/players/{seat.player_id}"
    client = Client()
    moved = client.post(
        f"{path}/move", {"team": "R1"}, content_type="application/json", headers=headers
    )
    removed = client.post(f"{path}/remove", headers=headers)
    assert moved.status_code == removed.status_code == 403
    player = Player.objects.get(pk=seat.player_id)
    assert (player.role, player.removed) == ("R2", False)


# -- export -----------------------------------------------------------------------------------


def test_staff_export_the_complete_game(negotiating, staff_client):
    reply = staff_client.get(f"/api/games/{negotiating.code}/export")
    assert reply.status_code == 200
    body = reply.json()
    assert body["format"] == "redlines.game/1"
    assert body["game"]["code"] == negotiating.code
    assert [e["seq"] for e in body["events"]] == list(range(1, negotiating.last_seq() + 1))
    assert body["scenario"] == negotiating.game.snapshot


def test_players_export_only_after_the_end(negotiating):
    token = negotiating.seat("R1").token
    headers = {PLAYER_TOKEN_HEADER: token}
    early = Client().get(f"/api/games/{negotiating.code}/export", headers=headers)
    assert early.status_code == 403
    assert early.json()["code"] == "permission_denied"
    assert "once the game has ended" in early.json()["message"]
    negotiating.run("end")
    late = Client().get(f"/api/games/{negotiating.code}/export", headers=headers)
    assert late.status_code == 200
    assert late.json()["game"]["status"] == "ended"


def test_anonymous_cannot_export(negotiating):
    negotiating.run("end")
    reply = Client().get(f"/api/games/{negotiating.code}/export")
    assert reply.status_code in (401, 403)
