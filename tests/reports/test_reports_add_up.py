"""The report's scores tables add up as printed: 100 less the printed cost and penalties is
the printed national score, and the coalition part, the national part and the adjustment
are the printed round score (within the rounding of the printed figures)."""

import re
from html.parser import HTMLParser

import pytest
from report_games import played_document

from game.engine import decide, replay
from game.reports.html import render_report_html
from game.reports.model import report_model

# Each printed figure has two decimals: each may be off by up to 0.005.
HALF_CENT = 0.005


class ScoreRows(HTMLParser):
    """The cells of every row of the report's `table.scores` bodies, as printed text."""

    def __init__(self):
        super().__init__()
        self.rows, self.depth, self.cell = [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1 if "scores" in (dict(attrs).get("class") or "").split() else 0
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def printed(text: str) -> float:
    return float(text.replace("−", "-").replace("+", ""))


def score_rows(html: str) -> list[list[str]]:
    parser = ScoreRows()
    parser.feed(html)
    return [row for row in parser.rows if row]


def assert_rows_add_up(html: str) -> int:
    rows = score_rows(html)
    for row in rows:
        _team, cost, red_lines, commitments, national, coalition, part, adjust, score = row[:9]
        taken = [printed(cost), printed(red_lines), printed(commitments)]
        assert 100 + sum(taken) == pytest.approx(printed(national), abs=4 * HALF_CENT), row
        shares = [printed(coalition), printed(part), printed(adjust)]
        assert sum(shares) == pytest.approx(printed(score), abs=4 * HALF_CENT), row
    return len(rows)


def with_adjustment(document: dict) -> dict:
    """The played game with the facilitator adding 2.5 points to C in round 1."""
    state = replay(document["scenario"], seed=document["game"]["seed"], events=document["events"])
    command = {
        "type": "adjust_score",
        "actor": {"kind": "facilitator", "role": None},
        "now": 0.0,
        "role": "C",
        "round": 1,
        "delta": 2.5,
        "reason": "Good faith",
    }
    events = decide(state, command)
    last = document["events"][-1]["seq"]
    logged = [
        {"seq": last + n, "at": "2026-01-01T10:59:00+00:00", **item}
        for n, item in enumerate(events, 1)
    ]
    return {**document, "events": [*document["events"], *logged]}


def test_report_scores_add_up_with_penalties_and_an_adjustment():
    document = with_adjustment(played_document())
    html = render_report_html(report_model(document))
    assert assert_rows_add_up(html) == 6  # three teams, two rounds
    row = next(r for r in score_rows(html) if r[0] == "Role C")
    assert row[3] == "−10.00" and row[7] == "+2.50"
    assert re.search(r"coalition part \(50% of the coalition score\)", html)


def test_a_row_that_does_not_add_up_is_caught():
    html = render_report_html(report_model(played_document()))
    broken = html.replace('<td class="n">−10.00</td>', '<td class="n">0.00</td>', 1)
    assert broken != html
    with pytest.raises(AssertionError):
        assert_rows_add_up(broken)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["coalition-2022", "taiwan-strait-2027"])
def test_report_scores_of_whole_bot_games_add_up(simulate, slug):
    from game.services.export import game_export

    game = simulate(slug)
    html = render_report_html(report_model(game_export(game=game)))
    assert assert_rows_add_up(html) > 0
