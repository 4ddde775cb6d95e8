"""Matches and their explanations: why a candidate was ranked where it was."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """One record that carried a target's score, with what it shared with the need."""

    id: str
    title: str
    terms: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    sentence_pair: tuple[str, str, float] | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """Each signal's share of the score and the records and terms behind it."""

    shares: dict[str, float]
    terms: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """A ranked candidate: total score, per-signal (weighted, normalised) scores, explanation."""

    target: str
    id: str
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    explanation: Explanation | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the match as plain JSON-ready data."""
        return asdict(self)


def signal_shares(parts: dict[str, float]) -> dict[str, float]:
    """Return each signal's share of the positive parts of a score (sums to 1 when any is positive)."""
    positive = {name: max(0.0, value) for name, value in parts.items()}
    total = sum(positive.values())
    return {name: round(value / total, 4) if total > 0 else 0.0 for name, value in sorted(positive.items())}


def build_explanation(parts: dict[str, float], evidence: list[Evidence]) -> Explanation:
    """Assemble an explanation from signal parts and evidence records."""
    terms = tuple(dict.fromkeys(t for e in evidence for t in e.terms))
    codes = tuple(dict.fromkeys(c for e in evidence for c in e.codes))
    return Explanation(signal_shares(parts), terms, codes, tuple(evidence))


def explanation_from_dict(data: dict[str, Any]) -> Explanation:
    """Return the explanation ``asdict`` made ``data`` of (as stored in JSON)."""
    evidence = tuple(
        Evidence(
            e["id"],
            e["title"],
            tuple(e.get("terms") or ()),
            tuple(e.get("codes") or ()),
            tuple(e["sentence_pair"]) if e.get("sentence_pair") else None,
        )
        for e in data.get("evidence") or ()
    )
    shares = {str(k): float(v) for k, v in (data.get("shares") or {}).items()}
    return Explanation(shares, tuple(data.get("terms") or ()), tuple(data.get("codes") or ()), evidence)


def sort_matches(matches: list[Match]) -> list[Match]:
    """Sort by (-score, id) so that equal scores come out in a stable order."""
    return sorted(matches, key=lambda m: (-m.score, m.id))
