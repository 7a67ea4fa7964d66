"""The report's timeline, replay and findings speak the scenario's names: every event of
whole bot games of both bundled scenarios reads as a sentence with no lever key, red-line
id or event type in it."""

import re
from pathlib import Path

import pytest

from game.engine import EVENT_KINDS, play_game
from game.reports.timeline import SUMMARIES, timeline
from game.wording import Names, plural
from scenarios.parsing import load_document
from scenarios.validation import validate_document

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "bundled"


def internal(scenario: dict) -> re.Pattern:
    names = [lever["key"] for lever in scenario["levers"]]
    names += [line["id"] for line in scenario["red_lines"]] + list(EVENT_KINDS)
    return re.compile("|".join(rf"(?<![\w-]){re.escape(name)}(?![\w-])" for name in names))


@pytest.mark.parametrize("name", ["coalition-2022.json", "taiwan-strait-2027.yaml"])
@pytest.mark.parametrize("strategy", [None, "open"])
def test_every_timeline_line_is_plain_words(name, strategy):
    scenario = validate_document(load_document(BUNDLED / name))
    codes = [role["code"] for role in scenario["roles"]]
    strategies = dict.fromkeys(codes, strategy) if strategy else None
    _, events = play_game(scenario, seed=3, strategies=strategies)
    lines = timeline(events, scenario)
    pattern = internal(scenario)
    assert {line["kind"] for line in lines} >= {"offer_proposed", "red_line_revealed"}
    for line in lines:
        assert not pattern.search(line["summary"]), line
        assert line["summary"] != "something changed", line


def test_every_event_kind_has_a_timeline_sentence():
    assert set(EVENT_KINDS) <= set(SUMMARIES)


def test_plurals_and_names():
    assert plural(1, "time") == "1 time"
    assert plural(7, "time") == "7 times"
    assert plural(0, "commitment") == "0 commitments"
    names = Names(
        {
            "roles": [{"code": "JP", "name": "Japan"}, {"code": "ROK", "name": "Korea"}],
            "levers": [{"key": "deals", "label": "New energy deals", "unit": "deals"}],
            "red_lines": [{"id": "x-1", "lever": "deals", "kind": "ceiling", "value": 1}],
        }
    )
    assert names.red_line("x-1") == "New energy deals, at most 1 deal"
    assert names.red_line("x-1", with_value=False) == "New energy deals (a ceiling)"
    assert names.audience(["JP", "ROK"]) == "Japan and Korea"
    term = {"by": "JP", "lever": "deals", "op": "<=", "value": 0, "duration": "game"}
    assert names.term(term) == "Japan: New energy deals at most 0 deals (for the game)"
