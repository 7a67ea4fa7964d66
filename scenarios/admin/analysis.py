"""The analysis on a scenario's admin page (issue 8 §2): a summary table, and each failed
incentive check as a warning. Publishing is not blocked by a failed check: it is advice."""

import json
from functools import lru_cache

from django.contrib import messages
from django.utils.html import format_html, format_html_join

from game.analysis import analyse_scenario
from game.analysis.report import OUTCOMES
from scenarios.validation import document_problems


@lru_cache(maxsize=16)
def _analysis_of(document_json: str) -> dict:
    return analyse_scenario(json.loads(document_json))


def scenario_page_analysis(scenario) -> dict | None:
    """The analysis of a saved scenario, or None while it is not valid. Cached by the
    document's content, so reloading the page does not solve again."""
    if scenario is None or scenario.pk is None:
        return None
    document = scenario.to_document()
    if document_problems(document) is not None:
        return None
    return _analysis_of(json.dumps(document, sort_keys=True))


def failed_check_warnings(request, result: dict | None) -> None:
    if result is None:
        return
    for name, check in result["checks"].items():
        if not check["passed"]:
            messages.warning(
                request,
                f"Analysis check not met: {check['title']} (the scenario gives "
                f"{check['value']:+.2f}; {_needed(name, check)}). Publishing is not blocked.",
            )


def _needed(name: str, check: dict) -> str:
    """What a check asks for, in words: "it needs at least 1", "it needs less than 0"."""
    relation = "less than" if name == "d" else "at least"
    return f"it needs {relation} {check['threshold']:g}"


def analysis_html(result: dict | None):
    if result is None:
        return "Available once the scenario is complete and valid."
    codes = list(result["status_quo"]["final"])
    header = format_html_join("", "<th>{}</th>", ((code,) for code in codes))
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td>{}<td>{}</td></tr>",
        (
            (
                label,
                f"{result[key]['coalition']:.1f}",
                f"{result[key]['effectiveness']:.1f}",
                format_html_join(
                    "",
                    "<td>{}</td>",
                    (
                        (
                            f"{result[key]['final'][code]:.1f} "
                            f"({result[key].get('gain', {}).get(code, 0.0):+.1f})",
                        )
                        for code in codes
                    ),
                ),
                len(result[key]["commitments"]),
            )
            for key, label in OUTCOMES
        ),
    )
    checks = format_html_join(
        "",
        "<li><strong>{}</strong>: {} — the scenario gives {} ({})</li>",
        (
            (
                "Met" if check["passed"] else "Not met",
                check["title"],
                f"{check['value']:+.2f}",
                _needed(name, check),
            )
            for name, check in result["checks"].items()
        ),
    )
    return format_html(
        "<p>Final scores, weighted by round, under the scoring rules this scenario's games use "
        "(version {}); each team's gain over the status quo in brackets; commitments: how many "
        "the outcome needs.</p>"
        "<table><thead><tr><th>Outcome</th><th>Coalition score</th><th>Effectiveness</th>{}"
        "<th>Commitments</th></tr></thead><tbody>{}</tbody></table><ul>{}</ul>",
        result["rules"],
        header,
        rows,
        checks,
    )
