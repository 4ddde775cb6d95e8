"""What fitting a matcher needs of every record, taken in one pass over them.

A saved index's records are read from disk (``record_file.RecordFile``) rather than held, so
``Matcher.fit`` reads each record once, here, instead of once per structure it builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from techbridge.matching.features import record_digest
from techbridge.matching.record import Record
from techbridge.matching.text import extract_codes


@dataclass(slots=True)
class Columns:
    """Per record, in order: its id, content digest, codes, date, TRL, people, orgs and profile flag.

    The codes are the given ones and those found in its text; an undated record's date is "".
    """

    ids: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    codes: list[tuple[str, ...]] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    trls: list[int | None] = field(default_factory=list)
    people: list[tuple[str, ...]] = field(default_factory=list)
    organizations: list[tuple[str, ...]] = field(default_factory=list)
    profiles: list[bool] = field(default_factory=list)

    @classmethod
    def of(cls, records: Sequence[Record]) -> Columns:
        """Return the columns of ``records`` (iterated once)."""
        out = cls()
        for r in records:
            out.ids.append(r.id)
            out.digests.append(record_digest(r))
            out.codes.append((*r.codes, *extract_codes(r.text)))
            out.dates.append(r.date or "")
            out.trls.append(r.trl)
            out.people.append(r.people)
            out.organizations.append(r.organizations)
            out.profiles.append(r.profile)
        return out
