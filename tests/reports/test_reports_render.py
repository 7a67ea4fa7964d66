"""The report's renderers: charts (SVG), the HTML page and the PDF."""

import pytest
from report_games import played_document

from game.reports.charts import report_charts
from game.reports.html import render_report_html
from game.reports.model import report_model

SECTIONS = (
    "overview",
    "findings",
    "charts",
    "rounds",
    "awareness",
    "commitments",
    "achievable",
    "debrief",
    "plan",
    "timeline",
)


@pytest.fixture(scope="module")
def model():
    return report_model(played_document())


def test_charts_are_svg_documents_with_text(model):
    """Four charts, each an SVG whose labels stay text (searchable in the PDF)."""
    charts = report_charts(model)
    assert set(charts) == {"coalition", "scores", "spread", "pairs"}
    for svg in charts.values():
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "Round 1" in charts["coalition"] and "A–B" in charts["pairs"]


def test_no_charts_before_any_round_is_scored(model):
    unscored = {**model, "rounds": [{**r, "scored": False} for r in model["rounds"]]}
    assert report_charts(unscored) == {}


def test_html_report_holds_every_section(model):
    """The page has every section of the after-action report, the chart images, and the
    scenario analyser's figures beside the table's."""
    html = render_report_html(model)
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert "Placeholder" not in html
    assert "of the fair deal&#x27;s coalition score" in html and "Table − fair deal" in html
    assert "What did you learn?" in html  # the scenario's debrief question
    assert "C forgot its promise" in html  # the facilitator's note
    assert "b-sanctions" in html and "broken" in html


def test_html_report_has_no_script_and_no_inline_style_attribute(model):
    """Ready for a strict CSP: no script at all, no style="..." attributes."""
    html = render_report_html(model, standalone=False, css_url="/static/reports/report.css")
    assert "<script" not in html.lower()
    assert " style=" not in html
    assert '<link rel="stylesheet" href="/static/reports/report.css">' in html


def test_html_report_escapes_player_text(model):
    """Chat and notes are player text: they are escaped, never markup."""
    document = played_document()
    for event in document["events"]:
        if event["kind"] == "note_added":
            event["data"]["text"] = "<b>bold</b>"
    html = render_report_html(report_model(document))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html


def test_missing_status_quo_and_gain_show_a_dash(model):
    html = render_report_html(model)
    assert "—" in html


def test_pdf_has_the_running_header_page_numbers_and_sections(model, tmp_path, pdf_pages):
    from game.reports.pdf import render_report_pdf

    content = render_report_pdf(model)
    assert content.startswith(b"%PDF")
    pages = pdf_pages(content, tmp_path)
    text = "\f".join(pages)
    assert len(pages) >= 4
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "game TEST01" in pages[1]  # the running header from page 2 on
    for heading in (
        "1. Overview",
        "5. Red-line awareness",
        "7. Distance from the achievable deal",
        "9. Improvement plan",
    ):
        assert heading in text
    assert "pair alignment S" in text  # chart text is text in the PDF
    assert "Fair deal (with commitments)" in text and "Table − fair deal" in text


@pytest.mark.parametrize("stop", ["lobby", "mid-round", "between rounds"])
def test_html_of_an_unfinished_game(stop):
    """A report of a game that has not ended says so and renders every section."""
    document = played_document()
    kinds = [e["kind"] for e in document["events"]]
    end = {
        "lobby": kinds.index("game_started"),
        "mid-round": kinds.index("offer_proposed") + 1,
        "between rounds": kinds.index("round_scored") + 3,
    }[stop]
    html = render_report_html(report_model({**document, "events": document["events"][:end]}))
    assert "This game has not ended" in html
    for section in SECTIONS:
        assert f'id="{section}"' in html
