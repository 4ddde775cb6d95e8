"""The values the matching engine works on: searchable records and queries (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Record:
    """One searchable record (a patent, know-how, software or project) and who it belongs to.

    ``organizations`` and ``people`` are the stable keys of the organisations (owners,
    participants) and people (inventors, researchers) the record mentions; ``date`` is ISO
    ``YYYY-MM-DD`` or ``None``. ``profile`` marks a record that describes its organisations'
    work as a whole (an institute's published research fields) rather than one piece of it:
    aggregation lets it stand for a whole portfolio (``aggregate.aggregate``).
    """

    id: str
    title: str
    text: str
    lang: str | None = None
    codes: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    date: str | None = None
    trl: int | None = None
    profile: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A need to match: free text and codes, with the rules that bound what may be used.

    Only records dated strictly before ``date`` may be used; records in ``exclude`` never;
    organisations in ``organizations`` (the asking side) are never candidates.

    ``terms`` and ``vector`` are the text's analysed terms and embedding when they are known
    already (a stored need's, saved with the index: ``Matcher.query_features``); they must be
    what the matcher computes from ``text``, and the matcher computes them when they are None.
    They take no part in comparing queries.
    """

    id: str
    text: str
    codes: tuple[str, ...] = ()
    date: str | None = None
    organizations: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    terms: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    vector: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)
