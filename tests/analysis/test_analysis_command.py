"""`manage.py analyse_scenario SLUG|FILE [--json]`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"


def analyse(*args) -> str:
    out = StringIO()
    call_command("analyse_scenario", *args, stdout=out)
    return out.getvalue()


def test_a_file_analysed_as_json_has_the_documented_document():
    document = json.loads(analyse(str(BUNDLED / "taiwan-strait-2027.yaml"), "--json"))
    assert document["rules"] == 2
    assert document["fair_deal"]["commitments"]
    assert {key: check["passed"] for key, check in document["checks"].items()} == {
        "a": True,
        "b": True,
        "c": True,
        "d": True,
    }


def test_the_table_names_every_outcome_and_check():
    out = analyse(str(BUNDLED / "taiwan-strait-2027.yaml"))
    for label in ("status quo", "no deal", "fair deal", "maximum pressure", "(a) pass", "(d) pass"):
        assert label in out


def test_a_failed_check_exits_non_zero_under_rules_v1():
    """Under v1 retreating pays on the bundled scenario: check (d) fails."""
    with pytest.raises(CommandError, match="check\\(s\\) failed: d"):
        analyse(str(BUNDLED / "taiwan-strait-2027.yaml"), "--rules", "1")


@pytest.mark.django_db
def test_a_slug_is_analysed_from_the_database():
    from scenarios.services import scenario_import_bundled

    scenario_import_bundled()
    assert "Analysis of taiwan-strait-2027" in analyse("taiwan-strait-2027")
    with pytest.raises(CommandError, match="No scenario 'nope'"):
        analyse("nope")
