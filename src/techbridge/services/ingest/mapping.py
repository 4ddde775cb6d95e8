"""Column mappings: which file columns feed which field of each entity, and how each cell is parsed.

The generic (``default``) mapping of an entity accepts the table's own column names and Korean
aliases, matched case-insensitively after stripping spaces and search-engine type suffixes
(``출원번호 NUMERIC`` → ``출원번호``). ``docs/import-formats.md`` lists every column; the presets for
KIPRIS patent lists, CORDIS participants and benchmark folders live in ``kipris``, ``cordis`` and
``bench``.

Each row becomes a ``Record``: its entity, its line, the key that must be unique within the file,
and typed values. References to other records are plain dicts, resolved when the import writes:
``{"key": k}`` must exist; ``{"name": n, ...}`` is found by name or created.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from techbridge.domain.limits import length_problems
from techbridge.domain.money import parse_krw
from techbridge.domain.need import Visibility
from techbridge.domain.organization import parse_kind, parse_size_class
from techbridge.domain.technology import TechnologyKind, TechnologyStatus
from techbridge.domain.text import normalise_field
from techbridge.errors import InvalidError
from techbridge.services.catalogue.organization import default_key
from techbridge.services.ingest.reading import Table
from techbridge.services.ingest.values import (
    is_blank,
    parse_codes,
    parse_country,
    parse_date,
    parse_flag,
    parse_list,
    parse_text,
    parse_trl,
)

ENTITIES = ("organization", "person", "technology", "need", "proposal", "project")
_TYPE_SUFFIX = re.compile(r"(?<![A-Za-z])\s*(TEXT|NGRAM|NUMERIC|DATETIME|KEYWORD|STORED|BOOLEAN)\s*$")


@dataclass(frozen=True, slots=True)
class Record:
    """One thing to write: its entity, source line, in-file identity, typed values and file name."""

    entity: str
    line: int
    key: str
    values: dict[str, Any]
    file: str = ""


@dataclass(frozen=True, slots=True)
class Column:
    """A field of an entity: the column names that feed it, how a cell is parsed, whether it must be there."""

    field: str
    aliases: tuple[str, ...] = ()
    parse: Callable[[Any], Any] = parse_text
    required: bool = False


@dataclass(slots=True)
class Mapped:
    """The records a file gives, and every problem found on the way (``file:line: column: reason``)."""

    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def column_name(header: str) -> str:
    """Return the name a header is matched on: type suffix stripped, spaces to ``_``, case-folded."""
    name = _TYPE_SUFFIX.sub("", header.strip()).strip(" ,")
    return re.sub(r"[\s\-]+", "_", name).casefold()


def _kind(value: Any) -> str:
    return parse_kind(str(value)).value


def _size(value: Any) -> str:
    return parse_size_class(str(value)).value


def _choice(kind: type[Any]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = parse_text(value).lower()
        if text not in kind._value2member_map_:
            raise ValueError(f"not one of {', '.join(kind._value2member_map_)}: {value!r}")
        return text

    return parse


_KEY = Column("key", ("id", "키", "관리번호"))
_CODES = Column("codes", ("분류", "분류코드", "ipc", "ipc넘버", "cpc", "classification"), parse_codes)
_SOURCE = Column("source", ("출처",))
# Demo and training data mark records made up to fill a round out (shown as invented everywhere).
_INVENTED = Column("is_invented", ("가상", "invented"), parse_flag)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "organization": (
        _KEY,
        Column(
            "name",
            ("이름", "기관명", "기업명", "회사명", "기관", "organisation", "organization"),
            required=True,
        ),
        Column("kind", ("종류", "유형", "기관유형", "type", "activitytype"), _kind, required=True),
        Column("country", ("국가", "국가코드"), parse_country),
        Column("region", ("지역", "소재지", "city")),
        Column("size_class", ("규모", "기업규모", "size"), _size),
        Column("business_number", ("사업자등록번호", "사업자번호")),
        Column("name_en", ("영문명", "영문기관명")),
        Column("description", ("설명", "소개")),
        _SOURCE,
        _INVENTED,
    ),
    "person": (
        _KEY,
        Column("name", ("이름", "성명"), required=True),
        Column("organization", ("소속", "소속기관", "기관명", "affiliation")),
        Column("role", ("역할",)),
        Column("email", ("이메일", "e_mail")),
        Column("name_en", ("영문명", "영문이름")),
        _SOURCE,
    ),
    "technology": (
        Column("key", ("id", "키", "관리번호", "기술번호"), required=True),
        Column("title", ("제목", "기술명", "특허명", "발명의_명칭"), required=True),
        Column("title_en", ("영문제목", "영문명")),
        Column("abstract", ("요약", "초록", "설명", "text")),
        Column("abstract_en", ("영문요약",)),
        Column("lang", ("언어",)),
        _CODES,
        Column("kind", ("종류", "유형"), _choice(TechnologyKind)),
        Column("status", ("상태",), _choice(TechnologyStatus)),
        Column("trl", ("기술성숙도",), parse_trl),
        Column("owners", ("보유기관", "출원인", "권리자", "organizations"), parse_list),
        Column("inventors", ("발명자", "발명가", "연구자", "people"), parse_list),
        Column("application_number", ("출원번호",)),
        Column("application_date", ("출원일", "출원일자", "출원날짜", "date"), parse_date),
        Column("registration_number", ("등록번호",)),
        Column("registration_date", ("등록일", "등록일자"), parse_date),
        Column("publication_date", ("공개일", "공개일자"), parse_date),
        _SOURCE,
    ),
    "need": (
        Column("key", ("id", "키", "과제번호", "수요번호"), required=True),
        Column("organization", ("기업", "기업명", "회사", "회사명", "company"), required=True),
        Column("title", ("제목", "과제명"), required=True),
        Column("description", ("설명", "내용")),
        _CODES,
        Column("field", ("분야", "기술분야")),
        Column("trl_target", ("목표_trl", "목표trl", "target_trl"), parse_trl),
        Column("budget_krw", ("예산", "사업비", "budget"), partial(parse_krw, what="budget")),
        Column("visibility", ("공개범위", "공개"), _choice(Visibility)),
        Column("listed_on", ("등록일", "접수일"), parse_date),
        _INVENTED,
    ),
    "proposal": (
        Column("key", ("id", "키", "과제번호"), required=True),
        Column("organization", ("기관", "기관명", "institute"), required=True),
        Column("title", ("제목", "과제명"), required=True),
        Column("description", ("설명", "내용")),
        _CODES,
        Column("technology", ("기술", "기술번호", "technology_key")),
        Column("target_industry", ("적용산업", "대상산업", "수요산업")),
        _INVENTED,
    ),
    "project": (
        Column("key", ("id", "키", "과제번호", "project_id"), required=True),
        Column("title", ("제목", "과제명"), required=True),
        Column("acronym", ("약칭",)),
        Column("abstract", ("요약", "초록", "설명", "text")),
        Column("lang", ("언어",)),
        _CODES,
        Column("start_date", ("시작일", "착수일", "date"), parse_date),
        Column("funder", ("지원기관", "전문기관")),
        Column("participants", ("참여기관", "organizations"), parse_list),
        _SOURCE,
    ),
}


def match_columns(headers: Iterable[str], columns: tuple[Column, ...]) -> dict[str, str]:
    """Return, for each field some header feeds, that header (the field's own name wins over an alias)."""
    by_name = {column_name(header): header for header in headers if column_name(header)}
    found: dict[str, str] = {}
    for column in columns:
        for name in (column.field, *column.aliases):
            if name.casefold() in by_name:
                found[column.field] = by_name[name.casefold()]
                break
    return found


def parse_row(
    file: str,
    line: int,
    cells: dict[str, Any],
    columns: tuple[Column, ...],
    headers: dict[str, str],
    entity: str = "",
) -> tuple[dict[str, Any], list[str]]:
    """Parse one row's cells into typed values; return them and the row's problems.

    Names and keys are normalised (``domain.text``) and every text is held to its limit
    (``domain.limits``).
    """
    values: dict[str, Any] = {}
    problems = []
    for column in columns:
        header = headers.get(column.field)
        raw = cells.get(header) if header else None
        # a cell of invisible characters only (a zero-width space) is blank once normalised
        if is_blank(raw) or is_blank(normalise_field(column.field, raw)):
            if column.required and header:
                problems.append(f"{file}:{line}: {header}: required value is empty")
            continue
        try:
            value = normalise_field(column.field, column.parse(raw))
        except (ValueError, InvalidError) as exc:
            problems.append(f"{file}:{line}: {header}: {exc}")
            continue
        if too_long := length_problems({column.field: value}, entity):
            problems.append(f"{file}:{line}: {header}: {too_long[0].partition(': ')[2]}")
        else:
            values[column.field] = value
    return values, problems


def map_entity(table: Table, entity: str) -> Mapped:
    """Map every row of ``table`` to records of ``entity`` with the generic mapping."""
    columns = COLUMNS[entity]
    file = table.path.name
    headers = match_columns(table.columns, columns)
    mapped = Mapped()
    for column in columns:
        if column.required and column.field not in headers:
            mapped.problems.append(f"{file}:1: {column.field}: required column missing")
    if mapped.problems:
        return mapped
    for row in table.rows:
        values, problems = parse_row(file, row.line, row.values, columns, headers, entity)
        mapped.problems.extend(problems)
        if not problems:
            mapped.records.append(Record(entity, row.line, _identity(entity, values), _shape(entity, values)))
    mapped.records, duplicates = drop_duplicates(file, mapped.records, headers.get("key", "key"))
    mapped.problems += duplicates
    return mapped


def drop_duplicates(file: str, records: list[Record], column: str = "key") -> tuple[list[Record], list[str]]:
    """Return ``records`` without exact repeats, and a problem for each key repeated with other values.

    Published lists repeat rows verbatim (the KIPRIS benchmark does); such a repeat is harmless and
    skipped. A key given twice with different values is ambiguous and refused, naming both lines.
    """
    first: dict[tuple[str, str], Record] = {}
    kept, problems = [], []
    for record in records:
        seen = first.setdefault((record.entity, record.key), record)
        if seen is record:
            kept.append(record)
        elif seen.values != record.values:
            problems.append(
                f"{file}:{record.line}: {column}: duplicate key {record.key!r} (also on line {seen.line})"
            )
    return kept, problems


def _identity(entity: str, values: dict[str, Any]) -> str:
    """The key a record must not share with another of the same file."""
    if values.get("key"):
        return str(values["key"])
    if entity == "organization":
        return default_key(values["name"], values.get("country", ""))
    return f"person:{values['name']}@{values.get('organization', '')}"


def _shape(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """Turn name lists into references to organisations and people."""
    if entity == "person" and values.get("organization"):
        values["organization"] = {"name": values["organization"], "anywhere": True}
    if entity == "technology":
        values["owners"] = [{"name": name, "anywhere": True} for name in values.get("owners", [])]
        values["inventors"] = [inventor_ref(name) for name in values.get("inventors", [])]
    if entity == "project":
        values["participants"] = [
            {"organization": {"name": name, "anywhere": True}} for name in values.get("participants", [])
        ]
    return values


def inventor_ref(name: str) -> dict[str, Any]:
    """Return a reference to an inventor known only by name: key ``inv:<name>``, as the benchmarks use."""
    name = " ".join(name.split())
    return {"key": f"inv:{name}", "name": name, "role": "inventor"}
