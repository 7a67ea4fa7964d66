"""A facilitator replaces a leaked watch key (the console, or the admin's game list): the old
observer and projector links stop opening the game and say so in plain words, the console
shows the new links and their QR codes, and no key travels in a cookie."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from test_pages import staff

from game.engine import testing
from game.models import Game
from game.services import game_create
from game.services.watchkeys import RETIRED_KEYS_KEPT, game_watch_key_rotate, watch_key_hash

pytestmark = pytest.mark.django_db
REPLACED = "This link has been replaced; ask the facilitator for the new one."


@pytest.fixture
def game() -> Game:
    return game_create(snapshot=testing.coalition(3, rounds=2), title="Rotation", seed=3)


def key_of(game: Game) -> str:
    return Game.objects.get(pk=game.pk).watch_key


def test_the_console_replaces_the_key_and_old_links_say_they_were_replaced(game):
    old = key_of(game)
    facilitator = staff("fac", runs=game)
    assert Client().get(f"/projector/{game.code}/?key={old}").status_code == 200

    reply = facilitator.post(f"/console/{game.code}/watch-key")
    assert reply.status_code == 302 and reply["Location"].endswith("#links-title")
    new = key_of(game)
    assert new != old
    for cookie in reply.cookies.values():  # the success message names no key
        assert new not in cookie.OutputString() and old not in cookie.OutputString()

    for page in ("watch", "projector"):
        stale = Client().get(f"/{page}/{game.code}/?key={old}")
        assert stale.status_code == 403
        assert REPLACED in unescape(stale.content.decode())
        assert Client().get(f"/{page}/{game.code}/?key={new}").status_code == 200
    wrong = unescape(Client().get(f"/watch/{game.code}/?key=never-a-key").content.decode())
    assert REPLACED not in wrong and "This link does not open the game" in wrong

    console = facilitator.get(f"/console/{game.code}/").content.decode()
    assert f"/projector/{game.code}/?key={new}" in console and old not in console
    assert "the old ones no longer open the game" in unescape(console)
    for qr in ("watch-qr.svg", "projector-qr.svg"):
        assert f"/console/{game.code}/{qr}" in console


def test_the_qr_codes_carry_the_current_links_and_are_not_cached(game):
    facilitator = staff("fac", runs=game)
    game_watch_key_rotate(game_id=game.pk)
    new = key_of(game)
    for page in ("watch", "projector"):
        reply = facilitator.get(f"/console/{game.code}/{page}-qr.svg")
        assert reply["Content-Type"] == "image/svg+xml" and "no-store" in reply["Cache-Control"]
        title = re.search(r"<title>([^<]+)</title>", reply.content.decode())[1]
        assert unescape(title) == f"http://testserver/{page}/{game.code}/?key={new}"
    assert Client().get(f"/console/{game.code}/watch-qr.svg").status_code == 302  # login


def test_only_the_games_facilitators_may_replace_it_and_only_by_post(game):
    old = key_of(game)
    assert staff("stranger").post(f"/console/{game.code}/watch-key").status_code == 403
    assert staff("stranger2").get(f"/console/{game.code}/projector-qr.svg").status_code == 403
    assert Client().post(f"/console/{game.code}/watch-key").status_code == 302  # to log in
    assert staff("fac", runs=game).get(f"/console/{game.code}/watch-key").status_code == 405
    assert key_of(game) == old


def test_the_admin_action_replaces_the_key_without_showing_it(game, admin_client):
    old = key_of(game)
    reply = admin_client.post(
        "/admin/game/game/",
        {"action": "replace_watch_keys", "_selected_action": [game.pk]},
        follow=True,
    )
    new = key_of(game)
    page = reply.content.decode()
    assert new != old and new not in page
    assert "the old observer and projector links no longer open the game" in page


def test_the_admin_action_refuses_a_game_the_user_does_not_run(game):
    other = staff("other")
    other_user = get_user_model().objects.get(username="other")
    mine = game_create(snapshot=testing.coalition(3, rounds=2), created_by=other_user)
    old = key_of(game)
    # The list holds only their own games: another's pk is not a valid selection.
    other.post("/admin/game/game/", {"action": "replace_watch_keys", "_selected_action": [game.pk]})
    assert key_of(game) == old
    before = key_of(mine)
    other.post("/admin/game/game/", {"action": "replace_watch_keys", "_selected_action": [mine.pk]})
    assert key_of(mine) != before


def test_rotation_keeps_a_bounded_list_of_replaced_keys_and_leaves_the_game_alone(game):
    row = Game.objects.get(pk=game.pk)
    version = (row.last_seq, row.updated_at, row.state)
    keys = [row.watch_key]
    for _ in range(RETIRED_KEYS_KEPT + 3):
        keys.append(game_watch_key_rotate(game_id=game.pk))
    row = Game.objects.get(pk=game.pk)
    assert row.watch_key == keys[-1] and len(set(keys)) == len(keys)
    assert len(row.retired_watch_keys) == RETIRED_KEYS_KEPT
    assert (row.last_seq, row.updated_at, row.state) == version  # no event, no new version
    assert watch_key_hash(keys[-2]) == row.retired_watch_keys[-1]  # kept hashed only
    assert not any(key in str(row.retired_watch_keys) for key in keys)
