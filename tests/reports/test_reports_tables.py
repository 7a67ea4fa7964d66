"""Spreadsheet tables: player text never becomes a live formula."""

import csv
import io
import zipfile

from openpyxl import load_workbook

from game.reports.tables import csv_bundle, xlsx_workbook

FORMULA = '=HYPERLINK("http://evil","x")'
TABLES = {"chat": (["text", "value"], [[FORMULA, -5], ["hello", 2.5]])}


def test_csv_defuses_formulas_but_keeps_numbers():
    bundle = zipfile.ZipFile(io.BytesIO(csv_bundle(TABLES, code="T")))
    rows = list(csv.reader(io.StringIO(bundle.read("T/chat.csv").decode("utf-8-sig"))))
    assert rows[1] == ["'" + FORMULA, "-5"]
    assert rows[2] == ["hello", "2.5"]


def test_xlsx_stores_text_as_text():
    sheet = load_workbook(io.BytesIO(xlsx_workbook(TABLES)))["chat"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == FORMULA
    assert sheet["B2"].value == -5 and sheet["B3"].value == 2.5
