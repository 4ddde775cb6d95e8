"""The benchmark preset: a folder in the format of ``shared/data/README.md``, imported whole.

``organizations.jsonl`` (``id,name,kind,country``) gives organisations keyed by ``id``;
``people.jsonl`` (``id,name``) people keyed by ``id``; ``items.jsonl`` the searchable records.
Which entity an item becomes follows ``bench.json``'s ``target``: a bench that ranks
organisations (``organization``) holds projects, so items become projects whose participants are
the item's ``organizations``; any other bench (``person``, ``item``) holds technologies, whose
owners are the item's ``organizations`` and inventors its ``people``. ``date`` is a project's start
or a technology's application date. ``queries.jsonl`` and ``qrels.tsv`` are not imported: a need
must belong to a company, and queries have none.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from techbridge.domain.limits import ImportLimits
from techbridge.errors import ImportRejectedError
from techbridge.services.ingest.kipris import split_title
from techbridge.services.ingest.mapping import (
    Column,
    Mapped,
    Record,
    drop_duplicates,
    map_entity,
    match_columns,
    parse_row,
)
from techbridge.services.ingest.reading import Table, read_table
from techbridge.services.ingest.values import parse_codes, parse_date, parse_list

ITEM_COLUMNS = (
    Column("key", ("id",), required=True),
    Column("title"),
    Column("text"),
    Column("lang"),
    Column("codes", (), parse_codes),
    Column("organizations", (), parse_list),
    Column("people", (), parse_list),
    Column("date", (), parse_date),
)
_FILES = ("organizations.jsonl", "people.jsonl", "items.jsonl")


def read_bench(folder: Path, limits: ImportLimits | None = None) -> tuple[dict[str, Any], list[Table]]:
    """Return a benchmark folder's ``bench.json`` and its organisation, people and item tables.

    Raises:
        ImportRejectedError: the folder or one of its files is missing or malformed.
    """
    described = folder / "bench.json"
    if not described.is_file():
        raise ImportRejectedError(
            f"{folder}: not a benchmark folder", [f"{folder.name}/bench.json:0: -: no such file"]
        )
    try:
        bench = json.loads(described.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportRejectedError(f"{described}: not JSON", [f"bench.json:1: -: not JSON: {exc}"]) from exc
    tables = [read_table(folder / name, "jsonl", limits) for name in _FILES if (folder / name).is_file()]
    return bench, tables


def map_bench(bench: dict[str, Any], tables: list[Table]) -> Mapped:
    """Map a benchmark's tables to organisation, person and then technology or project records."""
    mapped = Mapped()
    for table in tables:
        part = _map_table(bench, table)
        mapped.records += [replace(record, file=table.path.name) for record in part.records]
        mapped.problems += part.problems
    return mapped


def _map_table(bench: dict[str, Any], table: Table) -> Mapped:
    if not table.rows:
        return Mapped()
    if table.path.name == "organizations.jsonl":
        return map_entity(table, "organization")
    if table.path.name == "people.jsonl":
        return map_entity(table, "person")
    entity = "project" if bench.get("target") == "organization" else "technology"
    file, mapped = table.path.name, Mapped()
    headers = match_columns(table.columns, ITEM_COLUMNS)
    if "key" not in headers:
        mapped.problems.append(f"{file}:1: id: required column missing")
        return mapped
    for row in table.rows:
        values, problems = parse_row(file, row.line, row.values, ITEM_COLUMNS, headers)
        mapped.problems += problems
        if not problems:
            shape = _project if entity == "project" else _technology
            mapped.records.append(Record(entity, row.line, values["key"], shape(bench, values)))
    mapped.records, duplicates = drop_duplicates(file, mapped.records, "id")
    mapped.problems += duplicates
    return mapped


def _project(bench: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    key: str = values["key"]
    return {
        "key": key,
        "title": values.get("title", ""),
        "abstract": values.get("text", ""),
        "lang": values.get("lang"),
        "codes": values.get("codes", []),
        "start_date": values.get("date"),
        "funder": "Horizon 2020" if key.startswith("H2020-") else None,
        "source": bench.get("name"),
        "participants": [{"organization": {"key": ref}} for ref in values.get("organizations", [])],
    }


def _technology(bench: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    key: str = values["key"]
    title, title_en = split_title(values.get("title", ""))
    is_patent = key[:2].isalpha() and key[2:].isdigit()
    return {
        "key": key,
        "title": title,
        "title_en": title_en,
        "abstract": values.get("text", ""),
        "lang": values.get("lang"),
        "codes": values.get("codes", []),
        "kind": "patent" if is_patent else "know_how",
        "application_number": key[2:] if is_patent else None,
        "application_date": values.get("date"),
        "source": bench.get("name"),
        "owners": [{"key": ref} for ref in values.get("organizations", [])],
        "inventors": [{"key": ref} for ref in values.get("people", [])],
    }
