"""Spreadsheet tables: player text never becomes a live formula."""

import io
import zipfile

from openpyxl import load_workbook

from game.reports.tables import csv_bundle, xlsx_workbook

TABLES = {"chat": (["text", "value"], [['=HYPERLINK("http://evil","x")', -5], ["hello", 2.5]])}


def test_csv_defuses_formulas_but_keeps_numbers():
    bundle = zipfile.ZipFile(io.BytesIO(csv_bundle(TABLES, code="T")))
    lines = bundle.read("T/chat.csv").decode("utf-8-sig").splitlines()
    assert lines[1] == '\'=HYPERLINK("http://evil","x"),-5'
    assert lines[2] == "hello,2.5"


def test_xlsx_stores_text_as_text():
    sheet = load_workbook(io.BytesIO(xlsx_workbook(TABLES)))["chat"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["B2"].value == -5 and sheet["B3"].value == 2.5
