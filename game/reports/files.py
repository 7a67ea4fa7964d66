"""A game's after-action products as downloadable files, one function per request.

The only module here that reads the database: it takes the game's `redlines.game/1` export
(game.services.export) and hands it to the pure report model and renderers.
"""

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from game.models import Game
from game.reports.model import REPORT_FORMAT, report_model
from game.services.export import game_export
from tabletop.cache import default_cache

FORMATS = ("json", "csv", "xlsx", "html", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
# Rendered files are cached per game state: a PDF takes seconds, and at the end of a
# workshop every player may download it at once. The key holds the log position and the
# review's last edit, so a new event or edit is a new key. Bump RENDER_VERSION when a
# renderer changes what it produces, so a shared (Redis) cache does not serve old files.
RENDER_VERSION = 3  # 3: a team's own rendering, without others' private chat
CACHE_SECONDS = 3600
CACHED_FORMATS = ("csv", "xlsx", "html", "pdf")
EXTENSIONS = {"json": "json", "csv": "zip", "xlsx": "xlsx", "html": "html", "pdf": "pdf"}


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    content_type: str
    filename: str
    # False while the scenario analysis is still being solved: the file says "not available
    # yet", so it is not cached (the next request has the section).
    complete: bool = True


def export_json(document: dict) -> bytes:
    return (
        json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False) + "\n"
    ).encode()


def document_report_file(*, document: dict, fmt: str, review: dict | None = None) -> ReportFile:
    """The file of format `fmt` for an export document (pure apart from the template)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format '{fmt}'; choose one of {', '.join(FORMATS)}.")
    code = document["game"]["code"]
    filename = f"redlines-{code}-report.{EXTENSIONS[fmt]}"
    if fmt == "json":
        return ReportFile(export_json(document), CONTENT_TYPES[fmt], f"redlines-{code}.json")
    model = report_model(document, review=review)
    complete = model["achievable_deal"]["status"] != "pending"
    if fmt == "html":
        from game.reports.html import render_report_html

        content = render_report_html(model, standalone=True).encode()
    elif fmt == "pdf":
        from game.reports.pdf import render_report_pdf

        content = render_report_pdf(model)
    else:
        from game.reports.tables import csv_bundle, report_tables, xlsx_workbook

        tables = report_tables(document, model)
        if fmt == "csv":
            content = csv_bundle(tables, code=code)
            filename = f"redlines-{code}-tables.zip"
        else:
            content = xlsx_workbook(tables)
            filename = f"redlines-{code}-tables.xlsx"
    return ReportFile(content, CONTENT_TYPES[fmt], filename, complete)


def review_for(*, game: Game, viewer: dict) -> dict | None:
    """The facilitator's review as `viewer` may have it: who saved it (a staff username)
    only for the facilitator; staff account details never reach players."""
    from game.services.reviews import review_get

    review = review_get(game=game)
    if review is not None and viewer["kind"] != "facilitator":
        review = {**review, "updated_by": None}
    return review


def render_key(*, game: Game, viewer: dict, review: dict | None, product: str) -> str:
    """The cache key of a rendering of the game for `viewer`: a new event or review edit is
    a new key. A team's rendering is its own (each team reads only its own private chat)."""
    return ":".join(
        [
            "report",
            REPORT_FORMAT,
            str(RENDER_VERSION),
            game.code,
            f"role:{viewer['role']}" if viewer.get("role") else viewer["kind"],
            str(game.last_seq),
            (review or {}).get("updated_at", ""),
            product,
        ]
    )


def cached_rendering(key: str, render):
    """render() -> (value, complete), kept under `key` for CACHE_SECONDS when complete."""
    cache = default_cache()
    cached = cache.get(key)
    if cached is not None:
        return cached
    value, complete = render()
    if complete:
        cache.set(key, value, CACHE_SECONDS)
    return value


def game_report_file(*, game: Game, fmt: str, viewer: dict | None = None) -> ReportFile:
    """The file as `viewer` may have it (default the facilitator): a player's export, and
    so its report, holds no facilitator note, no other team's private chat (unless revealed
    for the debrief) and no staff username (game.services.export)."""
    viewer = viewer or {"kind": "facilitator"}
    review = review_for(game=game, viewer=viewer)

    def render() -> ReportFile:
        document = game_export(game=game, viewer=viewer)
        return document_report_file(document=document, fmt=fmt, review=review)

    if fmt not in CACHED_FORMATS:
        return render()

    def render_tuple():
        report = render()
        return (report.content, report.content_type, report.filename), report.complete

    key = render_key(game=game, viewer=viewer, review=review, product=fmt)
    return ReportFile(*cached_rendering(key, render_tuple))


def _blank(value):
    return "" if value is None else value


def workshop_bundle(*, documents: list[dict], comparison: dict) -> bytes:
    """One zip for a workshop: per game its JSON export and CSV tables, and a comparison."""
    import io
    import zipfile

    from game.reports.tables import report_tables, write_csv, write_tables

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for document in documents:
            code = document["game"]["code"]
            bundle.writestr(f"{code}/export.json", export_json(document))
            tables = report_tables(document, report_model(document))
            write_tables(bundle, tables, folder=code, title=f"Red Lines game {code}")
        roles = [role["code"] for role in comparison["roles"]]
        header = [
            "game",
            "title",
            "status",
            "rounds",
            "coalition_final",
            *[f"final_{code}" for code in roles],
            "breaches",
            "commitments_kept",
            "commitments_broken",
            "red_lines_never_revealed",
            "cost_total",
            "fair_deal_coalition",
            "distance_fair_deal",
            "fair_deal_share",
            *[f"distance_fair_deal_{code}" for code in roles],
        ]
        rows = [
            [
                t["code"],
                t["title"],
                t["status"],
                t["rounds"],
                "" if t["coalition"] is None else t["coalition"],
                *["" if t["finals"].get(code) is None else t["finals"][code] for code in roles],
                t["breaches"],
                t["kept"],
                t["broken"],
                t["never_revealed"],
                t["cost"],
                _blank(t["fair_deal_coalition"]),
                _blank(t["distance_fair_deal"]),
                _blank(t["fair_deal_share"]),
                *[_blank(t["distance_fair_deal_roles"].get(code)) for code in roles],
            ]
            for t in comparison["tables"]
        ]
        write_csv(bundle, "comparison.csv", header, rows)
    return buffer.getvalue()
