"""Agreements and outcomes: their kinds, and money in KRW and 억원 (no I/O)."""

from __future__ import annotations

from enum import StrEnum

EOK = 100_000_000  # 1억원 = 100,000,000 KRW


class AgreementKind(StrEnum):
    """What a signed agreement is."""

    MOU = "mou"
    JOINT_RESEARCH = "joint_research"
    LICENSE = "license"
    ASSIGNMENT = "assignment"


class OutcomeKind(StrEnum):
    """What a cooperation or consortium achieved."""

    TECHNOLOGY_TRANSFER = "technology_transfer"
    ROYALTY = "royalty"
    STARTUP = "startup"
    INVESTMENT = "investment"
    PRODUCT = "product"
    JOINT_PATENT = "joint_patent"
    FUSION_TECHNOLOGY = "fusion_technology"
    RND_STRATEGY = "rnd_strategy"


def to_eok(krw: int) -> float:
    """Return ``krw`` in 억원 (hundreds of millions of won)."""
    return krw / EOK


def format_eok(krw: int) -> str:
    """Return ``krw`` as programs report money: ``700억원``, ``2.5억원``."""
    value = to_eok(krw)
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{text}억원"
