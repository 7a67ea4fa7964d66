"""A facilitator's admin shows only the staff accounts of their own games: the game page's
facilitators field offers no stranger's username (nor accepts one), and the event log lists
only their games' events (whose actors name staff accounts). A superuser still sees all."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from game_tables import trio_snapshot

from game.models import Event, Game
from game.services import game_create, game_execute
from game.services.actors import Actor

pytestmark = pytest.mark.django_db

FACILITATOR_PERMISSIONS = ["view_game", "add_game", "change_game", "view_event", "change_workshop"]


def staff(username: str, *, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=username, password=None, is_staff=True, is_superuser=superuser
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=FACILITATOR_PERMISSIONS))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    """fac1 runs game A with co1; fac2 runs game B with co2 (strangers to fac1)."""
    users = {name: staff(name) for name in ("fac1", "co1", "fac2", "co2")}
    users["root"] = staff("root", superuser=True)
    mine = game_create(snapshot=trio_snapshot(), created_by=users["fac1"])
    mine.facilitators.add(users["co1"])
    theirs = game_create(snapshot=trio_snapshot(), created_by=users["fac2"])
    theirs.facilitators.add(users["co2"])
    for game, author in ((mine, "fac1"), (theirs, "fac2")):
        note = {"type": "note", "text": "x"}
        game_execute(game_id=game.pk, actor=Actor.for_staff(users[author]), command=note)
    return users, mine, theirs


def test_the_game_page_offers_only_the_accounts_of_the_facilitators_games(world):
    users, mine, _ = world
    page = client_for(users["fac1"]).get(reverse("admin:game_game_change", args=[mine.pk]))
    assert page.status_code == 200
    offered = {
        user.username for user in page.context["adminform"].form.fields["facilitators"].queryset
    }
    assert offered == {"fac1", "co1"}
    html = page.content.decode()
    assert "fac2" not in html and "co2" not in html and "root" not in html


def test_a_strangers_account_cannot_be_added_and_nothing_changes(world):
    users, mine, _ = world
    reply = client_for(users["fac1"]).post(
        reverse("admin:game_game_change", args=[mine.pk]),
        {"facilitators": [users["co1"].pk, users["fac2"].pk]},
    )
    assert reply.status_code == 200  # the form again, with its error
    assert "not one of the available choices" in reply.content.decode()
    assert set(Game.objects.get(pk=mine.pk).facilitators.all()) == {users["co1"]}


def test_a_facilitator_still_edits_the_list_with_their_games_accounts(world):
    users, _, _ = world
    other = game_create(snapshot=trio_snapshot(), created_by=users["fac1"])
    reply = client_for(users["fac1"]).post(
        reverse("admin:game_game_change", args=[other.pk]), {"facilitators": [users["co1"].pk]}
    )
    assert reply.status_code == 302
    assert list(Game.objects.get(pk=other.pk).facilitators.all()) == [users["co1"]]


def test_the_event_log_lists_only_the_facilitators_games(world):
    users, mine, theirs = world
    client = client_for(users["fac1"])
    listing = client.get(reverse("admin:game_event_changelist")).content.decode()
    assert theirs.code not in listing and mine.code in listing
    event = Event.objects.get(game=theirs, kind="note_added")
    assert client.get(reverse("admin:game_event_change", args=[event.pk])).status_code == 302
    assert (
        "fac2"
        not in client.get(
            reverse("admin:game_event_change", args=[event.pk]), follow=True
        ).content.decode()
    )


def test_a_superuser_sees_every_account_and_event(world):
    users, mine, theirs = world
    client = client_for(users["root"])
    page = client.get(reverse("admin:game_game_change", args=[mine.pk]))
    offered = {
        user.username for user in page.context["adminform"].form.fields["facilitators"].queryset
    }
    assert offered == {"fac1", "co1", "fac2", "co2", "root"}
    assert theirs.code in client.get(reverse("admin:game_event_changelist")).content.decode()


def test_the_game_history_names_only_the_accounts_of_the_facilitators_games(world):
    users, mine, _ = world
    root, fac1 = client_for(users["root"]), client_for(users["fac1"])
    inline = {"players-TOTAL_FORMS": 0, "players-INITIAL_FORMS": 0}  # the players inline
    reply = root.post(
        reverse("admin:game_game_change", args=[mine.pk]), {"facilitators": [], **inline}
    )
    assert reply.status_code == 302
    fac1.post(reverse("admin:game_game_change", args=[mine.pk]), {"facilitators": []})
    url = reverse("admin:game_game_history", args=[mine.pk])
    assert "root" in root.get(url).content.decode()
    history = fac1.get(url).content.decode()
    assert "fac1" in history and "root" not in history


def test_a_workshops_history_names_only_the_accounts_of_the_facilitators_games(world):
    from game.services.workshops import workshop_create

    users, mine, _ = world
    workshop = workshop_create(title="Tables", games=[mine], created_by=users["fac1"])
    change = reverse("admin:game_workshop_change", args=[workshop.pk])
    for name in ("root", "fac1"):
        reply = client_for(users[name]).post(
            change, {"title": f"Tables ({name})", "games": [mine.pk]}
        )
        assert reply.status_code == 302
    history = client_for(users["fac1"]).get(
        reverse("admin:game_workshop_history", args=[workshop.pk])
    )
    text = history.content.decode()
    assert "fac1" in text and "root" not in text


def test_a_colleague_is_given_the_game_by_exact_username_only(world):
    """A colleague outside one's games is added by typing their exact username (no list of
    accounts is shown); an unknown name is refused with the name and changes nothing."""
    users, mine, _ = world
    url = reverse("admin:game_game_change", args=[mine.pk])
    client = client_for(users["fac1"])
    refused = client.post(url, {"facilitators": [users["co1"].pk], "add_facilitator": "nobody"})
    assert refused.status_code == 200
    assert "No active staff account is named “nobody”." in refused.content.decode()
    assert set(Game.objects.get(pk=mine.pk).facilitators.all()) == {users["co1"]}
    added = client.post(url, {"facilitators": [users["co1"].pk], "add_facilitator": "fac2"})
    assert added.status_code == 302
    assert set(Game.objects.get(pk=mine.pk).facilitators.all()) == {users["co1"], users["fac2"]}
