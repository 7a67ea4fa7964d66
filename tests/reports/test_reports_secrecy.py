"""Access to the after-action products under the staff rules (game.services.access), the
facilitator's notes kept from players after the end, and the page's CSP."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from game.services import Actor, game_execute
from game.services.lifecycle import token_hash
from game.services.workshops import workshop_create

pytestmark = pytest.mark.django_db
NOTE = "SECRET-FACILITATOR-NOTE: JP bluffed"


def staff_user(name: str):
    user = get_user_model().objects.create_user(name, password="pw-12345-long", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_game", "change_game"]))
    return user


@pytest.fixture
def noted_game(simulate):
    game = simulate("taiwan-strait-2027")
    game_execute(
        game_id=game.pk,
        actor=Actor(kind="facilitator", name="Facilitator"),
        command={"type": "note", "text": NOTE},
    )
    game.refresh_from_db()
    game.players.filter(role="JPN").update(token_hash=token_hash("jpn-token"))
    return game


def test_staff_not_running_the_game_get_nothing(client, noted_game):
    client.force_login(staff_user("other-facilitator"))
    code = noted_game.code
    assert client.get(reverse("game-report", kwargs={"code": code})).status_code == 403
    assert client.get(reverse("game-replay", kwargs={"code": code})).status_code == 403
    assert client.get(reverse("game-review-edit", kwargs={"code": code})).status_code == 403
    reply = client.get(reverse("game-report-file", kwargs={"code": code, "fmt": "csv"}))
    assert reply.status_code == 403
    workshop = workshop_create(title="Not mine", games=[noted_game])
    assert client.get(reverse("workshop", kwargs={"pk": workshop.pk})).status_code == 404
    assert client.get(reverse("workshop-bundle", kwargs={"pk": workshop.pk})).status_code == 404


def test_the_game_s_facilitator_gets_everything(client, noted_game):
    user = staff_user("its-facilitator")
    noted_game.facilitators.add(user)
    client.force_login(user)
    page = client.get(reverse("game-report", kwargs={"code": noted_game.code}))
    assert page.status_code == 200 and NOTE in page.content.decode()
    csv = client.get(reverse("game-report-file", kwargs={"code": noted_game.code, "fmt": "csv"}))
    assert csv.status_code == 200


def test_players_never_get_the_facilitator_s_notes(client, admin_client, noted_game):
    """After the end a player's report, replay and files hold no facilitator note; the
    facilitator's do."""
    code = noted_game.code
    headers = {"HTTP_X_PLAYER_TOKEN": "jpn-token"}
    for fmt in ("json", "csv", "xlsx", "html"):
        mine = client.get(reverse("game-report-file", kwargs={"code": code, "fmt": fmt}), **headers)
        assert mine.status_code == 200
        assert NOTE.encode() not in mine.content, fmt
    session = client.session
    session["redlines_players"] = {code: "jpn-token"}
    session.save()
    for name in ("game-report", "game-replay"):
        page = client.get(reverse(name, kwargs={"code": code}), {"as": "facilitator"})
        assert page.status_code == 200 and NOTE not in page.content.decode()
    staff_page = admin_client.get(reverse("game-report", kwargs={"code": code})).content.decode()
    assert NOTE in staff_page


def test_a_player_s_export_validates_against_the_schema(client, noted_game):
    from test_reports_exports import export_validator

    reply = client.get(
        reverse("game-report-file", kwargs={"code": noted_game.code, "fmt": "json"}),
        HTTP_X_PLAYER_TOKEN="jpn-token",
    )
    errors = list(export_validator().iter_errors(reply.json()))
    assert errors == [], [e.message for e in errors[:3]]


def test_report_page_csp_allows_only_data_images_beyond_the_site_policy(admin_client, simulate):
    game = simulate("taiwan-strait-2027")
    reply = admin_client.get(reverse("game-report", kwargs={"code": game.code}))
    header = reply.headers["Content-Security-Policy"]
    directives = {name: values for name, *values in (p.split() for p in header.split(";") if p)}
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    page = reply.content.decode()
    assert "<style" not in page and " style=" not in page and "<script" not in page
