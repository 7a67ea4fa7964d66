"""The game as spreadsheet tables: long tables per entity plus one wide row per role.

`report_tables(document, model)` returns {name: (header, rows)}; `csv_bundle` zips them as
UTF-8 CSV files (with a byte-order mark, so spreadsheet programs detect UTF-8) and
`xlsx_workbook` writes the same tables as sheets of one workbook. Times are ISO 8601 as
logged; lists are joined with spaces; event data stays JSON.
"""

import csv
import io
import json
import zipfile

from openpyxl.cell import WriteOnlyCell

from game.reports.timeline import withheld_chat

SCORE_COMPONENTS = (
    "cost",
    "red_line_penalty",
    "commitment_penalty",
    "national",
    "base",
    "adjustment",
    "score",
    "status_quo",
    "gain",
)

TABLE_NOTES = {
    "events": "every event of the log, in order; data as JSON",
    "reveals": "each red-line reveal: who was shown which red line, at which level",
    "offers": "every offer and its fate",
    "terms": "every term of every offer",
    "commitments": "every binding term checked at results: fulfilled or broken",
    "decisions": "round x role x lever: decided value, start value and pressure p",
    "scores": "round x role x component (empty: not recorded by this game's log)",
    "coalition": "round: alignment A, alignment points, effectiveness E, coalition score K",
    "pair_alignment": "round x pair of roles: alignment S",
    "spread": "round x lever: spread of pressure between its holders",
    "awareness": "round x red line x role: what the role knew when it decided",
    "chat": "every chat message this record holds (a player's: those it may read)",
    "improvement_plan": "issue, action, owner, due (the facilitator's plan, else derived issues)",
    "roles": "one row per role: finals, totals and each round's score (wide)",
}


def _codes(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    return str(value)


def _blank(value):
    return "" if value is None else value


def report_tables(document: dict, model: dict) -> dict[str, tuple[list[str], list[list]]]:
    scored = [r for r in model["rounds"] if r["scored"]]
    tables = {
        "events": (
            ["seq", "at", "round", "phase", "actor_kind", "actor_name", "kind", "audience", "data"],
            [
                [
                    e["seq"],
                    e.get("at", ""),
                    e.get("round", ""),
                    e.get("phase", ""),
                    (e.get("actor") or {}).get("kind", ""),
                    (e.get("actor") or {}).get("name", ""),
                    e["kind"],
                    _codes(e["audience"]),
                    json.dumps(e["data"], ensure_ascii=False, sort_keys=True),
                ]
                for e in document["events"]
            ],
        ),
        "reveals": (
            ["round", "phase", "red_line", "owner", "to", "level"],
            [
                [r["round"], r["phase"], r["red_line"], r["owner"], _codes(r["to"]), r["level"]]
                for round_ in model["rounds"]
                for r in round_["reveals"]
            ],
        ),
        "offers": (
            [
                "offer",
                "round",
                "proposer",
                "to",
                "status",
                "accepted_by",
                "rejected_by",
                "counter_of",
                "accepted_round",
                "note",
            ],
            [
                [
                    o["id"],
                    o["round"],
                    o["proposer"],
                    _codes(o["to"]),
                    o["status"],
                    _codes(o["accepted_by"]),
                    _codes(o["rejected_by"]),
                    _blank(o["counter_of"]),
                    _blank(o["accepted_round"]),
                    _blank(o["note"]),
                ]
                for round_ in model["rounds"]
                for o in round_["offers"]
            ],
        ),
        "terms": (
            ["offer", "term_index", "by", "lever", "op", "value", "duration", "offer_status"],
            [
                [o["id"], i, t["by"], t["lever"], t["op"], t["value"], t["duration"], o["status"]]
                for round_ in model["rounds"]
                for o in round_["offers"]
                for i, t in enumerate(o["terms"])
            ],
        ),
        "commitments": (
            [
                "round",
                "offer",
                "term_index",
                "by",
                "lever",
                "op",
                "value",
                "duration",
                "decided",
                "status",
                "penalty",
                "parties",
            ],
            [
                [
                    c["round"],
                    c["offer"],
                    c["term_index"],
                    c["by"],
                    c["lever"],
                    c["op"],
                    c["value"],
                    c["duration"],
                    c["decided"],
                    c["status"],
                    c["penalty"],
                    _codes(c["parties"]),
                ]
                for c in model["commitments"]
            ],
        ),
        "decisions": (
            ["round", "role", "lever", "value", "start", "pressure"],
            [
                [r["round"], code, row["lever"], value, row["start"][code], row["pressures"][code]]
                for r in scored
                for code in model["role_order"]
                for row in r["decisions"]
                for value in [row["values"].get(code)]
                if value is not None
            ],
        ),
        "scores": (
            ["round", "role", "component", "value"],
            [
                [r["round"], row["role"], component, _blank(row[component])]
                for r in scored
                for row in r["scores"]
                for component in SCORE_COMPONENTS
            ],
        ),
        "coalition": (
            ["round", "weight", "alignment", "alignment_points", "effectiveness", "coalition"],
            [
                [
                    r["round"],
                    r["weight"],
                    r["metrics"]["alignment"],
                    r["metrics"]["alignment_points"],
                    r["metrics"]["effectiveness"],
                    r["metrics"]["coalition"],
                ]
                for r in scored
            ],
        ),
        "pair_alignment": (
            ["round", "role_a", "role_b", "alignment"],
            [
                [r["round"], *p["roles"], p["alignment"]]
                for r in scored
                for p in r["metrics"]["pairs"]
            ],
        ),
        "spread": (
            ["round", "lever", "spread"],
            [
                [r["round"], key, value]
                for r in scored
                for key, value in r["metrics"]["spread"].items()
            ],
        ),
        "awareness": (
            ["round", "red_line", "owner", "role", "level"],
            [
                [a["round"], a["red_line"], a["owner"], a["role"], a["level"]]
                for a in model["awareness"]["rows"]
            ],
        ),
        "chat": (
            ["seq", "at", "round", "phase", "from", "channel", "audience", "text"],
            [
                [
                    e["seq"],
                    e.get("at", ""),
                    e["data"].get("round", ""),
                    e["data"].get("phase", ""),
                    e["data"]["from"],
                    _codes(e["data"]["channel"]),
                    _codes(e["data"]["audience"]),
                    e["data"]["text"],
                ]
                for e in document["events"]
                if e["kind"] == "chat_posted" and not withheld_chat(e)
            ],
        ),
        "improvement_plan": (
            ["issue", "action", "owner", "due"],
            [
                [row["issue"], row["action"], row["owner"], row["due"]]
                for row in model["improvement_plan"]
            ],
        ),
        "roles": _wide_roles(model, scored),
    }
    return tables


def _wide_roles(model: dict, scored: list[dict]) -> tuple[list[str], list[list]]:
    per_round = [f"{name}_r{r['round']}" for r in scored for name in ("score", "national")]
    header = [
        "role",
        "name",
        "weight",
        "players",
        "final",
        "coalition_final",
        "gain",
        "cost_total",
        "red_line_penalty_total",
        "commitment_penalty_total",
        "breaches",
        "commitments_kept",
        "commitments_broken",
        *per_round,
    ]
    final = model["final"] or {"roles": {}, "coalition": None}
    rows = []
    for role in model["roles"]:
        code, totals = role["code"], model["totals"][role["code"]]
        cells = []
        for r in scored:
            row = next(s for s in r["scores"] if s["role"] == code)
            cells += [row["score"], row["national"]]
        rows.append(
            [
                code,
                role["name"],
                role["weight"],
                "; ".join(role["players"]),
                _blank(final["roles"].get(code)),
                _blank(final["coalition"]),
                _blank(totals["gain"]),
                totals["cost"],
                totals["red_line_penalty"],
                totals["commitment_penalty"],
                totals["breaches"],
                totals["fulfilled"],
                totals["broken"],
                *cells,
            ]
        )
    return header, rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(value):
    """Player text that a spreadsheet would run as a formula ("=HYPERLINK(...)" in a chat
    message) gets a leading apostrophe, the usual CSV-injection guard; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_text(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([defused(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_bundle(tables: dict, *, code: str) -> bytes:
    """A zip of one CSV per table under `<code>/`, and a README naming each table."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        write_tables(bundle, tables, folder=code, title=f"Red Lines game {code}")
    return buffer.getvalue()


def write_tables(bundle: zipfile.ZipFile, tables: dict, *, folder: str, title: str) -> None:
    readme = [f"{title}: tables (UTF-8 CSV, header row, ISO 8601 times)", ""]
    for name, (header, rows) in tables.items():
        write_csv(bundle, f"{folder}/{name}.csv", header, rows)
        readme.append(f"{name}.csv — {TABLE_NOTES.get(name, '')}")
    bundle.writestr(f"{folder}/README.txt", "\n".join(readme) + "\n")


def write_csv(bundle: zipfile.ZipFile, path: str, header: list[str], rows: list[list]) -> None:
    bundle.writestr(path, ("\ufeff" + _csv_text(header, rows)).encode())


def xlsx_workbook(tables: dict) -> bytes:
    """The same tables as sheets of one workbook (openpyxl, write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, (header, rows) in tables.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.freeze_panes = "A2"
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    """Text is stored as text: openpyxl would otherwise write "=..." as a live formula."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        cell.value, cell.data_type = value, "s"
        return cell
    return value
