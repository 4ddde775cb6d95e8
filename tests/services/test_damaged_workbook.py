"""Workbooks that lie about themselves (issue 19): a sheet XML cut short is refused with the tidy
message of any refused file (it raised a raw ``ParseError``) and nothing is written; a sheet whose
``<dimension>`` claims the whole grid is read as far as its cells go (read-only sheets padded every
row to the claim: a 4.8 KB file ran for minutes)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from techbridge.errors import ImportRejectedError
from techbridge.services.actor import operator
from techbridge.services.ingest.importing import ImportRequest, import_file
from techbridge.services.ingest.reading import read_table
from techbridge.storage.tables import Organization
from tests.factories import core_on

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(folder: Path, prefix: str) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "kind", "country"])
    for n in range(20):
        sheet.append([f"{prefix} {n}", "company", "KR"])
    path = folder / f"{prefix}.xlsx"
    book.save(path)
    return path


def _cut_short(whole: Path, folder: Path) -> Path:
    with zipfile.ZipFile(whole) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts[SHEET]
    path = folder / "damaged.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as damaged:
        for name, data in parts.items():
            damaged.writestr(name, data[: len(sheet) * 2 // 3] if name == SHEET else data)
    return path


def _organizations(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Organization)) or 0


def test_a_sheet_cut_short_is_refused_tidily_and_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    core = core_on(engine)
    # a sound workbook of the same shape imports: the damage below is the only difference
    import_file(core, operator("t"), ImportRequest("organization", _workbook(tmp_path, "기관")))
    assert _organizations(engine) == 20
    damaged = _cut_short(_workbook(tmp_path, "다른기관"), tmp_path)
    with pytest.raises(ImportRejectedError) as refused:
        import_file(core, operator("t"), ImportRequest("organization", damaged))
    assert str(refused.value).startswith("damaged.xlsx: the workbook is damaged")
    assert refused.value.problems[0].startswith("damaged.xlsx:1: -: the workbook is damaged")
    assert _organizations(engine) == 20


def test_a_sheet_claiming_the_whole_grid_is_read_as_far_as_its_cells_go(tmp_path: Path) -> None:
    whole = _workbook(tmp_path, "기관")
    with zipfile.ZipFile(whole) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts[SHEET].decode()
    claimed = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD30"/>', sheet)
    assert claimed != sheet
    path = tmp_path / "claims.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as lying:
        for name, data in parts.items():
            lying.writestr(name, claimed.encode() if name == SHEET else data)
    table = read_table(path)
    assert table.columns == ["name", "kind", "country"]  # not 16,384 columns, 16,381 of them empty
    assert len(table.rows) == 20
