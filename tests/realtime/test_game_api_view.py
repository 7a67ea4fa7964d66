"""REST: GET /api/games/<code>/view gives each caller its own view and nothing more.

Secrecy is checked on the bundled coalition-2022 scenario: a player's answer must not hold
another team's private brief or objectives, nor the statement of a red line it has not been
shown in full; the facilitator's holds everything; nobody else gets anything.
"""

import json

import pytest
from django.test import Client

from game.api import PLAYER_TOKEN_HEADER

pytestmark = pytest.mark.django_db


def strings(value):
    """Every string anywhere in a JSON value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def contains(value, secret: str) -> bool:
    return any(secret in text for text in strings(value))


def secrets_of(snapshot: dict, role: str) -> list[str]:
    """Texts only `role` (and the facilitator) may read before the end."""
    spec = next(r for r in snapshot["roles"] if r["code"] == role)
    texts = [spec["private_brief"], *spec["objectives"]]
    texts += [line["statement"] for line in snapshot["red_lines"] if line["role"] == role]
    return [text for text in texts if text]


@pytest.fixture
def coalition(make_game):
    table = make_game(scenario="coalition-2022")
    table.advance_to(1, "negotiation")
    return table


def view_as(table, *, token=None, client=None):
    client = client or Client()
    headers = {PLAYER_TOKEN_HEADER: token} if token else {}
    reply = client.get(f"/api/games/{table.code}/view", headers=headers)
    assert reply.status_code == 200, reply.content
    return reply.json()


@pytest.mark.parametrize("role", ["US", "JP", "ROK"])
def test_a_player_sees_its_own_secrets_and_no_other_teams(coalition, role):
    body = view_as(coalition, token=coalition.seat(role).token)
    assert body["seq"] == coalition.last_seq()
    assert body["view"]["viewer"] == {"kind": "player", "role": role}
    snapshot = coalition.game.snapshot
    for secret in secrets_of(snapshot, role):
        assert contains(body, secret), secret[:60]
    for other in {"US", "JP", "ROK"} - {role}:
        for secret in secrets_of(snapshot, other):
            assert not contains(body, secret), f"{role} sees {other}'s {secret[:60]!r}"
    assert body["view"]["roster"] is None
    assert body["view"]["notes"] == []


def test_a_red_line_shown_in_full_becomes_readable_to_its_recipient_only(coalition):
    line = next(rl for rl in coalition.game.snapshot["red_lines"] if rl["id"] == "jp-sakhalin-lng")
    coalition.run("reveal", "JP", red_line=line["id"], to=["US"], level="full")
    assert contains(view_as(coalition, token=coalition.seat("US").token), line["statement"])
    rok = view_as(coalition, token=coalition.seat("ROK").token)
    assert not contains(rok, line["statement"])
    assert not contains(rok, "jp-sakhalin-lng")


def test_an_existence_reveal_shows_the_lever_and_direction_but_not_the_statement(coalition):
    line = next(rl for rl in coalition.game.snapshot["red_lines"] if rl["id"] == "us-assurance-cap")
    coalition.run("reveal", "US", red_line=line["id"], to="all", level="existence")
    body = view_as(coalition, token=coalition.seat("JP").token)
    [shown] = [rl for rl in body["view"]["red_lines"] if rl["id"] == line["id"]]
    assert shown["lever"] == line["lever"] and shown["kind"] == line["kind"]
    assert not contains(body, line["statement"])
    assert "value" not in shown and "unless" not in shown


def test_a_player_by_session_gets_the_same_view_as_by_token(coalition):
    client = Client()
    reply = client.post(
        f"/api/games/{coalition.code}/join",
        {"name": "Second JP", "team": "JP"},
        content_type="application/json",
    )
    assert reply.status_code == 201
    by_session = view_as(coalition, client=client)
    by_token = view_as(coalition, token=coalition.seat("JP").token)
    assert by_session["view"]["viewer"] == {"kind": "player", "role": "JP"}
    by_session["view"]["players"] = by_token["view"]["players"] = None  # one more JP player
    assert by_session == by_token


def test_the_facilitator_sees_everything(coalition, staff_client):
    coalition.run("note", text="Only for the facilitator")
    body = staff_client.get(f"/api/games/{coalition.code}/view").json()
    assert body["view"]["viewer"]["kind"] == "facilitator"
    for role in ("US", "JP", "ROK"):
        for secret in secrets_of(coalition.game.snapshot, role):
            assert contains(body, secret)
    assert len(body["view"]["roster"]) == 3
    assert [n["text"] for n in body["view"]["notes"]] == ["Only for the facilitator"]


def test_after_the_end_every_player_sees_everything(coalition):
    coalition.run("end")
    body = view_as(coalition, token=coalition.seat("ROK").token)
    for role in ("US", "JP"):
        for secret in secrets_of(coalition.game.snapshot, role):
            assert contains(body, secret)
    assert body["view"]["roster"] is None


@pytest.mark.parametrize(
    "headers",
    [{}, {PLAYER_TOKEN_HEADER: "forged-token"}, {PLAYER_TOKEN_HEADER: ""}],
    ids=["anonymous", "forged-token", "empty-token"],
)
def test_without_a_valid_seat_nothing_is_shown(coalition, headers):
    reply = Client().get(f"/api/games/{coalition.code}/view", headers=headers)
    assert reply.status_code in (401, 403)
    body = reply.json()
    assert body["code"] == "unauthenticated"
    assert "Join this game first" in body["message"]
    assert set(body) == {"code", "message"}


def test_a_token_of_another_game_is_not_a_seat_here(coalition, make_game):
    other = make_game()
    reply = Client().get(
        f"/api/games/{coalition.code}/view", headers={PLAYER_TOKEN_HEADER: other.seat("R1").token}
    )
    assert reply.status_code in (401, 403)


def test_a_removed_players_token_no_longer_works(coalition, staff_client):
    seat = coalition.seat("JP")
    staff_client.post(f"/api/games/{coalition.code}/players/{seat.player_id}/remove")
    reply = Client().get(
        f"/api/games/{coalition.code}/view", headers={PLAYER_TOKEN_HEADER: seat.token}
    )
    assert reply.status_code in (401, 403)


def test_the_view_of_an_unknown_game_is_404():
    reply = Client().get("/api/games/NOPE99/view")
    assert reply.status_code == 404
    assert reply.json()["code"] == "not_found"


def test_views_are_plain_json_without_the_engine_state(coalition, staff_client):
    """The answer is the engine's view, never the raw state (no seed, no costs of others)."""
    body = view_as(coalition, token=coalition.seat("US").token)
    text = json.dumps(body)
    assert '"seed"' not in text
    assert set(body["view"]["role"]["costs"]) <= {
        key for key, lever in _levers(coalition).items() if "US" in lever["holders"]
    }


def _levers(table):
    return {lever["key"]: lever for lever in table.game.snapshot["levers"]}
