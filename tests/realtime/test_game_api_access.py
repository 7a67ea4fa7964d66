"""Staff on REST need the admin's model permissions, and run only the games that are theirs."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from game.models import Game
from game.services.access import staff_may_run_game, staff_may_see_game

pytestmark = pytest.mark.django_db

GAME_PERMISSIONS = ["view_game", "add_game", "change_game"]


def staff(username: str, *codenames: str, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=username, password=None, is_staff=True, is_superuser=superuser
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coalition():
    from scenarios.services import scenario_import_bundled

    return {s.slug: s for s in scenario_import_bundled()}["coalition-2022"]


def test_staff_without_permissions_can_do_nothing(table, coalition):
    """The probe's account: staff, no permission (the admin answers 403)."""
    client = client_for(staff("bare"))
    code = table.code
    assert client.get("/api/games/").status_code == 403
    created = client.post("/api/games/", {"scenario": "coalition-2022"}, "application/json")
    assert created.status_code == 403
    assert client.get(f"/api/games/{code}/view").status_code == 403
    assert client.get(f"/api/games/{code}/export").status_code == 403
    note = client.post(
        f"/api/games/{code}/commands", {"type": "note", "text": "x"}, "application/json"
    )
    assert note.status_code == 403
    assert "not a facilitator" in note.json()["message"]
    seat = table.seat("R1")
    moved = client.post(
        f"/api/games/{code}/players/{seat.player_id}/move", {"team": "R2"}, "application/json"
    )
    assert moved.status_code == 403
    imported = client.post(
        "/api/scenarios/import?update=1",
        json.dumps(coalition.to_document()),
        content_type="application/json",
    )
    assert imported.status_code == 403
    assert client.get("/api/scenarios/coalition-2022/export").status_code == 403
    assert "document" not in client.get("/api/scenarios/coalition-2022/").json()


def test_a_facilitator_runs_the_games_they_created_and_no_other(coalition):
    alice = client_for(staff("alice", *GAME_PERMISSIONS))
    bob = client_for(staff("bob", *GAME_PERMISSIONS))
    made = alice.post("/api/games/", {"scenario": "coalition-2022"}, "application/json")
    assert made.status_code == 201, made.content
    code = made.json()[0]["code"]
    bob_made = bob.post("/api/games/", {"scenario": "coalition-2022"}, "application/json")
    bob_code = bob_made.json()[0]["code"]

    assert [g["code"] for g in alice.get("/api/games/").json()] == [code]
    note = {"type": "note", "text": "mine"}
    assert alice.post(f"/api/games/{code}/commands", note, "application/json").status_code == 200
    assert alice.get(f"/api/games/{code}/export").status_code == 200
    view = alice.get(f"/api/games/{code}/view").json()["view"]
    assert view["viewer"]["kind"] == "facilitator"

    for method, path in [
        ("get", f"/api/games/{bob_code}/view"),
        ("get", f"/api/games/{bob_code}/export"),
        ("post", f"/api/games/{bob_code}/commands"),
    ]:
        reply = getattr(alice, method)(path, note, "application/json")
        assert reply.status_code == 403, (path, reply.content)


def test_a_game_given_to_a_facilitator_is_theirs_too(table):
    carol = staff("carol", *GAME_PERMISSIONS)
    game = table.game
    assert not staff_may_run_game(carol, game)
    game.facilitators.add(carol)
    assert staff_may_run_game(carol, game) and staff_may_see_game(carol, game)
    assert [g["code"] for g in client_for(carol).get("/api/games/").json()] == [game.code]


def test_view_permission_alone_sees_but_does_not_run(table):
    dave = staff("dave", "view_game")
    table.game.facilitators.add(dave)
    client = client_for(dave)
    assert client.get(f"/api/games/{table.code}/view").status_code == 200
    reply = client.post(
        f"/api/games/{table.code}/commands", {"type": "note", "text": "x"}, "application/json"
    )
    assert reply.status_code == 403


def test_a_superuser_sees_and_runs_every_game(table):
    root = staff("root", superuser=True)
    assert staff_may_run_game(root, table.game)
    client = client_for(root)
    assert table.code in [g["code"] for g in client.get("/api/games/").json()]
    reply = client.post(
        f"/api/games/{table.code}/commands", {"type": "note", "text": "x"}, "application/json"
    )
    assert reply.status_code == 200


def test_an_inactive_or_non_staff_user_is_never_a_facilitator(table):
    user = staff("gone", *GAME_PERMISSIONS, superuser=True)
    table.game.facilitators.add(user)
    user.is_active = False
    assert not staff_may_run_game(user, table.game)
    user.is_active, user.is_staff = True, False
    assert not staff_may_run_game(user, table.game)


def test_the_admin_lists_a_facilitators_own_games_only(table, coalition):
    erin = staff("erin", *GAME_PERMISSIONS)
    mine = Game.objects.create(
        title="Mine", snapshot=table.game.snapshot, seed=1, state=table.game.state, created_by=erin
    )
    listing = client_for(erin).get("/admin/game/game/").content.decode()
    assert mine.code in listing
    assert table.code not in listing


def test_the_admin_edits_only_the_facilitator_list(table):
    """Giving a game to a colleague in the admin (by exact username: the list offers only
    the accounts of one's own games) writes the list, never the game's row (a stale copy of
    its state saved there would undo commands)."""
    owner = staff("owner", *GAME_PERMISSIONS)
    colleague = staff("colleague", *GAME_PERMISSIONS)
    game = table.game
    game.created_by = owner
    game.save()
    client = client_for(owner)
    url = f"/admin/game/game/{game.pk}/change/"
    assert client.get(url).status_code == 200
    table.advance_to(1, "negotiation")  # the row changes after the page was loaded
    seq = Game.objects.get(pk=game.pk).last_seq
    reply = client.post(
        url,
        {"add_facilitator": "colleague", "players-TOTAL_FORMS": "0", "players-INITIAL_FORMS": "0"},
    )
    assert reply.status_code == 302, reply.content[:2000]
    game = Game.objects.get(pk=game.pk)
    assert list(game.facilitators.all()) == [colleague]
    assert game.last_seq == seq and game.state["phase"] == "negotiation"
    assert staff_may_run_game(colleague, game)
    assert client_for(colleague).get(url).status_code == 200
    outsider = client_for(staff("outsider", *GAME_PERMISSIONS))
    assert outsider.post(url, {"facilitators": [colleague.pk]}).status_code in (302, 403, 404)
    assert list(Game.objects.get(pk=game.pk).facilitators.all()) == [colleague]


def test_the_create_game_admin_action_needs_the_add_game_permission(coalition):
    author = staff("author", "view_scenario", "change_scenario")
    reply = client_for(author).post(
        "/admin/scenarios/scenario/",
        {"action": "create_games", "_selected_action": [coalition.pk]},
        follow=True,
    )
    assert "permission to add games" in reply.content.decode()
    assert not Game.objects.exists()
