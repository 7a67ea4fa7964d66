"""`replay` of an export uses the scoring rules version the game was played under."""

import pytest

from game.engine.testing import Table, worked_example
from game.management.simulation import ExportUnreadable, replay_export
from game.services.export import EXPORT_FORMAT

RETREAT = {"A": {"s": 40, "e": 5}, "B": {"s": 40, "e": 4}}


def export_of_retreat(rules, *, record_version: bool) -> dict:
    """An export-shaped document of the worked example played under `rules`, in which A
    retreats below its start (where v1 and v2 differ)."""
    table = Table(worked_example(), rules=rules)
    table.advance_to(1, "decision")
    for code, values in RETREAT.items():
        table.run("decision_set", code, values=values)
        table.run("decision_lock", code)
    table.run("advance", "facilitator")
    table.run("advance", "facilitator")
    events = [{**item, "seq": seq} for seq, item in enumerate(table.events, 1)]
    game = {"seed": 7, "last_seq": len(events)}
    if record_version:
        game["rules_version"] = rules
    return {
        "format": EXPORT_FORMAT,
        "game": game,
        "scenario": table.state["scenario"],
        "events": events,
        **{key: table.state[key] for key in ("results", "final", "offers", "decisions")},
    }


def test_an_export_without_a_version_replays_under_v1():
    document = export_of_retreat(1, record_version=False)
    state, differences = replay_export(document)
    assert differences == []
    assert state["rules"] == 1
    assert state["results"][0]["metrics"]["alignment"] == pytest.approx(0.9)


def test_an_export_replays_under_the_version_it_records():
    state, differences = replay_export(export_of_retreat(2, record_version=True))
    assert differences == []
    assert state["results"][0]["metrics"]["alignment"] == pytest.approx(0.8)


def test_a_v2_game_replayed_as_v1_differs_in_its_scores():
    document = export_of_retreat(2, record_version=True)
    document["game"]["rules_version"] = 1
    _, differences = replay_export(document)
    assert any("alignment" in line for line in differences)


def test_an_old_export_without_status_quo_fields_still_matches():
    """Logs written before status_quo/gain existed lack them: not a difference."""
    document = export_of_retreat(1, record_version=False)
    for item in document["events"]:
        if item["kind"] == "round_scored":
            item["data"]["metrics"].pop("credited_pressures")
            for score in item["data"]["scores"].values():
                del score["status_quo"], score["gain"]
    _, differences = replay_export(document)
    assert differences == []


def test_an_unknown_version_is_named():
    document = export_of_retreat(2, record_version=True)
    document["game"]["rules_version"] = 7
    with pytest.raises(ExportUnreadable, match="scoring rules version 7"):
        replay_export(document)
