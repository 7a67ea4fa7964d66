"""REST: creating and listing games (staff only), and the OpenAPI schema of the game API."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from game.models import Game

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bundled():
    from scenarios.services import scenario_import_bundled

    return {s.slug: s for s in scenario_import_bundled()}


def create(client, **body):
    return client.post("/api/games/", body, content_type="application/json")


def test_staff_create_one_game_from_a_published_scenario(staff_client, bundled, staff_user):
    reply = create(staff_client, scenario="coalition-2022", title="Workshop A", seed=11)
    assert reply.status_code == 201, reply.content
    [links] = reply.json()
    game = Game.objects.get(code=links["code"])
    assert links == {
        "code": game.code,
        "title": "Workshop A",
        "status": "lobby",
        "join_url": f"http://testserver/join/{game.code}/",
        "team_links": {
            team: f"http://testserver/join/{game.code}/?team={team}" for team in ("US", "JP", "ROK")
        },
        "socket_path": f"/ws/games/{game.code}/",
    }
    assert game.seed == 11
    assert game.created_by == staff_user
    assert game.scenario == bundled["coalition-2022"]
    assert game.snapshot == bundled["coalition-2022"].to_document()
    assert game.state["status"] == "lobby" and game.last_seq == 0


def test_tables_creates_several_games_with_numbered_titles_and_seeds(staff_client, bundled):
    reply = create(staff_client, scenario="coalition-2022", tables=3, seed=100)
    assert reply.status_code == 201
    games = reply.json()
    assert len({g["code"] for g in games}) == 3
    title = bundled["coalition-2022"].title
    assert [g["title"] for g in games] == [f"{title} — table {n}" for n in (1, 2, 3)]
    seeds = sorted(Game.objects.filter(code__in=[g["code"] for g in games]).values_list("seed"))
    assert seeds == [(100,), (101,), (102,)]


@pytest.mark.parametrize("tables", [0, 21, "many"])
def test_tables_out_of_range_is_invalid(staff_client, bundled, tables):
    reply = create(staff_client, scenario="coalition-2022", tables=tables)
    assert reply.status_code == 400
    assert reply.json()["code"] == "invalid"
    assert "tables" in reply.json()["fields"]
    assert Game.objects.count() == 0


def test_an_unknown_scenario_is_refused(staff_client, bundled):
    reply = create(staff_client, scenario="no-such-scenario")
    assert reply.status_code == 400
    assert reply.json() == {
        "code": "unknown_scenario",
        "message": "There is no scenario 'no-such-scenario'.",
    }


def test_an_unpublished_scenario_is_refused_with_a_hint(staff_client, bundled):
    draft = bundled["taiwan-strait-2027"]
    draft.published = False
    draft.save()
    reply = create(staff_client, scenario=draft.slug)
    assert reply.status_code == 400
    assert reply.json()["code"] == "unknown_scenario"
    assert "publish it" in reply.json()["message"]
    assert Game.objects.count() == 0


def test_a_missing_scenario_field_is_invalid(staff_client):
    reply = create(staff_client, title="No scenario")
    assert reply.status_code == 400
    body = reply.json()
    assert body["code"] == "invalid" and "scenario" in body["message"]


@pytest.mark.parametrize("who", ["anonymous", "player-user"])
def test_only_staff_create_or_list_games(bundled, who, django_user_model):
    client = Client()
    if who == "player-user":
        client.force_login(django_user_model.objects.create_user("someone", password=None))
    reply = create(client, scenario="coalition-2022")
    assert reply.status_code == 403
    assert reply.json()["code"] in {"unauthenticated", "permission_denied"}
    assert client.get("/api/games/").status_code == 403
    assert Game.objects.count() == 0


def test_staff_list_games(staff_client, make_game):
    table = make_game()
    listed = staff_client.get("/api/games/").json()
    assert [g["code"] for g in listed] == [table.code]


def test_the_openapi_schema_validates_without_warnings():
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            "/dev/null",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout


def test_the_openapi_schema_documents_the_game_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in [
        "/api/games/",
        "/api/games/{code}/join",
        "/api/games/{code}/view",
        "/api/games/{code}/commands",
        "/api/games/{code}/players/{player_id}/move",
        "/api/games/{code}/players/{player_id}/remove",
        "/api/games/{code}/export",
    ]:
        assert path in paths, path
    join = paths["/api/games/{code}/join"]["post"]["responses"]
    assert {"201", "400", "404", "429"} <= set(join)
