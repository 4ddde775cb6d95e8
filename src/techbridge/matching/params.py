"""MatchConfig: the tuned fusion weights, aggregation and normalisation of one target kind.

The shipped defaults (``defaults.json`` beside this module) were fitted with
``techbridge eval --tune`` on the dev benchmarks; see ``docs/matching.md`` to refit them on
your own past matches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

SIGNALS: tuple[str, ...] = ("bm25", "dense", "codes", "ngram", "history", "prior", "recency", "profile")
ITEM_SIGNALS: tuple[str, ...] = ("bm25", "dense", "codes", "ngram")
LEXICAL_SIGNALS: tuple[str, ...] = ("bm25", "ngram")  # scaled by a query's lexical coverage


@dataclass(frozen=True)
class MatchConfig:
    """How one target kind's signals are combined."""

    weights: dict[str, float] = field(default_factory=lambda: {"bm25": 1.0, "dense": 1.0})
    top_n: int = 3
    decay: float = 1.0
    norm: str = "minmax"
    fusion: str = "linear"
    coverage_power: float = 0.0

    def query_weights(self, coverage: float) -> dict[str, float]:
        """Return the weights for one query: the lexical ones scaled by ``coverage ** coverage_power``.

        ``coverage`` is the share of the query's terms that occur in the index (``LexicalIndex.
        coverage``); with ``coverage_power`` 0 the weights are fixed, above 0 a query whose
        terms barely occur in the records' language (a cross-lingual need) relies on meaning.
        Both lexical views (``LEXICAL_SIGNALS``: words and character n-grams) are scaled.
        """
        if not self.coverage_power:
            return dict(self.weights)
        scale = max(0.0, min(1.0, coverage)) ** self.coverage_power
        return {n: w * scale if n in LEXICAL_SIGNALS else w for n, w in self.weights.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchConfig:
        """Build a config from JSON data, ignoring unknown keys."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "weights" in known:
            known["weights"] = {str(k): float(v) for k, v in known["weights"].items()}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        """Return the config as JSON-ready data."""
        return asdict(self)


def load_configs(path: Path | None = None) -> dict[str, MatchConfig]:
    """Load target kind -> MatchConfig from ``path`` or the shipped ``defaults.json``."""
    if path is None:
        text = resources.files("techbridge.matching").joinpath("defaults.json").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    data = json.loads(text)
    return {target: MatchConfig.from_dict(cfg) for target, cfg in data["targets"].items()}


def save_configs(configs: Mapping[str, MatchConfig], path: Path, note: str = "") -> None:
    """Write target kind -> MatchConfig as JSON (the ``defaults.json`` format)."""
    data = {"note": note, "targets": {t: c.to_dict() for t, c in sorted(configs.items())}}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
