"""The server side of the pages: who reaches which page, and that no page's HTML holds a game
secret (everything about the game comes over the socket, filtered for its viewer)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from game.engine import testing
from game.models import Game, Player
from game.services import game_create, player_join

pytestmark = pytest.mark.django_db


@pytest.fixture
def game() -> Game:
    return game_create(snapshot=testing.coalition(3, rounds=2), title="Page test", seed=3)


def staff(username: str, *, superuser: bool = False, runs: Game | None = None) -> Client:
    user = get_user_model().objects.create_user(
        username=username, password=None, is_staff=True, is_superuser=superuser
    )
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_game", "change_game"]))
    if runs is not None:
        runs.facilitators.add(user)
    client = Client()
    client.force_login(user)
    return client


def seated(game: Game, role: str = "R1") -> Client:
    client = Client()
    reply = client.post(f"/join/{game.code}/", {"name": f"{role} player", "team": role})
    assert reply.status_code == 302
    return client


def test_home_leads_a_known_code_to_its_join_page_and_explains_an_unknown_one(game):
    assert Client().get("/", {"code": game.code.lower()})["Location"] == f"/join/{game.code}/"
    reply = Client().get("/", {"code": "ZZZZ99"})
    assert reply.status_code == 404
    assert "There is no game with the code ZZZZ99" in reply.content.decode()


def test_the_table_is_for_a_seated_browser_and_its_html_holds_no_game_data(game):
    assert Client().get(f"/play/{game.code}/")["Location"] == f"/join/{game.code}/"
    client = seated(game)
    page = client.get(f"/play/{game.code}/").content.decode()
    assert "Welcome, R1 player" in page
    assert 'type="module"' in page and "player.js" in page
    for secret in ("SECRET-R", "private_brief", "red_line"):
        assert secret not in page


def test_a_seated_browser_reopening_the_join_link_returns_to_its_table(game):
    client = seated(game)
    assert client.get(f"/join/{game.code}/")["Location"] == f"/play/{game.code}/"
    assert Player.objects.count() == 1


def test_the_console_is_for_staff_who_run_the_game(game):
    assert Client().get(f"/console/{game.code}/").status_code == 302  # to the login
    assert staff("outsider").get(f"/console/{game.code}/").status_code == 403
    page = staff("runner", runs=game).get(f"/console/{game.code}/").content.decode()
    assert f"/join/{game.code}/?team=R2" in page
    assert f"/projector/{game.code}/?key={game.watch_key}" in page
    assert f"/api/games/{game.code}/report.pdf" in page
    listing = staff("lister", runs=game).get("/console/").content.decode()
    assert game.code in listing
    assert game.code not in staff("other").get("/console/").content.decode()


def test_the_qr_code_is_an_svg_of_the_join_link(game):
    client = staff("boss", superuser=True)
    reply = client.get(f"/console/{game.code}/qr.svg", {"team": "R2"})
    assert reply["Content-Type"] == "image/svg+xml"
    assert reply.content.startswith(b"<?xml") and b"<svg" in reply.content
    assert client.get(f"/console/{game.code}/qr.svg", {"team": "NOPE"}).status_code == 404


def test_observer_and_projector_pages_need_the_watch_key(game):
    for page in ("watch", "projector"):
        assert Client().get(f"/{page}/{game.code}/").status_code == 403
        assert Client().get(f"/{page}/{game.code}/", {"key": "guess"}).status_code == 403
        reply = Client().get(f"/{page}/{game.code}/", {"key": game.watch_key})
        assert reply.status_code == 200
        assert f'data-key="{game.watch_key}"' in reply.content.decode()


def test_the_projector_page_carries_the_join_link_and_its_qr_code(game):
    """The room joins from the projector: the page holds the join link and its QR code
    (drawn in the page, no other request); the observer page and a wrong key hold neither."""
    import segno

    url = f"http://testserver/join/{game.code}/"
    qr = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    page = Client().get(f"/projector/{game.code}/", {"key": game.watch_key}).content.decode()
    assert f'data-join-url="{url}"' in page
    assert f'<template id="join-qr">{qr}</template>' in page
    observer = Client().get(f"/watch/{game.code}/", {"key": game.watch_key}).content.decode()
    refused = Client().get(f"/projector/{game.code}/", {"key": "guess"}).content.decode()
    for other in (observer, refused):
        assert "join-qr" not in other
        assert "data-join-url" not in other


def test_each_game_has_its_own_watch_key(game):
    other = game_create(snapshot=testing.coalition(3, rounds=2), title="Other", seed=4)
    assert other.watch_key != game.watch_key
    assert Client().get(f"/watch/{other.code}/", {"key": game.watch_key}).status_code == 403


def test_the_console_seats_bots_on_empty_teams(game):
    player_join(game=game, name="Human", role="R1")
    client = staff("botmaster", runs=game)
    reply = client.post(
        f"/console/{game.code}/bots", {"team": "empty", "strategy": "open"}, follow=True
    )
    assert "Seated: R2 bot (open), R3 bot (open)." in reply.content.decode()
    assert sorted(Player.objects.exclude(name="Human").values_list("role", flat=True)) == [
        "R2",
        "R3",
    ]
    refused = client.post(f"/console/{game.code}/bots", {"team": "R1", "strategy": "reckless"})
    assert refused.status_code == 302
    follow = client.get(f"/console/{game.code}/").content.decode()
    assert "A bot plays one of open, guarded, secretive" in follow
    assert staff("stranger").post(f"/console/{game.code}/bots", {"team": "empty"}).status_code == (
        403
    )


def test_the_javascript_catalogue_is_served(game):
    reply = Client().get("/jsi18n/")
    assert reply.status_code == 200
    assert b"gettext" in reply.content
