"""Hard filters: rules a candidate must pass before it is scored at all.

Record rules (date window, minimum TRL) restrict which records may be used; organisation
rules (kind, country, region, size class) restrict which organisations may be ranked, using
the organisation facts the service passes in (key -> {"kind", "country", "region",
"size_class", ...}). An organisation with no facts fails any organisation rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Filters:
    """Hard filters; an empty tuple or ``None`` means "no rule"."""

    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    size_classes: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    min_trl: int | None = None

    def has_organization_rules(self) -> bool:
        """Return whether any rule is about organisations."""
        return bool(self.kinds or self.countries or self.regions or self.size_classes)

    def has_record_rules(self) -> bool:
        """Return whether any rule is about records (their date window or TRL)."""
        return bool(self.date_from or self.date_to or self.min_trl is not None)

    def record_mask(
        self, dates: Sequence[str] | NDArray[np.str_], trls: Sequence[int | None] | NDArray[np.float64]
    ) -> NDArray[np.bool_]:
        """Return which records pass the date window and TRL rules (undated records pass dates).

        Dates compare as ISO strings, so a partial date (``YYYY``, ``YYYY-MM``) sorts before
        every full date that starts with it; a record without a TRL fails a minimum TRL.
        """
        keep = np.ones(len(dates), dtype=bool)
        if self.date_from or self.date_to:
            texts = np.asarray(dates, dtype=np.str_)
            undated = texts == ""
            if self.date_from:
                keep &= undated | (texts >= self.date_from)
            if self.date_to:
                keep &= undated | (texts <= self.date_to)
        if self.min_trl is not None:
            levels = np.asarray(trls, dtype=np.float64)  # None becomes NaN, which fails >=
            keep &= levels >= self.min_trl
        return keep

    def organization_mask(
        self, ids: Sequence[str], facts: Mapping[str, Mapping[str, Any]]
    ) -> NDArray[np.bool_]:
        """Return which organisations pass the kind, country, region and size rules."""
        rules = {"kind": self.kinds, "country": self.countries, "region": self.regions}
        rules["size_class"] = self.size_classes
        keep = np.ones(len(ids), dtype=bool)
        for row, key in enumerate(ids):
            fact = facts.get(key, {})
            keep[row] = all(not allowed or fact.get(field) in allowed for field, allowed in rules.items())
        return keep
