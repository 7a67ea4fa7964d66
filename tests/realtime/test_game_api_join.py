"""REST and page: joining a game (validation, ended games, the rate limit, the session)."""

import pytest
from django.core.cache import cache
from django.test import Client

from game.api import PLAYER_TOKEN_HEADER
from game.models import Player
from game.sessions import SESSION_PLAYERS_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """Join attempts are counted per address (127.0.0.1 for the test client)."""
    cache.delete("join-rate:127.0.0.1")
    yield
    cache.delete("join-rate:127.0.0.1")


def join(client, code, **body):
    return client.post(f"/api/games/{code}/join", body, content_type="application/json")


def test_join_seats_the_player_and_returns_its_token(make_game):
    table = make_game(seat=False)
    client = Client()
    reply = join(client, table.code, name="  Aiko   Tanaka ", team="r2")
    assert reply.status_code == 201, reply.content
    body = reply.json()
    player = Player.objects.get(pk=body["player_id"])
    assert body == {
        "player_id": player.pk,
        "name": "Aiko Tanaka",
        "team": "R2",
        "token": body["token"],
        "socket_path": f"/ws/games/{table.code}/",
    }
    assert (player.role, player.name, player.game_id) == ("R2", "Aiko Tanaka", table.game.pk)
    assert len(body["token"]) >= 40
    assert body["token"] not in player.token_hash  # only a hash is stored
    # The session keeps the seat; the view endpoint then knows the player.
    assert client.session[SESSION_PLAYERS_KEY] == {table.code: body["token"]}
    view = client.get(f"/api/games/{table.code}/view").json()
    assert view["view"]["viewer"] == {"kind": "player", "role": "R2"}
    table.refresh()
    assert table.game.state["players"][str(player.pk)]["role"] == "R2"


def test_join_during_a_running_game_is_allowed(make_game):
    table = make_game(seat=["R1"])
    table.advance_to(1, "negotiation")
    assert join(Client(), table.code, name="Late", team="R3").status_code == 201


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"team": "R1"}, "invalid", "name"),
        ({"name": "   ", "team": "R1"}, "invalid", "name"),
        ({"name": "x" * 61, "team": "R1"}, "invalid", "name"),
        ({"name": "Ann"}, "invalid", "team"),
        ({"name": "Ann", "team": "XX"}, "unknown_role", "R1, R2, R3"),
        ({"name": "Ann", "team": "R1R1R1R1R"}, "invalid", "team"),
    ],
)
def test_join_validation(make_game, body, code, words):
    table = make_game(seat=False)
    reply = join(Client(), table.code, **body)
    assert reply.status_code == 400
    assert reply.json()["code"] == code
    assert words in reply.json()["message"]
    assert not Player.objects.exists()


def test_join_an_unknown_game_is_404(make_game):
    reply = join(Client(), "NOPE99", name="Ann", team="R1")
    assert reply.status_code == 404
    assert reply.json()["code"] == "not_found"


def test_join_an_ended_game_is_refused(make_game):
    table = make_game(seat=False)
    table.run("end")
    reply = join(Client(), table.code, name="Ann", team="R1")
    assert reply.status_code == 400
    assert reply.json() == {"code": "game_ended", "message": "This game has ended."}
    assert not Player.objects.exists()


def test_join_rate_limit_is_429_with_a_clear_message(make_game, settings):
    settings.JOIN_RATE_LIMIT = 2
    table = make_game(seat=False)
    client = Client()
    assert join(client, table.code, name="One", team="R1").status_code == 201
    assert join(client, table.code, name="", team="R1").status_code == 400  # counts too
    reply = join(client, table.code, name="Three", team="R1")
    assert reply.status_code == 429
    assert reply.json()["code"] == "rate_limited"
    assert "at most 2 a minute" in reply.json()["message"]
    assert reply["Retry-After"] == "60"
    # Unknown codes count as well, so codes cannot be probed past the limit.
    assert join(client, "NOPE99", name="x", team="R1").status_code == 429
    assert Player.objects.count() == 1


def test_the_rate_limit_is_per_address(make_game, settings):
    settings.JOIN_RATE_LIMIT = 1
    table = make_game(seat=False)
    assert join(Client(), table.code, name="One", team="R1").status_code == 201
    assert join(Client(), table.code, name="Two", team="R1").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert join(other, table.code, name="Two", team="R1").status_code == 201
    cache.delete("join-rate:10.0.0.9")


# -- the join page ----------------------------------------------------------------------------


def test_join_page_get_shows_the_teams_and_preselects_one(make_game):
    table = make_game(seat=False)
    page = Client().get(f"/join/{table.code.lower()}/?team=r2")
    assert page.status_code == 200
    html = page.content.decode()
    assert table.code in html
    assert '<option value="R2" selected>' in html
    assert html.count("<option") == 3
    assert "csrfmiddlewaretoken" in html


def test_join_page_post_keeps_the_player_in_the_session(make_game):
    table = make_game(seat=False)
    client = Client(enforce_csrf_checks=True)
    client.get(f"/join/{table.code}/")
    reply = client.post(
        f"/join/{table.code}/",
        {"name": "Min-jun", "team": "R3", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert reply.status_code == 302  # to the table (post/redirect/get: a reload re-posts nothing)
    assert reply["Location"] == f"/play/{table.code}/"
    table_page = client.get(reply["Location"]).content.decode()
    assert "Welcome, Min-jun" in table_page
    player = Player.objects.get()
    assert player.role == "R3"
    token = client.session[SESSION_PLAYERS_KEY][table.code]
    assert token not in table_page  # the token stays in the session
    view = client.get(f"/api/games/{table.code}/view").json()["view"]
    assert view["role"]["code"] == "R3"


def test_join_page_post_without_csrf_is_refused(make_game):
    table = make_game(seat=False)
    client = Client(enforce_csrf_checks=True)
    reply = client.post(f"/join/{table.code}/", {"name": "Eve", "team": "R1"})
    assert reply.status_code == 403
    assert not Player.objects.exists()


def test_join_page_a_second_submit_does_not_seat_a_twin(make_game):
    table = make_game(seat=False)
    client = Client()
    client.post(f"/join/{table.code}/", {"name": "Ann", "team": "R1"})
    again = client.post(f"/join/{table.code}/", {"name": "Ann", "team": "R2"})
    assert again.status_code == 200
    assert "already holds a seat" in again.content.decode()
    assert Player.objects.count() == 1
    # Opening the join link again leads back to the table.
    assert client.get(f"/join/{table.code}/")["Location"] == f"/play/{table.code}/"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "team": "R1"}, "Please enter a display name."),
        ({"name": "Ann", "team": "ZZ"}, "There is no team &#x27;ZZ&#x27;"),
    ],
)
def test_join_page_errors_are_shown_on_the_form(make_game, form, message):
    table = make_game(seat=False)
    reply = Client().post(f"/join/{table.code}/", form)
    assert reply.status_code == 400
    html = reply.content.decode()
    assert 'role="alert"' in html and message in html
    assert not Player.objects.exists()


def test_join_page_of_an_ended_game_has_no_form(make_game):
    table = make_game(seat=False)
    table.run("end")
    page = Client().get(f"/join/{table.code}/")
    assert "has ended" in page.content.decode()
    assert "<form" not in page.content.decode()
    reply = Client().post(f"/join/{table.code}/", {"name": "Ann", "team": "R1"})
    assert reply.status_code == 400
    assert not Player.objects.exists()


def test_join_page_rate_limit(make_game, settings):
    settings.JOIN_RATE_LIMIT = 1
    table = make_game(seat=False)
    assert Client().post(f"/join/{table.code}/", {"name": "A", "team": "R1"}).status_code == 302
    reply = Client().post(f"/join/{table.code}/", {"name": "B", "team": "R1"})
    assert reply.status_code == 429
    assert "Too many join attempts" in reply.content.decode()


def test_join_page_of_an_unknown_game_is_404():
    assert Client().get("/join/NOPE99/").status_code == 404


def test_the_token_header_identifies_the_player_without_a_session(make_game):
    table = make_game()
    seat = table.seat("R1")
    reply = Client().get(f"/api/games/{table.code}/view", headers={PLAYER_TOKEN_HEADER: seat.token})
    assert reply.json()["view"]["role"]["code"] == "R1"
