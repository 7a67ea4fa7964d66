"""Management commands: import_scenario, export_scenario, validate_scenario and
load_bundled_scenarios."""

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import MINI_DOCUMENT
from django.core.management import CommandError, call_command

from scenarios import services
from scenarios.formats import dump_document
from scenarios.models import Role, Scenario
from scenarios.services import scenario_export, scenario_import
from scenarios.validation import validate_document

REPO = Path(__file__).resolve().parents[2]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def scenario_file(tmp_path):
    def write(document, name="scenario.json"):
        path = tmp_path / name
        fmt = "yaml" if name.endswith((".yaml", ".yml")) else "json"
        path.write_text(dump_document(document, fmt=fmt), encoding="utf-8")
        return str(path)

    return write


def broken(document):
    document = copy.deepcopy(document)
    document["red_lines"][0]["unless"][0]["lever"] = "lng"
    document["roles"][0]["weight"] = 0
    return document


# validate_scenario -------------------------------------------------------------------------


def test_validate_prints_ok(scenario_file, document):
    out, _ = run("validate_scenario", scenario_file(document, "s.yaml"))
    assert out == "ok\n"


def test_validate_lists_every_problem(scenario_file, document):
    path = scenario_file(broken(document))
    with pytest.raises(CommandError) as caught:
        run("validate_scenario", path)
    message = str(caught.value)
    assert "2 problem(s)" in message
    assert "  roles[0].weight: must be greater than 0, got 0" in message.splitlines()
    assert "  red_lines[0].unless[0].lever: unknown lever 'lng'" in message.splitlines()


def test_validate_several_files(scenario_file, document):
    good = scenario_file(document, "good.json")
    bad = scenario_file(broken(document), "bad.json")
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("validate_scenario", good, bad, stdout=out)
    assert out.getvalue() == f"{good}: ok\n"
    assert f"{bad}: 2 problem(s)" in str(caught.value)


def test_validate_reports_syntax_errors(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"slug": }')
    with pytest.raises(CommandError, match=r"bad\.json: invalid JSON at line 1, column 10"):
        run("validate_scenario", str(path))


def test_validate_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("validate_scenario", str(tmp_path / "nope.json"))


def test_validate_exit_status_from_the_shell(scenario_file, document):
    """From a shell the command exits non-zero and prints the problems on stderr."""
    path = scenario_file(broken(document))
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_scenario", path],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "red_lines[0].unless[0].lever: unknown lever 'lng'" in result.stderr
    good = subprocess.run(
        [sys.executable, "manage.py", "validate_scenario", scenario_file(document, "ok.yml")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert (good.returncode, good.stdout) == (0, "ok\n")


# import_scenario ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_a_draft(scenario_file, document):
    out, _ = run("import_scenario", scenario_file(document))
    assert "Imported 'mini-crisis' (Mini crisis): 3 roles, 3 levers, 2 red lines, 2 rounds" in out
    assert "draft" in out
    assert not Scenario.objects.get().published


@pytest.mark.django_db
def test_import_and_publish_a_yaml_file(scenario_file, document):
    run("import_scenario", scenario_file(document, "s.yaml"), "--publish")
    assert Scenario.objects.get().published


@pytest.mark.django_db
def test_import_invalid_file_names_every_path_and_imports_nothing(scenario_file, document):
    with pytest.raises(CommandError) as caught:
        run("import_scenario", scenario_file(broken(document)))
    assert "nothing was imported" in str(caught.value)
    assert "red_lines[0].unless[0].lever: unknown lever 'lng'" in str(caught.value)
    assert Scenario.objects.count() == Role.objects.count() == 0


@pytest.mark.django_db
def test_import_existing_slug_needs_update(scenario_file, document):
    path = scenario_file(document)
    run("import_scenario", path)
    with pytest.raises(CommandError, match="already exists"):
        run("import_scenario", path)
    document["title"] = "Replaced"
    run("import_scenario", scenario_file(document), "--update")
    assert Scenario.objects.get().title == "Replaced"


@pytest.mark.django_db
def test_import_update_replaces_children(scenario_file, document):
    run("import_scenario", scenario_file(document))
    document["rounds"] = document["rounds"][:1]
    run("import_scenario", scenario_file(document), "--update")
    assert Scenario.objects.get().rounds.count() == 1


# export_scenario ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_to_stdout_as_json(document):
    scenario_import(document=document)
    out, _ = run("export_scenario", "mini-crisis")
    assert json.loads(out) == validate_document(copy.deepcopy(MINI_DOCUMENT))


@pytest.mark.django_db
def test_export_to_stdout_as_yaml(document):
    scenario_import(document=document)
    out, _ = run("export_scenario", "mini-crisis", "--format", "yaml")
    assert yaml.safe_load(out) == validate_document(copy.deepcopy(MINI_DOCUMENT))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "loads"), [("out.json", json.loads), ("out.yaml", yaml.safe_load)]
)
def test_export_to_a_file_picks_the_format_from_its_name(tmp_path, document, name, loads):
    scenario = scenario_import(document=document)
    target = tmp_path / name
    out, err = run("export_scenario", "mini-crisis", "-o", str(target))
    assert out == ""
    assert str(target) in err
    assert loads(target.read_text(encoding="utf-8")) == scenario_export(scenario=scenario)


@pytest.mark.django_db
def test_exported_file_imports_back_identically(tmp_path, document):
    scenario = scenario_import(document=document)
    target = tmp_path / "again.yaml"
    run("export_scenario", "mini-crisis", "-o", str(target))
    before = scenario_export(scenario=scenario)
    run("import_scenario", str(target), "--update")
    assert scenario_export(scenario=Scenario.objects.get()) == before


@pytest.mark.django_db
def test_export_unknown_slug():
    with pytest.raises(CommandError, match="no scenario with slug 'nope'"):
        run("export_scenario", "nope")


# load_bundled_scenarios --------------------------------------------------------------------


@pytest.mark.django_db
def test_load_bundled_scenarios(tmp_path, monkeypatch):
    (tmp_path / "mini.json").write_text(dump_document(MINI_DOCUMENT))
    monkeypatch.setattr(services, "BUNDLED_DIR", tmp_path)
    out, _ = run("load_bundled_scenarios")
    assert "mini-crisis: Mini crisis" in out
    assert "Loaded 1 bundled scenario(s)." in out
    assert Scenario.objects.get().published


@pytest.mark.django_db
def test_load_bundled_scenarios_refuses_an_invalid_bundle(tmp_path, monkeypatch, document):
    (tmp_path / "bad.json").write_text(dump_document(broken(document)))
    monkeypatch.setattr(services, "BUNDLED_DIR", tmp_path)
    with pytest.raises(CommandError) as caught:
        run("load_bundled_scenarios")
    assert "bad.json: red_lines[0].unless[0].lever: unknown lever 'lng'" in str(caught.value)
    assert Scenario.objects.count() == 0


@pytest.mark.django_db
def test_load_the_real_bundle():
    run("load_bundled_scenarios")
    assert Scenario.objects.filter(published=True).count() == len(services.bundled_scenario_paths())
