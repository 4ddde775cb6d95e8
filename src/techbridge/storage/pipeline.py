"""The tables of program rounds and of the cooperation pipeline: round settings, candidates and where
their scores came from, pair rules and assignments, stage changes, joint plans with their budget and
investment lines, follow-up tasks and need reconfirmations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techbridge.storage.tables import Base, Stamped


class RoundSetting(Base):
    """How a round assigns partners: between 1 and ``max_partners`` per need."""

    __tablename__ = "round_settings"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    max_partners: Mapped[int] = mapped_column(Integer, default=1)


class RoundCandidate(Base):
    """A candidate partner for a need in a round, with its match quality (higher is better).

    ``explanation`` is why the matching engine scored the pair so (``matching.explain.Explanation``
    as JSON); None for scores a manager loaded.
    """

    __tablename__ = "round_candidates"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column()
    explanation: Mapped[dict[str, Any] | None] = mapped_column()


class RoundScoring(Base):
    """Where a round's candidate scores came from: the matching engine or a manager's file.

    For ``engine`` scores, ``index`` identifies the matching index that produced them (when it was
    written, its records and features), ``settings`` the ranking configuration, and ``scope`` a
    digest of the needs' texts and the participants scored (the scores are computed again when any
    of them changes).
    """

    __tablename__ = "round_scorings"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    index: Mapped[dict[str, Any] | None] = mapped_column()
    settings: Mapped[dict[str, Any] | None] = mapped_column()
    scope: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PairRule(Base):
    """A pair a manager has fixed (``lock``) or ruled out (``forbid``) for a round's assignment."""

    __tablename__ = "pair_rules"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    rule: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Assignment(Base):
    """A need–partner pair the last assignment run chose (``proposed``) or a manager ``accepted``."""

    __tablename__ = "assignments"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column()
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StageChange(Base):
    """One step of a cooperation through the pipeline: from where to where, who, when and why."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(24))
    to_stage: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class JointPlan(Stamped, Base):
    """A cooperation's joint R&D plan (공동기획): objectives, period, budgets and investment roadmap."""

    __tablename__ = "joint_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    objectives: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    is_invented: Mapped[bool] = mapped_column(Boolean, default=False)
    budget_lines: Mapped[list[PlanBudgetLine]] = relationship(
        cascade="all, delete-orphan", order_by="[PlanBudgetLine.year, PlanBudgetLine.organization_id]"
    )
    investment_lines: Mapped[list[InvestmentLine]] = relationship(
        cascade="all, delete-orphan", order_by="InvestmentLine.year"
    )


class PlanBudgetLine(Base):
    """The R&D budget one party brings to a joint plan in one year (KRW)."""

    __tablename__ = "plan_budget_lines"

    plan_id: Mapped[int] = mapped_column(ForeignKey("joint_plans.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_krw: Mapped[int] = mapped_column(BigInteger)


class InvestmentLine(Base):
    """The private investment a joint plan's company plans in one year (민간투자 로드맵, KRW)."""

    __tablename__ = "investment_lines"

    plan_id: Mapped[int] = mapped_column(ForeignKey("joint_plans.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_krw: Mapped[int] = mapped_column(BigInteger)


class Task(Stamped, Base):
    """A follow-up with an owner and a due date, e.g. from a technology exchange meeting."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    cooperation_id: Mapped[int | None] = mapped_column(ForeignKey("cooperations.id", ondelete="SET NULL"))


class NeedConfirmation(Base):
    """The last time a need's owner confirmed that the need is still current."""

    __tablename__ = "need_confirmations"

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True)
    confirmed_on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(200))
