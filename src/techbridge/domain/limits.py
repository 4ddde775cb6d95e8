"""How long each text may be: one set of limits for the API schemas, the web forms, the CLI and imports.

The limits stay within the storage columns (``String(n)`` in ``storage/tables.py``) and bound the
free texts (``Text`` columns), so that no reader has to download a 20 MB description.
``docs/security.md`` lists them. ``ImportLimits`` bounds the size of an import file (rows, columns,
cells, characters per cell), counted as the file is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

KEY = 200
NAME = 300
PERSON_NAME = 200
TITLE = 2000
NOTE = 4000
TEXT = 20_000
SHORT = 300
CODE = 50
#: A password chosen by its user (a change, or one the operator sets): at least this many characters,
#: at most ``PASSWORD_MAX`` (the sign-in form's limit).
PASSWORD_MIN = 12
PASSWORD_MAX = 200
#: Items of a list in a request (attendees, kinds, countries, roles, follow-ups).
ITEMS = 100

#: Characters per field name; a text field not listed gets ``TEXT``.
FIELD_LIMITS: dict[str, int] = {
    "key": KEY,
    "organization": KEY,
    "technology": KEY,
    "name": NAME,
    "name_en": NAME,
    "title": TITLE,
    "title_en": TITLE,
    "acronym": 100,
    "region": 100,
    "ministry": 200,
    "funder": 100,
    "business_number": 20,
    "email": 200,
    "field": SHORT,
    "target_industry": SHORT,
    "source": SHORT,
    "lang": 8,
    "application_number": 40,
    "registration_number": 40,
    "summary": NOTE,
    "message": NOTE,
    "codes": CODE,
    # lists of names: each item is an organisation's or a person's name (or key)
    "owners": NAME,
    "organizations": NAME,
    "participants": NAME,
    "inventors": PERSON_NAME,
    "people": PERSON_NAME,
}
#: Entities whose columns are narrower than the general limit of a field.
ENTITY_LIMITS: dict[tuple[str, str], int] = {
    ("person", "name"): PERSON_NAME,
    ("person", "name_en"): PERSON_NAME,
    ("program", "key"): 100,
    ("round", "key"): 100,
    ("program", "ministry"): 200,
}


def limit_of(field: str, entity: str = "") -> int:
    """Return how many characters the text ``field`` (of ``entity``) may hold."""
    return ENTITY_LIMITS.get((entity, field), FIELD_LIMITS.get(field, TEXT))


def length_problems(values: dict[str, Any], entity: str = "") -> list[str]:
    """Return ``field: reason`` for each text (or text in a list) longer than its limit."""
    problems = []
    for field, value in values.items():
        limit = limit_of(field, entity)
        texts: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
        longest = max((len(text) for text in texts if isinstance(text, str)), default=0)
        if longest > limit:
            problems.append(f"{field}: at most {limit:,} characters ({longest:,} given)")
    return problems


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How much of a file an import reads before it refuses the file (the ``import_max_*`` settings).

    Attributes:
        rows: records (non-blank rows or lines) in a file.
        columns: columns of a CSV or XLSX header, or distinct fields over a JSON Lines file.
        cells: values read in all (a row counts the cells it holds, blank or not).
        cell_chars: characters in one cell; 32,767 is what a spreadsheet cell holds.
    """

    rows: int = 200_000
    columns: int = 200
    cells: int = 5_000_000
    cell_chars: int = 32_767
