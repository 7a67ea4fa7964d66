"""REST endpoints /api/scenarios/…: permissions, secrecy of the public read, and the schema."""

import copy
import json

import pytest
import yaml
from conftest import MINI_DOCUMENT
from django.core.management import call_command
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from scenarios.models import Scenario
from scenarios.services import scenario_export, scenario_import
from scenarios.validation import validate_document

pytestmark = pytest.mark.django_db
SECRETS = [
    "You can ship more LNG",
    "Keep the coalition together",
    "jp-sakhalin",
    "Sakhalin-2",
    "Gas price spike",
    "Tanks cross the border",
    "Which red line",
    "private_brief",
    "red_lines",
    '"cost"',
    '"start"',
]


@pytest.fixture
def published(document):
    return scenario_import(document=document, published=True)


@pytest.fixture
def draft(document):
    document["slug"] = "draft-crisis"
    return scenario_import(document=document)


@pytest.fixture
def user_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="player", password="pw-12345-long")
    client.force_login(user)
    return client


def scenario_author(django_user_model, username: str, password: str | None = None):
    """A staff user with the admin's scenario permissions (view, add, change)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        username=username, password=password, is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="scenarios",
            codename__in=["view_scenario", "add_scenario", "change_scenario"],
        )
    )
    return user


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(scenario_author(django_user_model, "facilitator", "pw-12345-long"))
    return client


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# List --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["client", "user_client", "staff_client"])
def test_list_shows_published_scenarios_to_everyone(request, who, published, draft):
    response = request.getfixturevalue(who).get("/api/scenarios/")
    assert response.status_code == 200
    [item] = response.json()
    assert item["slug"] == "mini-crisis"
    assert item["roles"] == [
        {"code": "US", "name": "United States", "color": "#1f4e99"},
        {"code": "JP", "name": "Japan", "color": "#c8102e"},
        {"code": "ROK", "name": "Republic of Korea", "color": "#2a9d8f"},
    ]
    assert item["round_count"] == 2
    assert item["url"].endswith("/api/scenarios/mini-crisis/")


def test_staff_list_all_includes_drafts(staff_client, published, draft):
    slugs = {item["slug"] for item in staff_client.get("/api/scenarios/?all=1").json()}
    assert slugs == {"mini-crisis", "draft-crisis"}


@pytest.mark.parametrize("who", ["client", "user_client"])
def test_non_staff_all_still_lists_only_published(request, who, published, draft):
    response = request.getfixturevalue(who).get("/api/scenarios/?all=1")
    assert [item["slug"] for item in response.json()] == ["mini-crisis"]


# Read --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["client", "user_client"])
def test_public_read_has_no_secrets(request, who, published):
    response = request.getfixturevalue(who).get("/api/scenarios/mini-crisis/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "slug",
        "title",
        "summary",
        "background",
        "learning_objectives",
        "roles",
        "levers",
        "round_count",
    }
    assert body["roles"][0]["public_brief"] == "Lead the coalition."
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.mark.parametrize("who", ["client", "user_client"])
def test_drafts_are_hidden_from_non_staff(request, who, draft):
    assert request.getfixturevalue(who).get("/api/scenarios/draft-crisis/").status_code == 404


def test_staff_read_includes_the_full_document(staff_client, draft):
    body = staff_client.get("/api/scenarios/draft-crisis/").json()
    assert body["published"] is False
    assert body["document"] == scenario_export(scenario=draft)
    assert body["document"]["roles"][0]["private_brief"] == "You can ship more LNG than you admit."


def test_unknown_scenario_is_404(staff_client):
    assert staff_client.get("/api/scenarios/nope/").status_code == 404


# Export ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("client", 403), ("user_client", 403)])
def test_export_is_staff_only(request, who, status, published):
    response = request.getfixturevalue(who).get("/api/scenarios/mini-crisis/export")
    assert response.status_code == status
    assert "private" not in response.content.decode()


def test_export_returns_the_document(staff_client, draft):
    response = staff_client.get("/api/scenarios/draft-crisis/export")
    assert response.status_code == 200
    assert response.json() == scenario_export(scenario=draft)
    assert staff_client.get("/api/scenarios/nope/export").status_code == 404


# Import ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("client", 403), ("user_client", 403)])
def test_import_is_staff_only(request, who, status, document):
    response = post_json(request.getfixturevalue(who), "/api/scenarios/import", document)
    assert response.status_code == status
    assert Scenario.objects.count() == 0


def test_import_creates_a_draft(staff_client, document):
    response = post_json(staff_client, "/api/scenarios/import", document)
    assert response.status_code == 201
    assert response.json() == {
        "slug": "mini-crisis",
        "title": "Mini crisis",
        "published": False,
        "created": True,
    }
    assert scenario_export(scenario=Scenario.objects.get()) == validate_document(
        copy.deepcopy(MINI_DOCUMENT)
    )


def test_import_and_publish(staff_client, document):
    response = post_json(staff_client, "/api/scenarios/import?publish=1", document)
    assert response.json()["published"] is True


def test_import_invalid_lists_every_error_and_saves_nothing(staff_client, document):
    document["red_lines"][0]["unless"][0]["lever"] = "lng"
    document["rounds"] = []
    response = post_json(staff_client, "/api/scenarios/import", document)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"path": "red_lines[0].unless[0].lever", "message": "unknown lever 'lng'"},
            {"path": "rounds", "message": "needs at least 1 entry, has 0"},
        ]
    }
    assert Scenario.objects.count() == 0


def test_import_malformed_json(staff_client):
    response = staff_client.post(
        "/api/scenarios/import", '{"slug": ', content_type="application/json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "document"
    assert error["message"].startswith("invalid JSON")


def test_import_not_an_object(staff_client):
    response = post_json(staff_client, "/api/scenarios/import", ["x"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "document"


def test_import_existing_slug_is_a_conflict_unless_update(staff_client, published, document):
    document["title"] = "Replaced"
    response = post_json(staff_client, "/api/scenarios/import", document)
    assert response.status_code == 409
    assert response.json()["errors"][0]["path"] == "slug"
    response = post_json(staff_client, "/api/scenarios/import?update=1", document)
    assert response.status_code == 200
    assert response.json() == {
        "slug": "mini-crisis",
        "title": "Replaced",
        "published": True,
        "created": False,
    }
    assert Scenario.objects.get().pk == published.pk


def test_import_by_http_basic_auth_for_scripts(client, django_user_model, document):
    scenario_author(django_user_model, "ops", "pw-12345-long")
    import base64

    token = base64.b64encode(b"ops:pw-12345-long").decode()
    response = client.post(
        "/api/scenarios/import",
        json.dumps(document),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )
    assert response.status_code == 201


# OpenAPI -----------------------------------------------------------------------------------


def test_scenario_endpoints_generate_a_valid_schema_without_warnings():
    """``spectacular --validate --fail-on-warn`` restricted to the scenario endpoints."""
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include("scenarios.urls"))])
    schema = generator.get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular reported warnings or errors"
    validate_schema(schema)
    assert set(schema["paths"]) == {
        "/api/scenarios/",
        "/api/scenarios/{slug}/",
        "/api/scenarios/{slug}/export",
        "/api/scenarios/{slug}/analysis",
        "/api/scenarios/import",
    }
    import_responses = schema["paths"]["/api/scenarios/import"]["post"]["responses"]
    assert {"200", "201", "400", "409"} <= set(import_responses)


def test_project_schema_is_valid_openapi(tmp_path):
    """``manage.py spectacular --validate --fail-on-warn``: the whole /api/schema/ (all apps)."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert "/api/scenarios/import" in schema["paths"]


def test_schema_endpoint_serves_the_scenario_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/scenarios/{slug}/" in json.loads(response.content)["paths"]


# Analysis ----------------------------------------------------------------------------------


def test_analysis_is_for_staff_only(client, user_client, published):
    url = f"/api/scenarios/{published.slug}/analysis"
    assert client.get(url).status_code == 403
    assert user_client.get(url).status_code == 403


def test_staff_get_the_analysis_with_its_checks(staff_client, published):
    response = staff_client.get(f"/api/scenarios/{published.slug}/analysis")
    assert response.status_code == 200
    data = response.json()
    assert data["scenario"] == published.slug and data["rules"] == 2
    assert set(data["checks"]) == {"a", "b", "c", "d"}
    assert set(data["checks"]["a"]) == {"value", "threshold", "passed", "title"}
    for key in ("status_quo", "no_deal", "fair_deal", "fair_deal_without_commitments"):
        assert set(data[key]) >= {"final", "decisions", "rounds", "commitments"}
    assert set(next(iter(data["unilateral"].values()))) == {"raise", "retreat"}
    assert (
        staff_client.get(f"/api/scenarios/{published.slug}/analysis?rules=1").json()["rules"] == 1
    )
    assert staff_client.get(f"/api/scenarios/{published.slug}/analysis?rules=9").status_code == 400


def test_analysis_of_a_missing_scenario_is_404(staff_client):
    assert staff_client.get("/api/scenarios/nope/analysis").status_code == 404
