"""Agreements and outcomes: their kinds (no I/O; money is in ``domain.money``)."""

from __future__ import annotations

from enum import StrEnum


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
