"""The KIPRIS preset: patent lists crawled from KIPRIS, with Korean column names.

Columns (a search-engine type suffix such as ``NUMERIC`` may be glued on and is ignored):
``특허명`` title, ``IPC넘버`` codes, ``출원인`` applicants, ``출원번호`` application number (the key,
``KR`` + digits), ``출원날짜``, ``등록번호``, ``등록일자``, ``공개번호``, ``공개일자``, ``대리인`` (the
patent attorney: ignored), ``발명가`` inventors, ``설명`` abstract.

Applicants and inventors are joined by spaces; ``split_applicants`` documents how applicants are
told apart. An applicant that is an individual (a Korean personal name) is not stored as an
owner: organisations hold technologies, and such applicants are nearly always inventors too.
"""

from __future__ import annotations

import re
from typing import Any

from techbridge.domain.organization import OrganizationKind, guess_kind
from techbridge.domain.technology import TechnologyStatus, find_codes
from techbridge.services.ingest.mapping import (
    Column,
    Mapped,
    Record,
    drop_duplicates,
    inventor_ref,
    match_columns,
    parse_row,
)
from techbridge.services.ingest.reading import Table
from techbridge.services.ingest.values import parse_date, parse_text

COLUMNS = (
    Column("title", ("특허명",), required=True),
    Column("codes", ("ipc넘버", "ipc"), lambda value: find_codes(str(value))),
    Column("applicants", ("출원인",), parse_text),
    Column("application_number", ("출원번호",), required=True),
    Column("application_date", ("출원날짜", "출원일자"), parse_date),
    Column("registration_number", ("등록번호",)),
    Column("registration_date", ("등록일자",), parse_date),
    Column("publication_number", ("공개번호",)),
    Column("publication_date", ("공개일자",), parse_date),
    Column("inventors", ("발명가", "발명자"), lambda value: str(value).split()),
    Column("abstract", ("설명", "요약")),
)

# Tokens that end the name before them (인천대학교 산학협력단), tokens that start the name after them
# (재단법인 …), and legal forms that do either (에스엠티 주식회사 / 주식회사 에스엠티).
_SUFFIXES = {
    "산학협력단",
    "산학협력재단",
    "기술지주회사",
    "기술지주",
    "연구원",
    "연구소",
    "재단",
    "병원",
    "센터",
}
_PREFIXES = {"재단법인", "사단법인", "학교법인", "의료법인", "(재)", "(사)"}
_EITHER = {"주식회사", "(주)", "㈜", "유한회사", "(유)"}
_COMPLETE = (*_SUFFIXES, *_EITHER, "대학교", "대학", "공사", "공단", "학원", "회사", "광역시", "특별시", "청")
_SURNAMES = set(
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공"
    "현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호"
)
_PERSON = re.compile(r"[가-힣]{2,4}")


def split_applicants(text: str) -> list[str]:
    """Split KIPRIS applicants joined by spaces into one name per applicant.

    The heuristic, token by token: a suffix token (``산학협력단``, ``연구원``, ``재단`` …) joins the
    name before it; a prefix token (``재단법인`` …) joins the name after it; a legal form
    (``주식회사``, ``(주)`` …) joins the name before it unless that name is already complete
    (ends in a suffix, a legal form, ``대학교`` …), else the name after it; a run of Latin words
    is one name; any other token starts a new name.
    """
    names: list[str] = []
    prefix = ""
    for token in text.split():
        if names and not prefix and _joins_previous(names[-1], token):
            names[-1] += " " + token
        elif token in _PREFIXES or token in _EITHER:
            prefix += token + " "
        else:
            names.append(prefix + token)
            prefix = ""
    if prefix:
        names.append(prefix.strip())
    return names


def _joins_previous(previous: str, token: str) -> bool:
    if token in _SUFFIXES:
        return True
    if token in _EITHER:
        return not previous.endswith(_COMPLETE) and not any(form in previous for form in _EITHER)
    return _is_latin(previous) and _is_latin(token)


def _is_latin(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9.,&()'\-\s]+", text))


def is_individual(name: str) -> bool:
    """Return whether an applicant looks like a person: 2-4 Hangul syllables, a common surname first."""
    return (
        bool(_PERSON.fullmatch(name)) and name[0] in _SURNAMES and guess_kind(name) is OrganizationKind.OTHER
    )


def split_title(title: str) -> tuple[str, str | None]:
    """Split ``제목(ENGLISH TITLE)`` into the Korean title and the English one in the last parentheses."""
    title = title.strip()
    if not title.endswith(")"):
        return title, None
    depth = 0
    for index in range(len(title) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(title[index], 0)
        if depth == 0:
            inner, head = title[index + 1 : -1].strip(), title[:index].strip()
            if head and re.search(r"[A-Za-z]", inner) and not re.search(r"[가-힣]", inner):
                return head, inner
            return title, None
    return title, None


def map_kipris(table: Table) -> Mapped:
    """Map a KIPRIS patent list to technology records with applicants and inventors."""
    file = table.path.name
    headers = match_columns(table.columns, COLUMNS)
    mapped = Mapped()
    missing = [column.field for column in COLUMNS if column.required and column.field not in headers]
    mapped.problems += [f"{file}:1: {_KOREAN[name]}: required column missing" for name in missing]
    if missing:
        return mapped
    for row in table.rows:
        values, problems = parse_row(file, row.line, row.values, COLUMNS, headers)
        number = re.sub(r"[^0-9]", "", values.get("application_number", ""))
        if not problems and not number:
            problems.append(f"{file}:{row.line}: {headers['application_number']}: not an application number")
        mapped.problems += problems
        if not problems:
            mapped.records.append(Record("technology", row.line, f"KR{number}", _technology(number, values)))
    mapped.records, duplicates = drop_duplicates(file, mapped.records, headers["application_number"])
    mapped.problems += duplicates
    return mapped


_KOREAN = {"title": "특허명", "application_number": "출원번호"}


def _technology(number: str, values: dict[str, Any]) -> dict[str, Any]:
    title, title_en = split_title(values.pop("title"))
    applicants = split_applicants(values.pop("applicants", ""))
    owners = [
        {"name": name, "kind": guess_kind(name).value, "country": "KR"}
        for name in applicants
        if not is_individual(name)
    ]
    status = TechnologyStatus.FILED
    if values.get("publication_number"):
        status = TechnologyStatus.PUBLISHED
    if values.get("registration_number"):
        status = TechnologyStatus.REGISTERED
    values.pop("publication_number", None)
    return values | {
        "key": f"KR{number}",
        "application_number": number,
        "title": title,
        "title_en": title_en,
        "kind": "patent",
        "status": status.value,
        "lang": "ko",
        "source": "KIPRIS",
        "owners": owners,
        "inventors": [inventor_ref(name) for name in values.get("inventors", [])],
    }
