"""Workshops: several tables grouped, compared side by side and exported in one bundle."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from game.models import Game, Workshop
from game.services.workshops import workshop_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_tables(simulate):
    games = [simulate(seed=seed) for seed in (1, 2, 3)]
    return workshop_create(title="Tuesday seminar", games=games), games


def test_workshop_page_compares_three_simulated_tables(admin_client, three_tables):
    workshop, games = three_tables
    page = admin_client.get(reverse("workshop", kwargs={"pk": workshop.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    for game in games:
        assert game.code in text
        assert reverse("game-report", kwargs={"code": game.code}) in text
        assert f"{game.state['final']['coalition']:.2f}" in text
    assert text.count('src="data:image/svg+xml;base64,') == 2
    assert "Distance from fair deal" in text
    assert text.count("of 86.97") == 3  # the fair deal's K for coalition-2022 (rules v2)
    for game in games:
        assert f"{game.state['final']['coalition'] - 86.97:+.2f}"[:-1] in text
    assert "<script" not in text


def test_workshop_bundle_holds_every_table_and_a_comparison(admin_client, three_tables):
    workshop, games = three_tables
    reply = admin_client.get(reverse("workshop-bundle", kwargs={"pk": workshop.pk}))
    assert reply.status_code == 200 and reply["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(reply.content))
    names = set(bundle.namelist())
    for game in games:
        assert {f"{game.code}/export.json", f"{game.code}/decisions.csv"} <= names
    rows = list(csv.DictReader(io.StringIO(bundle.read("comparison.csv").decode("utf-8-sig"))))
    assert [r["game"] for r in rows] == [g.code for g in games]
    assert float(rows[0]["coalition_final"]) == pytest.approx(games[0].state["final"]["coalition"])
    for row, game in zip(rows, games, strict=True):
        final = game.state["final"]
        fair = float(row["fair_deal_coalition"])
        assert fair == pytest.approx(86.97, abs=0.01)
        assert float(row["distance_fair_deal"]) == pytest.approx(final["coalition"] - fair)
        assert float(row["fair_deal_share"]) == pytest.approx(final["coalition"] / fair)
        for code in ("US", "JP", "ROK"):
            assert f"distance_fair_deal_{code}" in row
            assert float(row[f"distance_fair_deal_{code}"]) < final["roles"][code]


def test_workshop_pages_are_for_staff_only(client, three_tables):
    workshop, _games = three_tables
    for name in ("workshop", "workshop-bundle"):
        reply = client.get(reverse(name, kwargs={"pk": workshop.pk}))
        assert reply.status_code == 302 and "/admin/login/" in reply["Location"]


def test_creating_several_tables_creates_a_workshop(admin_client, bundled):
    reply = admin_client.post(
        reverse("game-list"),
        {"scenario": "coalition-2022", "tables": 3, "title": "Seminar"},
        content_type="application/json",
    )
    assert reply.status_code == 201
    workshop = Workshop.objects.get()
    assert workshop.title == "Seminar"
    assert sorted(workshop.games.values_list("code", flat=True)) == sorted(
        g["code"] for g in reply.json()
    )
    admin_client.post(
        reverse("game-list"), {"scenario": "coalition-2022"}, content_type="application/json"
    )
    assert Workshop.objects.count() == 1  # one table alone makes no workshop


def test_admin_groups_selected_games_into_a_workshop(admin_client, simulate):
    games = [simulate(seed=1), simulate(seed=2)]
    reply = admin_client.post(
        reverse("admin:game_game_changelist"),
        {"action": "group_into_workshop", "_selected_action": [g.pk for g in games]},
        follow=True,
    )
    workshop = Workshop.objects.get()
    assert set(workshop.games.all()) == set(Game.objects.filter(pk__in=[g.pk for g in games]))
    assert reverse("workshop", kwargs={"pk": workshop.pk}) in reply.content.decode()
    page = admin_client.get(reverse("admin:game_workshop_change", args=[workshop.pk]))
    assert reverse("workshop-bundle", kwargs={"pk": workshop.pk}) in page.content.decode()
