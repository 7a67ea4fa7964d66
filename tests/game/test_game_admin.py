"""The admin shows games read-only, and creates a game from a published scenario."""

import pytest
from django.urls import reverse

from game.models import Game
from scenarios.models import Scenario
from scenarios.services import scenario_import_bundled

pytestmark = pytest.mark.django_db


@pytest.fixture
def coalition():
    scenario_import_bundled()
    return Scenario.objects.get(slug="coalition-2022")


def test_create_game_action_makes_a_table_with_join_links(admin_client, coalition):
    reply = admin_client.post(
        reverse("admin:scenarios_scenario_changelist"),
        {"action": "create_games", "_selected_action": [coalition.pk]},
        follow=True,
    )
    game = Game.objects.get(scenario=coalition)
    assert f'game <a href="/admin/game/game/{game.pk}/change/">{game.code}</a> created' in (
        reply.content.decode()
    )
    assert game.snapshot == coalition.to_document() and game.status == "lobby"

    page = admin_client.get(reverse("admin:game_game_change", args=[game.pk])).content.decode()
    for code in ("US", "JP", "ROK"):
        assert f"/join/{game.code}/?team={code}" in page
    assert "0 events" in page
    assert f'href="/console/{game.code}/"' in page  # the facilitator console, one click away


def test_an_unpublished_scenario_makes_no_game(admin_client, coalition):
    Scenario.objects.filter(pk=coalition.pk).update(published=False)
    reply = admin_client.post(
        reverse("admin:scenarios_scenario_changelist"),
        {"action": "create_games", "_selected_action": [coalition.pk]},
        follow=True,
    )
    assert "is not published; publish it before creating a game" in reply.content.decode()
    assert not Game.objects.exists()


def test_games_and_events_are_read_only_in_the_admin(admin_client, coalition):
    from game.services import game_create, player_join

    game = game_create(snapshot=coalition.to_document(), scenario=coalition)
    player_join(game=game, name="Aiko", role="JP")
    listing = admin_client.get(reverse("admin:game_game_changelist")).content.decode()
    assert game.code in listing
    assert admin_client.get(reverse("admin:game_game_add")).status_code == 403
    events = admin_client.get(
        reverse("admin:game_event_changelist") + f"?game__id__exact={game.pk}"
    ).content.decode()
    assert "player_joined" in events
    reply = admin_client.post(reverse("admin:game_game_delete", args=[game.pk]), {"post": "yes"})
    assert reply.status_code == 403 and Game.objects.filter(pk=game.pk).exists()


def test_fill_empty_seats_with_bots_action(admin_client, coalition):
    """A facilitator fills a lobby's empty teams with bots of a chosen strategy."""
    from game.services import game_create, player_join

    game = game_create(snapshot=coalition.to_document(), scenario=coalition, seed=1)
    player_join(game=game, name="Ana", role="JP")
    reply = admin_client.post(
        reverse("admin:game_game_changelist"),
        {"action": "fill_with_guarded_bots", "_selected_action": [game.pk]},
        follow=True,
    )
    assert f"{game.code}: guarded bots seated on US, ROK." in reply.content.decode()
    game.refresh_from_db()
    seated = sorted(p["role"] for p in game.state["players"].values())
    assert seated == ["JP", "ROK", "US"]
    assert sorted(game.players.exclude(bot_strategy="").values_list("role", flat=True)) == [
        "ROK",
        "US",
    ]
