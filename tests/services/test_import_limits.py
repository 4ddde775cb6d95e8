"""Limits on an import file's rows, columns, cells and cell length (issue 19): counted as the file is
read, CSV, XLSX and JSON Lines alike; the first row past a limit stops the reading and refuses the
file with the tidy message naming the limit and its setting, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from techbridge.config import Settings
from techbridge.domain.limits import ImportLimits
from techbridge.errors import ImportRejectedError
from techbridge.services.actor import operator
from techbridge.services.ingest.importing import ImportRequest, import_file
from techbridge.services.ingest.reading import read_table
from techbridge.storage.tables import Organization
from tests.factories import core_on

Rows = list[list[str]]


def _csv(folder: Path, rows: Rows) -> Path:
    path = folder / "orgs.csv"
    path.write_text("".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _xlsx(folder: Path, rows: Rows) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = folder / "orgs.xlsx"
    book.save(path)
    return path


def _jsonl(folder: Path, rows: Rows) -> Path:
    header, *records = rows
    path = folder / "orgs.jsonl"
    lines = [json.dumps(dict(zip(header, record, strict=True)), ensure_ascii=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


WRITERS: dict[str, Callable[[Path, Rows], Path]] = {"csv": _csv, "xlsx": _xlsx, "jsonl": _jsonl}
HEADER = ["name", "kind", "country"]


def _organizations(count: int) -> Rows:
    return [HEADER, *([f"기관 {n}", "company", "KR"] for n in range(count))]


def _refused(path: Path, limits: ImportLimits) -> ImportRejectedError:
    with pytest.raises(ImportRejectedError) as refused:
        read_table(path, limits=limits)
    return refused.value


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_file_at_the_row_limit_is_read_and_one_row_more_is_refused(tmp_path: Path, fmt: str) -> None:
    at_limit = WRITERS[fmt](tmp_path, _organizations(5))
    assert len(read_table(at_limit, limits=ImportLimits(rows=5)).rows) == 5
    past = WRITERS[fmt](tmp_path, _organizations(6))
    error = _refused(past, ImportLimits(rows=5))
    name = past.name
    assert error.args[0] == f"{name}: refused: more than 5 rows (the limit is import_max_rows)"
    first_line = 6 if fmt == "jsonl" else 7  # the sixth record: JSON Lines has no header line
    problem = f"{name}:{first_line}: -: more than 5 rows (the limit is import_max_rows)"
    assert list(error.problems) == [problem]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_too_many_columns_are_refused_before_any_row(tmp_path: Path, fmt: str) -> None:
    wide = [[*HEADER, *(f"extra{n}" for n in range(8))], ["기관", "company", "KR", *("x" * 8)]]
    path = WRITERS[fmt](tmp_path, wide)
    error = _refused(path, ImportLimits(columns=10))
    assert error.args[0] == f"{path.name}: refused: more than 10 columns (the limit is import_max_columns)"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_too_many_cells_are_refused(tmp_path: Path, fmt: str) -> None:
    path = WRITERS[fmt](tmp_path, _organizations(4))  # 12 cells
    assert len(read_table(path, limits=ImportLimits(cells=12)).rows) == 4
    error = _refused(path, ImportLimits(cells=11))
    assert error.args[0] == f"{path.name}: refused: more than 11 cells (the limit is import_max_cells)"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_cell_past_the_length_limit_is_refused(tmp_path: Path, fmt: str) -> None:
    rows = _organizations(3)
    rows[2][0] = "가" * 101
    path = WRITERS[fmt](tmp_path, rows)
    error = _refused(path, ImportLimits(cell_chars=100))
    message = "a cell of more than 100 characters (the limit is import_max_cell_chars)"
    assert error.args[0] == f"{path.name}: refused: {message}"
    assert error.problems[0].endswith(f": -: {message}")


def test_reading_stops_at_the_limit_whatever_follows(tmp_path: Path) -> None:
    """Lines past the limit are never read: their damage is not what the refusal names."""
    path = tmp_path / "orgs.jsonl"
    good = [json.dumps({"name": f"기관 {n}", "kind": "company"}) for n in range(3)]
    path.write_text("\n".join([*good, *["{not json"] * 1000]) + "\n", encoding="utf-8")
    error = _refused(path, ImportLimits(rows=2))
    assert list(error.problems) == ["orgs.jsonl:3: -: more than 2 rows (the limit is import_max_rows)"]


def test_the_default_limits_take_a_hundred_thousand_rows() -> None:
    limits = ImportLimits()
    assert limits.rows >= 100_000 and limits.cells >= 100_000 * 20 and limits.columns >= 100


def test_an_import_is_held_to_the_settings_and_writes_nothing_past_them(
    engine: Engine, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    core = core_on(engine, Settings(database_url=url, import_max_rows=3))
    with pytest.raises(ImportRejectedError, match=r"more than 3 rows \(the limit is import_max_rows\)"):
        import_file(core, operator("t"), ImportRequest("organization", _csv(tmp_path, _organizations(4))))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Organization)) == 0
    request = ImportRequest("organization", _csv(tmp_path, _organizations(3)))
    assert import_file(core, operator("t"), request).records == 3
