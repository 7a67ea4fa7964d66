"""docs/scenario-format.md: its example is a valid scenario and its messages are real ones."""

import re
from pathlib import Path

import pytest

from scenarios.validation import ScenarioInvalid, parse_document, validate_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_example_is_a_valid_scenario():
    [example] = blocks("yaml")
    normalized = validate_document(parse_document(example, filename="example.yaml"))
    assert normalized["slug"] == "mini-crisis"


def test_the_example_messages_are_what_the_validator_says():
    [example] = blocks("yaml")
    document = parse_document(example, filename="example.yaml")
    document["roles"][1]["code"] = "US"
    document["levers"][0]["holders"]["US"]["start"] = 92
    with pytest.raises(ScenarioInvalid) as caught:
        validate_document(document)
    [shown] = blocks("text")
    for line in shown.strip().splitlines()[:2]:
        assert line in str(caught.value).splitlines()
