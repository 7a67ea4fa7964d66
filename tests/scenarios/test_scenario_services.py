"""scenarios.services and selectors: import, export, duplicate, publish, bundled scenarios."""

import copy

import pytest
from conftest import MINI_DOCUMENT

from scenarios import services
from scenarios.formats import dump_document
from scenarios.models import (
    DebriefQuestion,
    Inject,
    InjectEffect,
    Lever,
    LeverHolder,
    RedLine,
    RedLineCondition,
    Role,
    Round,
    Scenario,
)
from scenarios.selectors import (
    scenario_get,
    scenario_list,
    scenario_list_published,
    scenario_problems,
    scenario_public_view,
)
from scenarios.services import (
    ScenarioSlugTaken,
    scenario_duplicate,
    scenario_export,
    scenario_import,
    scenario_import_bundled,
    scenario_rename_role_codes,
    scenario_set_published,
)
from scenarios.validation import ScenarioInvalid, parse_document, validate_document

pytestmark = pytest.mark.django_db
CHILD_MODELS = [
    Role,
    Lever,
    LeverHolder,
    RedLine,
    RedLineCondition,
    Round,
    Inject,
    InjectEffect,
    DebriefQuestion,
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in [Scenario, *CHILD_MODELS]}


def test_import_creates_every_row(document):
    scenario = scenario_import(document=document)
    assert not scenario.published
    assert row_counts() == {
        "Scenario": 1,
        "Role": 3,
        "Lever": 3,
        "LeverHolder": 6,
        "RedLine": 2,
        "RedLineCondition": 1,
        "Round": 2,
        "Inject": 2,
        "InjectEffect": 1,
        "DebriefQuestion": 1,
    }
    assert Inject.objects.get(title="Gas price spike").audience == ["JP", "ROK"]
    assert Inject.objects.get(title="UN vote").audience == "all"


def test_import_export_import_is_lossless(document):
    """Export returns the normalized document; importing it again changes nothing."""
    expected = validate_document(copy.deepcopy(document))
    exported = scenario_export(scenario=scenario_import(document=document))
    assert exported == expected
    again = scenario_export(scenario=scenario_import(document=exported, update=True))
    assert again == exported


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_file_round_trip_is_lossless(document, fmt):
    exported = scenario_export(scenario=scenario_import(document=document))
    text = dump_document(exported, fmt=fmt)
    assert validate_document(parse_document(text, filename=f"x.{fmt}")) == exported


def test_fractional_values_survive_the_database(document):
    document["levers"][2].update(min=0, max=1, step=0.1)
    document["levers"][2]["holders"]["US"] = {"start": 0.7, "cost": 0.05}
    document["red_lines"][0]["unless"][0]["value"] = 0.3
    exported = scenario_export(scenario=scenario_import(document=document))
    assert exported["levers"][2]["holders"]["US"] == {"start": 0.7, "cost": 0.05}
    assert exported["red_lines"][0]["unless"][0]["value"] == 0.3


def test_invalid_document_leaves_the_database_unchanged(document):
    scenario_import(document=copy.deepcopy(document))
    before = row_counts()
    document["red_lines"][0]["lever"] = "lng"
    with pytest.raises(ScenarioInvalid):
        scenario_import(document=document, update=True)
    assert row_counts() == before
    assert Scenario.objects.get().to_document()["red_lines"][0]["lever"] == "russian_lng_share"


def test_failure_while_writing_rolls_everything_back(document, monkeypatch):
    """All or nothing: an error half-way through an update leaves the old scenario intact."""
    scenario_import(document=copy.deepcopy(document))
    before = scenario_export(scenario=Scenario.objects.get())

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(RedLine.objects, "create", explode)
    with pytest.raises(RuntimeError):
        scenario_import(document=document, update=True)
    assert scenario_export(scenario=Scenario.objects.get()) == before


def test_existing_slug_needs_update(document):
    scenario_import(document=copy.deepcopy(document))
    with pytest.raises(ScenarioSlugTaken) as caught:
        scenario_import(document=document)
    assert caught.value.errors[0][0] == "slug"
    assert "already exists" in caught.value.errors[0][1]
    assert Scenario.objects.count() == 1


def test_update_replaces_children_and_keeps_identity(document):
    original = scenario_import(document=copy.deepcopy(document), published=True)
    document["title"] = "Mini crisis, revised"
    document["roles"] = document["roles"][:2]
    for item in document["levers"]:
        item["holders"].pop("ROK", None)
    document["rounds"][0]["injects"][0]["audience"] = ["JP"]
    document["rounds"] = document["rounds"][:1]
    updated = scenario_import(document=document, update=True)
    assert updated.pk == original.pk
    assert updated.published, "an update keeps the published flag unless told otherwise"
    assert updated.title == "Mini crisis, revised"
    assert list(updated.roles.values_list("code", flat=True)) == ["US", "JP"]
    assert updated.rounds.count() == 1
    assert Role.objects.count() == 2
    assert LeverHolder.objects.count() == 4
    assert scenario_export(scenario=updated) == validate_document(document)


def test_import_can_publish_or_unpublish(document):
    assert scenario_import(document=copy.deepcopy(document), published=True).published
    assert not scenario_import(document=document, update=True, published=False).published


def test_duplicate_copies_everything_as_a_draft(document):
    original = scenario_import(document=document, published=True)
    copy_ = scenario_duplicate(scenario=original)
    assert (copy_.slug, copy_.title, copy_.published) == (
        "mini-crisis-copy",
        "Mini crisis (copy)",
        False,
    )
    exported = scenario_export(scenario=copy_)
    assert {**exported, "slug": "mini-crisis", "title": "Mini crisis"} == scenario_export(
        scenario=original
    )
    assert scenario_duplicate(scenario=original).slug == "mini-crisis-copy-2"


def test_duplicate_with_a_chosen_slug(document):
    original = scenario_import(document=document)
    assert scenario_duplicate(scenario=original, slug="mini-two").slug == "mini-two"
    with pytest.raises(ScenarioInvalid, match="already exists"):
        scenario_duplicate(scenario=original, slug="mini-two")
    with pytest.raises(ScenarioInvalid, match="not a valid slug"):
        scenario_duplicate(scenario=original, slug="Mini Two")


def test_duplicate_copies_an_unfinished_draft(document):
    """A draft that is not valid yet can still be copied, unfinished parts and all."""
    scenario = scenario_import(document=document)
    scenario.rounds.all().delete()
    copy_ = scenario_duplicate(scenario=scenario)
    assert copy_.rounds.count() == 0
    assert copy_.roles.count() == 3


def test_publish_refuses_an_invalid_scenario(document):
    scenario = scenario_import(document=document)
    scenario.rounds.all().delete()
    with pytest.raises(ScenarioInvalid) as caught:
        scenario_set_published(scenario=scenario, published=True)
    assert ("rounds", "needs at least 1 entry, has 0") in caught.value.errors
    scenario.refresh_from_db()
    assert not scenario.published


def test_publish_and_unpublish(document):
    scenario = scenario_import(document=document)
    assert scenario_set_published(scenario=scenario, published=True).published
    assert Scenario.objects.get().published
    assert not scenario_set_published(scenario=scenario, published=False).published


def test_rename_role_codes_follows_into_audiences(document):
    scenario = scenario_import(document=document)
    scenario_rename_role_codes(scenario=scenario, renames={"JP": "JPN", "ROK": "JP"})
    assert Inject.objects.get(title="Gas price spike").audience == ["JPN", "JP"]
    assert Inject.objects.get(title="UN vote").audience == "all"


def test_selectors(document):
    draft = scenario_import(document=copy.deepcopy(document))
    document["slug"] = "published-one"
    published = scenario_import(document=document, published=True)
    assert list(scenario_list_published()) == [published]
    assert set(scenario_list(include_unpublished=True)) == {draft, published}
    listed = scenario_list().get()
    assert (listed.role_count, listed.round_count) == (3, 2)
    assert scenario_get(slug="mini-crisis") == draft
    assert scenario_get(slug="nope") is None
    assert scenario_problems(scenario=draft) == []


def test_public_view_leaves_out_every_secret(document):
    view = scenario_public_view(document=validate_document(document))
    text = repr(view)
    for secret in [
        "You can ship more LNG",  # private brief
        "Keep the coalition together",  # objectives
        "jp-sakhalin",  # red lines
        "Sakhalin-2",
        "Gas price spike",  # injects
        "Tanks cross the border",  # briefing
        "Which red line",  # questions
        "cost",
        "start",
    ]:
        assert secret not in text
    assert view["roles"][0] == {
        "code": "US",
        "name": "United States",
        "color": "#1f4e99",
        "public_brief": "Lead the coalition.",
    }
    assert view["levers"][1]["holders"] == ["JP", "ROK"]
    assert view["round_count"] == 2


# Bundled scenarios -------------------------------------------------------------------------


def write_bundle(directory, documents):
    directory.mkdir(exist_ok=True)
    for name, document in documents.items():
        fmt = "yaml" if name.endswith((".yaml", ".yml")) else "json"
        (directory / name).write_text(dump_document(document, fmt=fmt), encoding="utf-8")


def test_import_bundled_imports_every_file_published(tmp_path, monkeypatch):
    second = copy.deepcopy(MINI_DOCUMENT) | {"slug": "second"}
    write_bundle(tmp_path, {"a.json": MINI_DOCUMENT, "b.yaml": second})
    (tmp_path / "README.txt").write_text("not a scenario")
    monkeypatch.setattr(services, "BUNDLED_DIR", tmp_path)
    scenarios = scenario_import_bundled()
    assert [s.slug for s in scenarios] == ["mini-crisis", "second"]
    assert all(s.published for s in scenarios)
    assert len(scenario_import_bundled()) == 2, "running it again updates in place"
    assert Scenario.objects.count() == 2


def test_import_bundled_keeps_existing_without_update(tmp_path, monkeypatch, document):
    existing = scenario_import(document=copy.deepcopy(document) | {"title": "Edited locally"})
    write_bundle(tmp_path, {"a.json": document})
    monkeypatch.setattr(services, "BUNDLED_DIR", tmp_path)
    assert scenario_import_bundled(update=False) == [existing]
    assert Scenario.objects.get().title == "Edited locally"


def test_import_bundled_is_all_or_nothing(tmp_path, monkeypatch):
    broken = copy.deepcopy(MINI_DOCUMENT) | {"slug": "broken"}
    broken["roles"][0]["color"] = "blue"
    write_bundle(tmp_path, {"a.json": MINI_DOCUMENT, "b.json": broken})
    monkeypatch.setattr(services, "BUNDLED_DIR", tmp_path)
    with pytest.raises(ScenarioInvalid) as caught:
        scenario_import_bundled()
    assert caught.value.errors[0][0] == "b.json: roles[0].color"
    assert Scenario.objects.count() == 0


def test_import_bundled_refuses_two_files_with_one_slug(tmp_path, monkeypatch):
    write_bundle(tmp_path, {"a.json": MINI_DOCUMENT, "b.yaml": MINI_DOCUMENT})
    monkeypatch.setattr(services, "BUNDLED_DIR", tmp_path)
    with pytest.raises(ScenarioInvalid, match=r"also the slug of a\.json"):
        scenario_import_bundled()


def test_import_race_on_a_new_slug_reports_the_slug_as_taken(document, monkeypatch):
    """If another import inserts the same new slug first, the loser gets ScenarioSlugTaken."""
    from django.db import IntegrityError

    scenario_import(document=copy.deepcopy(document))

    def lose_the_race(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "_scenario_write", lose_the_race)
    with pytest.raises(ScenarioSlugTaken):
        scenario_import(document=document)
