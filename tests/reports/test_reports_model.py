"""report_model: the after-action report's data, from an export's event log alone."""

import json

import pytest
from report_games import played_document

from game.reports.model import report_model


def test_report_model_is_json_and_replays_the_log():
    """The model is plain JSON data and its finals are those the log replays to."""
    document = played_document()
    model = report_model(document)
    json.dumps(model)
    assert model["final"] == document["final"]
    assert [r["round"] for r in model["rounds"]] == [1, 2]
    assert model["game"]["rounds_played"] == 2


def test_report_model_does_not_trust_the_exported_results():
    """Results are recomputed from the events: a doctored `results` in the export is ignored."""
    document = played_document()
    document["results"] = []
    document["final"] = {"roles": {}, "coalition": 0, "rounds": 0}
    model = report_model(document)
    assert model["final"]["rounds"] == 2


def test_round_rows_hold_every_score_component():
    """Each score row has cost, penalties, national, base, adjustment and score, and (scoring
    rules v2) the status quo and the gain over it; both are None in an older log without
    them."""
    model = report_model(played_document())
    row = next(r for r in model["rounds"][0]["scores"] if r["role"] == "C")
    assert row["commitment_penalty"] == 10
    assert row["cost"] is not None
    assert row["gain"] == pytest.approx(row["base"] - row["status_quo"])
    for key in ("national", "base", "adjustment", "score", "coalition", "red_line_penalty"):
        assert key in row

    older = played_document()
    for event in older["events"]:
        if event["kind"] == "round_scored":
            for score in event["data"]["scores"].values():
                score.pop("status_quo", None)
                score.pop("gain", None)
    row = next(r for r in report_model(older)["rounds"][0]["scores"] if r["role"] == "C")
    assert row["status_quo"] is None and row["gain"] is None


def test_status_quo_and_gain_are_read_when_recorded():
    """round_scored data carrying status_quo and gain shows up in the score rows."""
    document = played_document()
    for event in document["events"]:
        if event["kind"] == "round_scored":
            for score in event["data"]["scores"].values():
                score["status_quo"], score["gain"] = 70.0, 5.5
    model = report_model(document)
    row = model["rounds"][0]["scores"][0]
    assert (row["status_quo"], row["gain"]) == (70.0, 5.5)
    assert model["totals"]["A"]["gain"] == 5.5


def test_commitments_ledger_and_broken_finding():
    """The ledger lists the broken term; a finding names the team that broke it."""
    model = report_model(played_document())
    broken = [c for c in model["commitments"] if c["status"] == "broken"]
    assert [(c["round"], c["by"], c["lever"], c["decided"]) for c in broken] == [(1, "C", "g", 0)]
    texts = [f["text"] for f in model["findings"]["improvements"]]
    assert any("broke commitment o2" in text for text in texts)


def test_unrevealed_red_line_that_blocked_an_offer():
    """B's sanctions ceiling was never revealed and C asked B to go over it: both show."""
    model = report_model(played_document())
    assert model["awareness"]["never_revealed"] == ["b-sanctions"]
    blocked = model["blocked_offers"]
    assert [(b["offer"], b["red_line"], b["proposer_knew"]) for b in blocked] == [
        ("o1", "b-sanctions", "none")
    ]
    texts = [f["text"] for f in model["findings"]["improvements"]]
    assert any("never revealed red line b-sanctions" in t and "blocked" in t for t in texts)


def test_awareness_matrix_by_round():
    """C knew A's red line in full from round 1; B never did; A owns it."""
    matrix = report_model(played_document())["awareness"]["matrix"]
    assert matrix[1]["a-energy"] == {"A": "own", "B": "none", "C": "full"}


def test_findings_name_the_largest_misalignment_and_the_payer():
    model = report_model(played_document())
    kinds = [f["kind"] for f in model["findings"]["improvements"]]
    assert "misalignment" in kinds and "cost" in kinds
    assert len(model["improvement_plan"]) == len(model["findings"]["improvements"])
    assert model["achievable_deal"]["status"] == "ok"


def test_every_prefix_of_the_log_makes_a_report():
    """A report of a game stopped after any event (lobby, mid-round, between rounds) builds,
    and the tables build from it too."""
    from game.reports.tables import report_tables

    document = played_document()
    events = document["events"]
    for end in range(len(events) + 1):
        partial = {**document, "events": events[:end]}
        model = report_model(partial)
        json.dumps(model)
        report_tables(partial, model)
        scored = sum(1 for e in events[:end] if e["kind"] == "round_scored")
        assert model["game"]["rounds_played"] == scored
