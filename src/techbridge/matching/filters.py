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

    def record_mask(self, dates: Sequence[str], trls: Sequence[int | None]) -> NDArray[np.bool_]:
        """Return which records pass the date window and TRL rules (undated records pass dates)."""
        keep = np.ones(len(dates), dtype=bool)
        for row, (date, trl) in enumerate(zip(dates, trls, strict=True)):
            if date and self.date_from and date < self.date_from:
                keep[row] = False
            if date and self.date_to and date > self.date_to:
                keep[row] = False
            if self.min_trl is not None and (trl is None or trl < self.min_trl):
                keep[row] = False
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
