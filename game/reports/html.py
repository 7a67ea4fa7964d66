"""The report as a printable HTML page (Django template + its own print stylesheet).

The same HTML serves the web page (stylesheet linked from static files) and the PDF and
the downloadable file (stylesheet inlined, so the file stands alone). Charts are SVG images
in `data:` URLs: no script, no inline SVG styles, so a strict CSP needs only
`img-src 'self' data:` (and `style-src 'self'` for the linked stylesheet).
"""

import base64
import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from game.reports.charts import report_charts
from game.wording import Names

CSS_PATH = Path(__file__).resolve().parent.parent / "static" / "reports" / "report.css"
CHART_TITLES = {
    "coalition": "Coalition alignment, effectiveness and score by round",
    "scores": "Each team's round score",
    "spread": "Per-lever spread: where the coalition is divided",
    "pairs": "Pair alignment S by round",
}


def report_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def report_context(model: dict, *, charts: dict[str, str] | None = None) -> dict:
    charts = report_charts(model) if charts is None else charts
    roles = {role["code"]: role for role in model["roles"]}
    levers = {lever["key"]: lever for lever in model["levers"]}
    names = Names({key: model[key] for key in ("roles", "levers", "red_lines")})
    return {
        "model": model,
        "game": model["game"],
        "scenario": model["scenario"],
        "roles": model["roles"],
        "role_names": {code: role["name"] for code, role in roles.items()},
        "lever_labels": {key: lever["label"] for key, lever in levers.items()},
        "red_line_titles": {line["id"]: names.red_line(line["id"]) for line in model["red_lines"]},
        "charts": [
            {"name": name, "title": CHART_TITLES[name], "src": data_url(svg)}
            for name, svg in charts.items()
        ],
        "awareness_rounds": [
            {
                "round": round_no,
                "rows": [
                    {"line": line, "levels": model["awareness"]["matrix"][round_no][line["id"]]}
                    for line in model["red_lines"]
                ],
            }
            for round_no in model["awareness"]["rounds"]
        ],
        "briefings": {r["round"]: paragraphs(r["briefing"]) for r in model["rounds"]},
    }


def render_report_html(
    model: dict,
    *,
    standalone: bool = True,
    css_url: str = "",
    charts=None,
    downloads: list[dict] | None = None,
    replay_url: str = "",
    edit_url: str = "",
) -> str:
    """The whole report page. `standalone` inlines the stylesheet (file download, PDF)."""
    context = report_context(model, charts=charts)
    context["css"] = mark_safe(report_css()) if standalone else ""  # our own stylesheet
    context["css_url"] = css_url
    context["downloads"] = downloads or []
    context["replay_url"] = replay_url
    context["edit_url"] = edit_url
    return render_to_string("reports/report.html", context)


def data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


BOLD = re.compile(r"\*\*(.+?)\*\*")


def paragraphs(text: str) -> list[str]:
    """Scenario prose (light Markdown: blank-line paragraphs, **bold**) as safe HTML blocks."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text or "") if block.strip()]
    return [
        mark_safe(BOLD.sub(r"<strong>\1</strong>", escape(" ".join(block.split()))))
        for block in blocks
    ]
