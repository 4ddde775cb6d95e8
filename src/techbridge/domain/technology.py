"""Technologies: patents, know-how and software, and their classification codes (no I/O)."""

from __future__ import annotations

import re
from enum import StrEnum


class TechnologyKind(StrEnum):
    """What a technology record is."""

    PATENT = "patent"
    KNOW_HOW = "know_how"
    SOFTWARE = "software"


class TechnologyStatus(StrEnum):
    """Where a patent or other technology stands."""

    FILED = "filed"
    PUBLISHED = "published"
    REGISTERED = "registered"
    EXPIRED = "expired"
    ABANDONED = "abandoned"
    AVAILABLE = "available"


# IPC/CPC: section letter, two-digit class, subclass letter, then an optional group "7/00".
IPC_PATTERN = re.compile(r"\b([A-H])\s?(\d{2})\s?([A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{1,6}))?\b")


def find_codes(text: str) -> list[str]:
    """Return the IPC/CPC codes in ``text`` in a canonical spelling (``G06T 7/00``), first seen first."""
    seen: dict[str, None] = {}
    for match in IPC_PATTERN.finditer(text):
        section, klass, subclass, group, subgroup = match.groups()
        code = f"{section}{klass}{subclass}"
        if group is not None:
            code += f" {int(group)}/{subgroup}"
        seen.setdefault(code, None)
    return list(seen)


def check_trl(value: int) -> int:
    """Return ``value`` if it is a technology readiness level (1-9).

    Raises:
        ValueError: it is not.
    """
    if not 1 <= value <= 9:
        raise ValueError(f"TRL must be between 1 and 9, not {value}")
    return value
