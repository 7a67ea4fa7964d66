"""Report section 7: the table beside the scenario analyser's outcomes, the distance from the
fair deal, the commitments it needs, the failure path and the cache of the analysis."""

import threading

import pytest
from django.core.cache import cache
from report_games import played_document

from game.analysis import cache as analysis_cache
from game.analysis.analyser import analyse_scenario
from game.reports.files import document_report_file
from game.reports.html import render_report_html
from game.reports.model import report_model
from game.services.export import game_export


@pytest.fixture
def counted(monkeypatch):
    """Count (and optionally replace) the analyser's solves behind the cache."""
    calls = []

    def install(replacement=None):
        def solve(scenario, *, rules):
            calls.append((scenario.get("slug"), rules))
            return (replacement or analyse_scenario)(scenario, rules=rules)

        monkeypatch.setattr(analysis_cache, "analyse_scenario", solve)
        return calls

    cache.clear()
    yield install
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["coalition-2022", "taiwan-strait-2027"])
def test_section_figures_for_a_simulated_game(simulate, slug):
    """The table's finals and per-round figures beside the analyser's, for the game's own
    snapshot and rules version; the distance is table − fair deal; the text says it."""
    game = simulate(slug, seed=3)
    document = game_export(game=game)
    rules = document["game"]["rules_version"]
    model = report_model(document)
    deal = model["achievable_deal"]
    assert deal["status"] == "ok" and deal["rules"] == rules == model["rules"]
    analysis = analyse_scenario(document["scenario"], rules=rules)
    outcomes = {o["key"]: o["final"] for o in deal["outcomes"]}
    assert list(outcomes) == [
        "table",
        "status_quo",
        "no_deal",
        "fair_deal_without_commitments",
        "fair_deal",
        "best_coalition",
    ]
    final = game.state["final"]
    assert outcomes["table"]["coalition"] == pytest.approx(final["coalition"])
    for key in ("status_quo", "no_deal", "fair_deal", "fair_deal_without_commitments"):
        assert outcomes[key]["coalition"] == pytest.approx(analysis[key]["coalition"])
        assert outcomes[key]["effectiveness"] == pytest.approx(analysis[key]["effectiveness"])
        for code, score in analysis[key]["final"].items():
            assert outcomes[key]["scores"][code] == pytest.approx(score)
    fair = analysis["fair_deal"]
    assert deal["distance"]["coalition"] == pytest.approx(final["coalition"] - fair["coalition"])
    assert deal["distance"]["share"] == pytest.approx(final["coalition"] / fair["coalition"])
    for code, score in final["roles"].items():
        assert outcomes["table"]["scores"][code] == pytest.approx(score)
        assert deal["distance"]["scores"][code] == pytest.approx(score - fair["final"][code])
    # Per round: the table's row is the round's metrics, the fair deal's the analyser's.
    for block, scored in zip(deal["by_round"], game.state["results"], strict=True):
        rows = {row["key"]: row for row in block["rows"]}
        assert rows["table"]["alignment"] == pytest.approx(scored["metrics"]["alignment"])
        fair_round = fair["rounds"][block["round"] - 1]
        assert rows["fair_deal"]["coalition"] == pytest.approx(fair_round["coalition"])
        assert rows["fair_deal"]["scores"] == pytest.approx(fair_round["scores"])
    # Every commitment the fair deal needs, with what the table did about it.
    counts = deal["commitments"]["counts"]
    assert counts["needed"] == len(fair["commitments"]) > 0
    assert counts["needed"] == counts["kept"] + counts["broken"] + counts["met"] + counts["missing"]
    share = f"{final['coalition'] / fair['coalition']:.0%}"
    text = " ".join(deal["summary"])
    assert f"The table reached {share} of the fair deal's coalition score" in text
    names = {role["name"] for role in model["roles"]}
    assert all(f"{name} ended" in text for name in names)
    html = render_report_html(model)
    assert "Fair deal (with commitments)" in html and "Placeholder" not in html


def test_coalition_summary_reads_for_an_instructor(db, simulate):
    """The words of the section for coalition-2022, seed 3 (the report's example game)."""
    model = report_model(game_export(game=simulate("coalition-2022", seed=3)))
    text = "\n".join(model["achievable_deal"]["summary"])
    assert "of the fair deal's coalition score: K " in text and "against 87.0" in text
    assert "its fair-deal score" in text
    assert "The fair deal needed 24 commitments" in text


def test_failure_path_says_so_and_the_report_still_renders(counted):
    calls = counted(lambda scenario, *, rules: (_ for _ in ()).throw(RuntimeError("no luck")))
    model = report_model(played_document())
    deal = model["achievable_deal"]
    assert deal["status"] == "failed" and "RuntimeError: no luck" in deal["message"]
    html = render_report_html(model)
    assert "could not solve this scenario" in html and 'id="debrief"' in html
    assert 'id="timeline"' in html and "Table − fair deal" not in html
    report_model(played_document())
    assert len(calls) == 1  # the failure is cached too: not solved on every render


def test_a_second_render_does_not_solve_again(counted):
    calls = counted()
    document = played_document()
    first = document_report_file(document=document, fmt="html")
    assert len(calls) == 1 and first.complete
    second = document_report_file(document=document, fmt="html")
    assert len(calls) == 1 and second.content == first.content
    assert report_model(document)["achievable_deal"]["cached"] is True


def test_the_cache_key_is_the_scenario_content_and_rules():
    scenario = played_document()["scenario"]
    key = analysis_cache.analysis_key(scenario, 2)
    assert key == analysis_cache.analysis_key(dict(reversed(scenario.items())), 2)
    assert key != analysis_cache.analysis_key(scenario, 1)
    assert key != analysis_cache.analysis_key({**scenario, "title": "Other"}, 2)


def test_a_slow_analysis_leaves_the_first_render_bounded(counted, settings):
    """The first render waits at most `analysis_wait`; the section says it is coming, the
    file is not cached, and the solve lands in the cache for the next render."""
    release = threading.Event()

    def slow(scenario, *, rules):
        release.wait(10)
        return analyse_scenario(scenario, rules=rules)

    calls = counted(slow)
    settings.REPORT_ANALYSIS_SECONDS = 0.05
    document = played_document()
    model = report_model(document)
    assert model["achievable_deal"]["status"] == "pending"
    assert "Not available yet" in render_report_html(model)
    assert document_report_file(document=document, fmt="html").complete is False
    release.set()
    model = report_model(document, analysis_wait=30)
    assert model["achievable_deal"]["status"] == "ok"
    assert len(calls) == 1  # the waiting renders shared the one solve


def test_no_round_scored_solves_nothing(counted):
    calls = counted()
    document = played_document()
    kinds = [e["kind"] for e in document["events"]]
    events = document["events"][: kinds.index("game_started") + 1]
    model = report_model({**document, "events": events})
    assert model["achievable_deal"]["status"] == "unavailable" and calls == []
