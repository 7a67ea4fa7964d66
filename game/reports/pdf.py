"""The report as PDF: the standalone HTML page printed by WeasyPrint (A4, print CSS).

WeasyPrint lays the page out with the system's Pango; the stylesheet's @page rules give the
running header (scenario and game code), page numbers, and keep table rows and small tables
whole across page breaks.
"""

import logging

from game.reports.html import render_report_html

# WeasyPrint logs every layout step at INFO; a report is one line in our logs, not thirty.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_report_pdf(model: dict, *, charts: dict[str, str] | None = None) -> bytes:
    from weasyprint import HTML  # heavy import (Pango via cffi): only when a PDF is asked for

    html = render_report_html(model, standalone=True, charts=charts)
    return HTML(string=html, base_url=".").write_pdf()
