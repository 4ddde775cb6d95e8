"""Needs (company-proposed tasks) and commercialization proposals: statuses and visibility (no I/O)."""

from __future__ import annotations

from enum import StrEnum


class Visibility(StrEnum):
    """Who may read a need: its company and program managers only, or an anonymised summary too."""

    CONFIDENTIAL = "confidential"
    SUMMARY = "summary"


class ScreeningStatus(StrEnum):
    """The screening step of a call: every need or proposal starts as submitted."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
