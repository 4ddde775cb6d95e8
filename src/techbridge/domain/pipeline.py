"""The rules of a cooperation's moves through the pipeline, and what counts as stale (no I/O)."""

from __future__ import annotations

import datetime as dt

from techbridge.domain.cooperation import PIPELINE, Stage
from techbridge.errors import ConflictError, InvalidError

OPEN_STAGES = frozenset(PIPELINE) - {Stage.CLOSED}


def parse_stage(value: str) -> Stage:
    """Return the stage named ``value``.

    Raises:
        InvalidError: no stage has that name.
    """
    try:
        return Stage(value.strip().lower().replace("-", "_"))
    except ValueError as exc:
        raise InvalidError(f"unknown stage {value!r}; use one of {', '.join(Stage)}") from exc


def check_transition(current: Stage, target: Stage, reason: str | None, override: bool) -> bool:
    """Check a move from ``current`` to ``target``; return whether it needed a manager's override.

    The normal move is to the next stage. Dropping is allowed from any open stage, with a reason.
    Skipping stages or going back needs ``override`` and a reason.

    Raises:
        ConflictError: the move is not allowed (a closed or dropped cooperation, the same stage).
        InvalidError: a reason is missing where one is required.
    """
    if current not in OPEN_STAGES:
        raise ConflictError(f"the cooperation is {current}; it cannot move any more")
    if target == current:
        raise ConflictError(f"the cooperation is already {current}")
    if target == Stage.DROPPED:
        _require_reason(reason, "dropping a cooperation")
        return False
    if PIPELINE.index(target) == PIPELINE.index(current) + 1:
        return False
    if not override:
        raise ConflictError(
            f"cannot move from {current} to {target}: the next stage is "
            f"{PIPELINE[PIPELINE.index(current) + 1]} (a manager may override with a reason)"
        )
    _require_reason(reason, f"overriding the move from {current} to {target}")
    return True


def _require_reason(reason: str | None, what: str) -> None:
    if not reason or not reason.strip():
        raise InvalidError(f"{what} needs a reason")


def furthest_stage(stages: list[Stage]) -> Stage | None:
    """Return the furthest pipeline stage among ``stages`` (dropped is not a pipeline stage)."""
    reached = [stage for stage in stages if stage in PIPELINE]
    return max(reached, key=PIPELINE.index) if reached else None


def is_stale(stage: Stage, changed_at: dt.datetime, now: dt.datetime, after_days: int) -> bool:
    """Return whether an open cooperation has not moved for ``after_days`` days."""
    return stage in OPEN_STAGES and now - changed_at >= dt.timedelta(days=after_days)


def needs_reconfirmation(listed_on: dt.date, today: dt.date, expiry_days: int) -> bool:
    """Return whether a need listed (or last confirmed) on ``listed_on`` has expired."""
    return today - listed_on > dt.timedelta(days=expiry_days)
