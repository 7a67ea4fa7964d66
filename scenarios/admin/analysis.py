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
                f"Analysis check ({name}) failed: {check['title']} — value "
                f"{check['value']:+.2f}, threshold {check['threshold']:g} (docs/analysis.md). "
                "Publishing is not blocked.",
            )


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
        "<li><strong>({}) {}</strong>: {} — {} (threshold {})</li>",
        (
            (
                name,
                "pass" if check["passed"] else "FAIL",
                check["title"],
                f"{check['value']:+.2f}",
                f"{check['threshold']:g}",
            )
            for name, check in result["checks"].items()
        ),
    )
    return format_html(
        "<p>Finals over the round weights under scoring rules v{}; gain over the status quo in "
        "brackets; K = coalition score, E = effectiveness; terms = commitments needed.</p>"
        "<table><thead><tr><th>outcome</th><th>K</th><th>E</th>{}<th>terms</th></tr></thead>"
        "<tbody>{}</tbody></table><ul>{}</ul>",
        result["rules"],
        header,
        rows,
        checks,
    )
