"""Evaluating the matcher on a benchmark folder, as ``techbridge eval`` runs it.

A benchmark is files, not the database: the run needs only the settings (which encoder to use) and
the folder. Tuning may write the tuned fusion config next to the shipped ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from techbridge.config import Settings
from techbridge.matching.encoders import encoder_from
from techbridge.matching.engine import Matcher
from techbridge.matching.params import load_configs, save_configs
from techbridge.services.matching.evaluation import run_eval


@dataclass(frozen=True, slots=True)
class EvalRequest:
    """One evaluation run.

    Attributes:
        methods: the methods to score (``None``: every signal and the hybrid).
        tune: also fit the fusion weights on this bench (in-sample ``hybrid-tuned``).
        config: a fusion config JSON to evaluate instead of the shipped one.
        save: with ``tune``, write the configs with the tuned one here.
    """

    bench: Path
    methods: Sequence[str] | None = None
    tune: bool = False
    config: Path | None = None
    save: Path | None = None


@dataclass(frozen=True, slots=True)
class EvalResult:
    """The report (the README's shape), the tuned config if asked, and where it was saved."""

    report: dict[str, Any]
    tuned: dict[str, Any] | None = None
    saved: Path | None = None


def evaluate_bench(
    settings: Settings, request: EvalRequest, progress: Callable[[str, int, int], None] | None = None
) -> EvalResult:
    """Score the matching methods on a benchmark folder with the encoder ``settings.encoder`` names.

    Raises:
        InvalidError: the folder is not a benchmark.
    """
    configs = load_configs(request.config) if request.config else None
    # An encoder of its own, not the process's remembering one (core.models): a bench's texts are
    # each embedded once per run, and keeping all their vectors would only hold memory.
    matcher = Matcher(configs=configs, encoder=encoder_from(settings.encoder))
    report, tuned = run_eval(request.bench, request.methods, matcher, request.tune, progress)
    if tuned is None:
        return EvalResult(report)
    if request.save is not None:
        everything = {**load_configs(request.config), report["target"]: tuned}
        save_configs(everything, request.save, note=f"tuned on {report['bench']}")
    return EvalResult(report, tuned.to_dict(), request.save)
