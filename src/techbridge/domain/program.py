"""Programs and rounds: who may take part in a round, and the order of its dates (no I/O)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from techbridge.domain.organization import parse_kind, parse_size_class
from techbridge.errors import InvalidError


@dataclass(frozen=True, slots=True)
class Eligibility:
    """A round's rules: which organisation kinds and company sizes may take part (empty: any)."""

    kinds: tuple[str, ...] = ()
    size_classes: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Eligibility:
        """Read the rules stored in ``Round.eligibility``, checking every name.

        Raises:
            InvalidError: a kind or size class that does not exist.
        """
        try:
            kinds = tuple(str(parse_kind(k)) for k in data.get("kinds", ()))
            sizes = tuple(str(parse_size_class(s)) for s in data.get("size_classes", ()))
        except ValueError as exc:
            raise InvalidError(f"wrong eligibility rule: {exc}") from exc
        return cls(kinds, sizes)

    def to_dict(self) -> dict[str, list[str]]:
        """Return the rules as stored in ``Round.eligibility``."""
        return {"kinds": list(self.kinds), "size_classes": list(self.size_classes)}

    def refusal(self, kind: str, size_class: str | None) -> str | None:
        """Return why an organisation of this kind and size may not take part, or None if it may."""
        if self.kinds and kind not in self.kinds:
            return f"kind {kind} is not among {', '.join(self.kinds)}"
        if kind == "company" and self.size_classes and size_class not in self.size_classes:
            return f"size class {size_class or 'unknown'} is not among {', '.join(self.size_classes)}"
        return None


def check_dates(opens_on: dt.date | None, closes_on: dt.date | None) -> None:
    """Refuse a round that closes before it opens.

    Raises:
        InvalidError: the dates are in the wrong order.
    """
    if opens_on and closes_on and closes_on < opens_on:
        raise InvalidError(f"a round cannot close ({closes_on}) before it opens ({opens_on})")


def check_capacity(capacity: int | None) -> None:
    """Refuse a negative capacity (None means: no limit).

    Raises:
        InvalidError: the capacity is negative.
    """
    if capacity is not None and capacity < 0:
        raise InvalidError(f"capacity must be zero or more, not {capacity}")
