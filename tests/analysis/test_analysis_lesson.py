"""`manage.py lesson`: bot tables per seating on the bundled scenarios."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from game.management.lesson import LESSON_MARGIN, lesson
from scenarios.validation import load_document, validate_document

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"


@pytest.mark.parametrize("name", ["coalition-2022.json", "taiwan-strait-2027.yaml"])
def test_all_open_tables_beat_all_secretive_ones_by_the_stated_margin(name):
    document = validate_document(load_document(BUNDLED / name))
    result = lesson(document, seeds=3, seatings=("all-open", "all-secretive"))
    mean, half = result["open_minus_secretive"]
    assert mean - half >= LESSON_MARGIN
    summary = result["summary"]
    assert summary["all-open"]["breaches"][0] == 0
    assert summary["all-open"]["broken"][0] == 0


def test_lesson_prints_every_seating_and_the_verdicts():
    out = StringIO()
    call_command("lesson", str(BUNDLED / "coalition-2022.json"), "--seeds", "2", stdout=out)
    text = out.getvalue()
    for seating in ("all-open", "all-guarded", "all-secretive", "mixed", "lone-open"):
        assert f"\n{seating} " in text
    assert "all-open − all-secretive coalition score: +" in text
    assert "lone open team vs the same team" in text
