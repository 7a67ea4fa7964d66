"""Joining safely: a planted session never holds the seat; other sites cannot seat a browser."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import Client

from game.models import Player
from game.sessions import SESSION_PLAYERS_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings):
    """A private, empty cache (clearing a shared Redis would flush other users' keys)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "join-security",
        }
    }
    cache.clear()  # a local-memory cache of this module's own: safe to clear


def planted_session() -> str:
    """A valid session an attacker made for itself and then set in the victim's browser."""
    session = SessionStore()
    session["planted"] = True
    session.create()
    return session.session_key


def test_rest_join_rotates_the_session_key(make_game):
    """The seat lands in a new session; the planted key is gone and holds nothing."""
    table = make_game(seat=False)
    client = Client()
    planted = planted_session()
    client.cookies["sessionid"] = planted
    reply = client.post(
        f"/api/games/{table.code}/join", {"name": "Aiko", "team": "R1"}, "application/json"
    )
    assert reply.status_code == 201, reply.content
    assert client.cookies["sessionid"].value != planted
    assert client.session[SESSION_PLAYERS_KEY] == {table.code: reply.json()["token"]}
    assert SESSION_PLAYERS_KEY not in SessionStore(session_key=planted).load()


def test_join_page_rotates_the_session_key(make_game):
    table = make_game(seat=False)
    client = Client()
    planted = planted_session()
    client.cookies["sessionid"] = planted
    reply = client.post(f"/join/{table.code}/", {"name": "Aiko", "team": "R1"})
    assert reply.status_code == 302  # to the table
    assert client.cookies["sessionid"].value != planted
    assert table.code in client.session[SESSION_PLAYERS_KEY]
    assert SESSION_PLAYERS_KEY not in SessionStore(session_key=planted).load()


def test_a_cross_site_form_post_cannot_seat_a_browser(make_game):
    """What another site's auto-submitting form sends: a foreign Origin, no CSRF token."""
    table = make_game(seat=False)
    client = Client(enforce_csrf_checks=True)
    reply = client.post(
        f"/api/games/{table.code}/join",
        {"name": "Victim", "team": "R1"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert reply.status_code == 403
    assert reply.json()["code"] == "permission_denied"
    assert "CSRF" in reply.json()["message"]
    assert not Player.objects.exists()
    assert "sessionid" not in reply.cookies


def test_a_browser_with_a_session_needs_the_csrf_token(make_game):
    table = make_game(seat=False)
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = planted_session()
    url = f"/api/games/{table.code}/join"
    reply = client.post(url, {"name": "A", "team": "R1"}, "application/json")
    assert reply.status_code == 403
    client.get(f"/join/{table.code}/")  # the page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    reply = client.post(
        url,
        {"name": "A", "team": "R1"},
        "application/json",
        headers={"X-CSRFToken": token, "Origin": "http://testserver"},
    )
    assert reply.status_code == 201, reply.content


def test_a_token_only_script_joins_without_csrf(make_game):
    """No cookie, no Origin: a script; it keeps the token from the answer."""
    table = make_game(seat=False)
    client = Client(enforce_csrf_checks=True)
    reply = client.post(
        f"/api/games/{table.code}/join", {"name": "Bot", "team": "R2"}, "application/json"
    )
    assert reply.status_code == 201, reply.content
    view = Client().get(
        f"/api/games/{table.code}/view", headers={"X-Player-Token": reply.json()["token"]}
    )
    assert view.json()["view"]["viewer"] == {"kind": "player", "role": "R2"}
