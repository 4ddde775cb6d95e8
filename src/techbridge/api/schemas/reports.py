"""Bodies of a program's report: KPIs overall and per round, pairs, agreements, outcomes."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict

from techbridge.api.schemas import ResponseModel
from techbridge.api.schemas.programs import KpisPublic


class PairRowPublic(ResponseModel):
    """One cooperation as the press release lists it: company × partners × field."""

    model_config = ConfigDict(from_attributes=True)
    cooperation: str
    company: str
    partners: str
    field: str
    stage: str
    is_invented: bool


class AgreementRowPublic(ResponseModel):
    """One signed agreement of a report."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    kind: str
    title: str
    parties: str
    signed_on: dt.date | None
    amount_krw: int | None
    royalty_terms: str | None
    is_invented: bool


class OutcomeRowPublic(ResponseModel):
    """One outcome of a report."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    kind: str
    occurred_on: dt.date
    cooperation: str
    amount_krw: int | None
    description: str
    is_invented: bool
    quantity: int
    source: str | None


class ReportPublic(ResponseModel):
    """A program's report: KPIs overall and per round, pairs, agreements, outcomes, figures by year."""

    model_config = ConfigDict(from_attributes=True)
    program: str
    name: str
    name_en: str | None
    ministry: str | None
    year: int | None
    kpis: KpisPublic
    rounds: list[tuple[str, str, KpisPublic]]
    pairs: list[PairRowPublic]
    agreements: list[AgreementRowPublic]
    outcomes: list[OutcomeRowPublic]
    by_year: dict[int, dict[str, int]]
    invented: int
