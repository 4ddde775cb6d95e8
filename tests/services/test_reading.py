"""Reading CSV, XLSX and JSON Lines files with line numbers and encoding detection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from techbridge.errors import ImportRejectedError
from techbridge.services.ingest.reading import decode, detect_format, read_table


def test_csv_rows_keep_their_line_numbers_even_across_quoted_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text('name,kind\n"A\nB",company\n\nC,university\n', encoding="utf-8")
    table = read_table(path)
    assert table.columns == ["name", "kind"]
    assert [(row.line, row.values["name"]) for row in table.rows] == [(2, "A\nB"), (5, "C")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_korean_csv_is_decoded_whatever_its_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes("이름,종류\n(주)엘엠에스,기업\n한국기계연구원,출연연\n".encode(encoding))
    table = read_table(path)
    assert table.columns == ["이름", "종류"]
    assert table.rows[0].values == {"이름": "(주)엘엠에스", "종류": "기업"}


def test_binary_garbage_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ImportRejectedError, match="cannot decode") as caught:
        read_table(path)
    assert caught.value.problems[0].startswith("orgs.csv:1: -: cannot decode")


def test_decode_prefers_utf8_then_cp949() -> None:
    assert decode("엘엠에스".encode(), "x") == ("엘엠에스", "utf-8-sig")
    assert decode("엘엠에스".encode("cp949"), "x") == ("엘엠에스", "cp949")


def test_xlsx_rows_start_at_line_two_and_dates_become_dates(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["key", "title", "application_date"])
    sheet.append(["KR1", "필름", dt.datetime(2016, 10, 24)])
    sheet.append([None, None, None])
    sheet.append(["KR2", "센서", 20170102])
    book.save(tmp_path / "tech.xlsx")
    table = read_table(tmp_path / "tech.xlsx")
    assert [row.line for row in table.rows] == [2, 4]
    assert table.rows[0].values["application_date"] == dt.date(2016, 10, 24)


def test_a_csv_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orgs.xlsx"
    path.write_text("name,kind\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError, match="not an XLSX workbook"):
        read_table(path)


def test_jsonl_lists_every_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "orgs.jsonl"
    path.write_text('{"name": "A"}\n{broken\n\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ImportRejectedError) as caught:
        read_table(path)
    assert [p.split(": ")[0] for p in caught.value.problems] == ["orgs.jsonl:2", "orgs.jsonl:4"]


def test_format_comes_from_the_extension_or_the_option(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "a.CSV") == "csv"
    assert detect_format(tmp_path / "a.ndjson") == "jsonl"
    assert detect_format(tmp_path / "a.dat", "csv") == "csv"
    with pytest.raises(ImportRejectedError, match="cannot tell the format"):
        detect_format(tmp_path / "a.dat")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRejectedError, match="no such file"):
        read_table(tmp_path / "nope.csv")
