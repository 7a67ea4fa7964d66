"""Hostile scenario files: alias bombs and deep nesting are refused quickly, as a 400."""

import io
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from scenarios.parsing import MAX_DEPTH
from scenarios.validation import ScenarioInvalid, parse_document, validate_document

# 416 bytes that expand to 10^7 leaves when constructed (the "billion laughs").
ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(6)
)
DEEP_YAML = "slug: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_JSON = '{"slug": ' + "[" * 5000 + "]" * 5000 + "}"


def problem(text: str, filename: str) -> str:
    with pytest.raises(ScenarioInvalid) as caught:
        parse_document(text, filename=filename)
    assert len(caught.value.errors) == 1
    return caught.value.errors[0][1]


def test_yaml_aliases_are_refused_before_they_are_expanded():
    """The alias bomb is refused at once (no 10^7 nodes built), naming the first alias."""
    started = time.perf_counter()
    message = problem(ALIAS_BOMB, "bomb.yaml")
    assert time.perf_counter() - started < 1
    assert "aliases (*a) are not allowed" in message
    assert "line 2" in message


def test_a_single_harmless_alias_is_refused_too():
    """One rule, easy to state: a scenario file has no aliases at all."""
    assert "not allowed" in problem("title: &t T\nsummary: *t\n", "s.yaml")


@pytest.mark.parametrize(("text", "name"), [(DEEP_YAML, "deep.yaml"), (DEEP_JSON, "deep.json")])
def test_deep_nesting_is_a_syntax_problem_not_a_crash(text, name):
    assert problem(text, name) == f"values are nested deeper than {MAX_DEPTH} levels"


def test_nesting_just_under_the_parsers_limit_is_caught_before_validation():
    """900 levels pass Python's JSON decoder but would break the recursive checks after it."""
    document = json.loads('{"slug": ' + "[" * 900 + "]" * 900 + "}")
    with pytest.raises(ScenarioInvalid, match="nested deeper"):
        validate_document(document)


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "name"), [(ALIAS_BOMB, "bomb.yaml"), (DEEP_YAML, "deep.yaml")])
def test_admin_import_shows_the_problem(admin_client, text, name):
    upload = SimpleUploadedFile(name, text.encode())
    response = admin_client.post(reverse("admin:scenarios_scenario_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["problems"][0][0] == name


@pytest.mark.django_db
def test_management_command_reports_the_problem(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    with pytest.raises(CommandError, match="aliases"):
        call_command("import_scenario", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_rest_import_of_deep_json_is_400(admin_client):
    response = admin_client.post(
        "/api/scenarios/import", DEEP_JSON, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested deeper" in response.json()["errors"][0]["message"]
