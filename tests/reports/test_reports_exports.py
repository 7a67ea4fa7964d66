"""The data exports: JSON against its schema, the CSV bundle and XLSX against the database,
and manage.py export_game."""

import csv
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from referencing import Registry, Resource

from game.management.simulation import replay_export
from game.models import Event
from game.reports.files import game_report_file
from game.services.export import game_export

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCENARIOS = ("coalition-2022", "taiwan-strait-2027")


def export_validator() -> jsonschema.Draft202012Validator:
    schemas = [
        json.loads((DOCS / name).read_text())
        for name in ("export.schema.json", "scenario.schema.json")
    ]
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    jsonschema.Draft202012Validator.check_schema(schemas[0])
    return jsonschema.Draft202012Validator(schemas[0], registry=registry)


@pytest.mark.parametrize("slug", SCENARIOS)
def test_json_export_validates_and_replays_to_identical_scores(simulate, slug):
    game = simulate(slug)
    document = json.loads(game_report_file(game=game, fmt="json").content)
    errors = sorted(export_validator().iter_errors(document), key=str)
    assert errors == [], [e.message for e in errors[:3]]
    state, differences = replay_export(document)
    assert differences == []
    assert state["final"] == game.state["final"]


def test_schema_rejects_a_broken_export(simulate):
    document = json.loads(game_report_file(game=simulate(), fmt="json").content)
    del document["events"][0]["seq"]
    document["events"][1]["kind"] = "made_up"
    assert len(list(export_validator().iter_errors(document))) >= 2


def read_csv(bundle: zipfile.ZipFile, name: str) -> list[dict]:
    text = bundle.read(name).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs then read it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_bundle_reads_back_as_the_database(simulate):
    """Events, decisions, scores and the wide table equal what the database holds."""
    game = simulate()
    bundle = zipfile.ZipFile(io.BytesIO(game_report_file(game=game, fmt="csv").content))
    folder = f"{game.code}/"
    events = read_csv(bundle, folder + "events.csv")
    stored = list(Event.objects.filter(game=game).order_by("seq"))
    assert [(int(r["seq"]), r["kind"]) for r in events] == [(e.seq, e.kind) for e in stored]
    assert [json.loads(r["data"]) for r in events] == [e.data for e in stored]
    assert events[0]["at"] == stored[0].at.isoformat()

    decisions = read_csv(bundle, folder + "decisions.csv")
    for entry in game.state["results"]:
        for role, values in entry["decisions"].items():
            for lever, value in values.items():
                row = next(
                    r
                    for r in decisions
                    if (int(r["round"]), r["role"], r["lever"]) == (entry["round"], role, lever)
                )
                assert float(row["value"]) == value
    assert len(decisions) == sum(
        len(values) for entry in game.state["results"] for values in entry["decisions"].values()
    )

    scores = read_csv(bundle, folder + "scores.csv")
    for entry in game.state["results"]:
        for role, score in entry["scores"].items():
            row = next(
                r
                for r in scores
                if (int(r["round"]), r["role"], r["component"]) == (entry["round"], role, "score")
            )
            assert float(row["value"]) == pytest.approx(score["score"])

    roles = read_csv(bundle, folder + "roles.csv")
    assert [r["role"] for r in roles] == [role["code"] for role in game.snapshot["roles"]]
    for row in roles:
        assert float(row["final"]) == pytest.approx(game.state["final"]["roles"][row["role"]])
    pairs = read_csv(bundle, folder + "pair_alignment.csv")
    assert len(pairs) == sum(len(e["metrics"]["pairs"]) for e in game.state["results"])
    assert f"{folder}README.txt" in bundle.namelist()


def test_xlsx_has_one_sheet_per_table(simulate):
    from openpyxl import load_workbook

    game = simulate("taiwan-strait-2027")
    workbook = load_workbook(io.BytesIO(game_report_file(game=game, fmt="xlsx").content))
    assert {"events", "decisions", "scores", "pair_alignment", "roles"} <= set(workbook.sheetnames)
    assert workbook["events"].max_row == game.last_seq + 1  # header row + one per event


def test_export_game_command_writes_each_format(simulate, tmp_path):
    game = simulate("taiwan-strait-2027")
    for fmt in ("json", "csv", "xlsx", "html"):
        path = tmp_path / f"out.{fmt}"
        call_command(
            "export_game", game.code, "--format", fmt, "-o", str(path), stdout=io.StringIO()
        )
        assert path.stat().st_size > 1000
    assert json.loads((tmp_path / "out.json").read_text())["game"]["code"] == game.code
    rendered = tmp_path / "again.html"
    call_command(
        "export_game",
        "--input",
        str(tmp_path / "out.json"),
        "--format",
        "html",
        "-o",
        str(rendered),
        stdout=io.StringIO(),
    )
    assert 'id="timeline"' in rendered.read_text()


def test_export_game_command_names_a_missing_game():
    with pytest.raises(CommandError, match="no game with code 'NOPE99'"):
        call_command("export_game", "nope99", "--format", "json", "-o", "/dev/null")


def test_game_export_is_what_the_json_download_holds(simulate):
    game = simulate()
    document = json.loads(game_report_file(game=game, fmt="json").content)
    assert (
        document["events"] == json.loads(json.dumps(game_export(game=game), default=str))["events"]
    )


def test_rendered_files_are_cached_until_the_log_or_review_changes(simulate, monkeypatch):
    """A second download of the same game state is not rendered again; a new event is."""
    from game.reports import files
    from game.services import Actor, game_execute
    from game.services.reviews import review_update

    game = simulate("taiwan-strait-2027")
    renders = []
    original = files.document_report_file
    monkeypatch.setattr(
        files, "document_report_file", lambda **kw: renders.append(kw["fmt"]) or original(**kw)
    )
    first = files.game_report_file(game=game, fmt="csv")
    assert files.game_report_file(game=game, fmt="csv").content == first.content
    assert renders == ["csv"]
    game_execute(
        game_id=game.pk,
        actor=Actor(kind="facilitator", name="Facilitator"),
        command={"type": "adjust_score", "role": "USA", "round": 1, "delta": 5, "reason": "x"},
    )
    game.refresh_from_db()
    files.game_report_file(game=game, fmt="csv")
    review_update(game=game, strengths=["Good"], improvements=[], plan=[], debrief_notes={})
    files.game_report_file(game=game, fmt="csv")
    assert renders == ["csv", "csv", "csv"]
