"""The pipeline of one cooperation: its stages and the order they come in (no I/O)."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """A cooperation's stage, in pipeline order (``dropped`` may follow any open stage)."""

    MATCHED = "matched"
    INTRODUCED = "introduced"
    JOINT_PLANNING = "joint_planning"
    AGREEMENT_SIGNED = "agreement_signed"
    RND_UNDER_WAY = "rnd_under_way"
    OUTCOMES = "outcomes"
    CLOSED = "closed"
    DROPPED = "dropped"


PIPELINE: tuple[Stage, ...] = (
    Stage.MATCHED,
    Stage.INTRODUCED,
    Stage.JOINT_PLANNING,
    Stage.AGREEMENT_SIGNED,
    Stage.RND_UNDER_WAY,
    Stage.OUTCOMES,
    Stage.CLOSED,
)


class MemberRole(StrEnum):
    """The side an organisation takes in a cooperation or consortium."""

    DEMAND = "demand"
    SUPPLY = "supply"
    LEAD = "lead"
    PARTICIPANT = "participant"
