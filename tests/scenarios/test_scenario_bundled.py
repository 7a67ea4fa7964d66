"""The scenario files shipped in scenarios/bundled/: valid, and lossless through the database."""

import jsonschema
import pytest

from scenarios.formats import dump_document
from scenarios.services import bundled_scenario_paths, scenario_export, scenario_import
from scenarios.validation import load_document, load_schema, parse_document, validate_document

BUNDLED = bundled_scenario_paths()


def test_there_are_bundled_scenarios():
    """The product ships scenarios; an empty bundle is a packaging mistake."""
    assert BUNDLED, "no scenario files in scenarios/bundled/"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_bundled_file_satisfies_the_schema_file(path):
    """Checked with jsonschema and docs/scenario.schema.json alone, as an editor would."""
    jsonschema.validate(load_document(path), load_schema())


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_bundled_file_is_valid(path):
    validate_document(load_document(path))


@pytest.mark.django_db
@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_bundled_file_import_export_import_is_lossless(path):
    normalized = validate_document(load_document(path))
    first = scenario_export(scenario=scenario_import(document=load_document(path)))
    assert first == normalized
    for fmt in ("json", "yaml"):
        text = dump_document(first, fmt=fmt)
        again = scenario_import(document=parse_document(text, filename=f"x.{fmt}"), update=True)
        assert scenario_export(scenario=again) == first
