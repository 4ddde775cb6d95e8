"""The database tables (SQLAlchemy 2 declarative models) of every techbridge entity.

Each entity that people import or refer to has a stable text ``key`` (unique) beside its integer
``id``: re-importing a file upserts on it. Money is stored as whole KRW (``BigInteger``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are fixed so migrations match on every database."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class Stamped:
    """Creation and update times kept by the database."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Organization(Stamped, Base):
    """A company, research institute, university, holding company, patent firm, investor or body."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("name_key", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    size_class: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2), default="")
    region: Mapped[str | None] = mapped_column(String(100))
    business_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))
    is_invented: Mapped[bool] = mapped_column(Boolean, default=False)


class Person(Stamped, Base):
    """A researcher, inventor or contact, with their affiliation."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), default="researcher")
    email: Mapped[str | None] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    organization: Mapped[Organization | None] = relationship()
    source: Mapped[str | None] = mapped_column(String(300))


class Technology(Stamped, Base):
    """A patent, piece of know-how or software that an organisation holds."""

    __tablename__ = "technologies"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="patent")
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    abstract_en: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    codes: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str | None] = mapped_column(String(16))
    trl: Mapped[int | None] = mapped_column(Integer)
    application_number: Mapped[str | None] = mapped_column(String(40))
    application_date: Mapped[dt.date | None] = mapped_column(Date)
    registration_number: Mapped[str | None] = mapped_column(String(40))
    registration_date: Mapped[dt.date | None] = mapped_column(Date)
    publication_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(300))
    # Loaded with the technologies (one IN query per relation and batch): every list shows them, and
    # loading them per row made a page of 100 cost 200 queries and an export of 100k, 200k (issue 6).
    owners: Mapped[list[Organization]] = relationship(
        secondary="technology_owners", order_by="Organization.id", lazy="selectin"
    )
    inventors: Mapped[list[Person]] = relationship(
        secondary="technology_inventors", order_by="Person.id", lazy="selectin"
    )


class TechnologyOwner(Base):
    """An organisation that holds (applied for) a technology."""

    __tablename__ = "technology_owners"

    technology_id: Mapped[int] = mapped_column(
        ForeignKey("technologies.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )


class TechnologyInventor(Base):
    """A person who invented or developed a technology."""

    __tablename__ = "technology_inventors"

    technology_id: Mapped[int] = mapped_column(
        ForeignKey("technologies.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class Project(Stamped, Base):
    """A past joint R&D project (e.g. an EU grant) and its participants: collaboration history."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    acronym: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(8))
    codes: Mapped[list[str]] = mapped_column(default=list)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    funder: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(300))
    participants: Mapped[list[ProjectParticipant]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectParticipant.organization_id"
    )


class ProjectParticipant(Base):
    """An organisation's part in a project: its role and contribution (EUR for EU grants)."""

    __tablename__ = "project_participants"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), default="participant")
    contribution: Mapped[float | None] = mapped_column()
    organization: Mapped[Organization] = relationship()


class Program(Stamped, Base):
    """A funding program, such as the 2021 mid-sized company – institute cooperation program."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    ministry: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))


class Round(Stamped, Base):
    """A call of a program: its dates and who may take part."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("program_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    opens_on: Mapped[dt.date | None] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    eligibility: Mapped[dict[str, Any]] = mapped_column(default=dict)
    program: Mapped[Program] = relationship()


class RoundParticipant(Base):
    """An organisation taking part in a round, with how many partners it can take on."""

    __tablename__ = "round_participants"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    capacity: Mapped[int | None] = mapped_column(Integer)


class Need(Stamped, Base):
    """A company's technology need (company-proposed task); confidential to the company by default."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    codes: Mapped[list[str]] = mapped_column(default=list)
    field: Mapped[str | None] = mapped_column(String(300))
    trl_target: Mapped[int | None] = mapped_column(Integer)
    budget_krw: Mapped[int | None] = mapped_column(BigInteger)
    visibility: Mapped[str] = mapped_column(String(16), default="confidential")
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    screening_reason: Mapped[str | None] = mapped_column(Text)
    listed_on: Mapped[dt.date | None] = mapped_column(Date)
    is_invented: Mapped[bool] = mapped_column(Boolean, default=False)
    organization: Mapped[Organization] = relationship()


class Proposal(Stamped, Base):
    """A commercialization task an institute proposes for its own technology."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    technology_id: Mapped[int | None] = mapped_column(ForeignKey("technologies.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    codes: Mapped[list[str]] = mapped_column(default=list)
    target_industry: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    screening_reason: Mapped[str | None] = mapped_column(Text)
    is_invented: Mapped[bool] = mapped_column(Boolean, default=False)
    organization: Mapped[Organization] = relationship()


class Match(Base):
    """A stored, explained pairing of a need or proposal with a target, as ranked at a moment."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_key: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column()
    method: Mapped[str] = mapped_column(String(32), default="hybrid")
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Cooperation(Stamped, Base):
    """The pipeline record of one pair or group working together."""

    __tablename__ = "cooperations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(24), default="matched")
    stage_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    dropped_reason: Mapped[str | None] = mapped_column(Text)
    is_invented: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The program it belongs to: its round's, or named when it was opened (a consortium's work).
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    #: The consortium whose work it is, where there is one.
    consortium_id: Mapped[int | None] = mapped_column(ForeignKey("consortia.id", ondelete="SET NULL"))
    #: When the work started (an agreement's or a project's start), if known.
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    members: Mapped[list[CooperationMember]] = relationship(
        cascade="all, delete-orphan", order_by="CooperationMember.organization_id"
    )


class CooperationMember(Base):
    """An organisation in a cooperation and the side it takes."""

    __tablename__ = "cooperation_members"

    cooperation_id: Mapped[int] = mapped_column(
        ForeignKey("cooperations.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))
    organization: Mapped[Organization] = relationship()


class Agreement(Stamped, Base):
    """A signed MOU, joint-research, licence or assignment agreement."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    cooperation_id: Mapped[int | None] = mapped_column(ForeignKey("cooperations.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    amount_krw: Mapped[int | None] = mapped_column(BigInteger)
    royalty_terms: Mapped[str | None] = mapped_column(Text)
    is_invented: Mapped[bool] = mapped_column(Boolean, default=False)
    parties: Mapped[list[Organization]] = relationship(
        secondary="agreement_parties", order_by="Organization.id"
    )


class AgreementParty(Base):
    """An organisation that signed an agreement."""

    __tablename__ = "agreement_parties"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )


class Consortium(Stamped, Base):
    """A lead organisation and participants covering a fusion technology field together."""

    __tablename__ = "consortia"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    field: Mapped[str | None] = mapped_column(Text)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(300))
    members: Mapped[list[ConsortiumMember]] = relationship(
        cascade="all, delete-orphan", order_by="ConsortiumMember.organization_id"
    )


class ConsortiumMember(Base):
    """An organisation in a consortium: ``lead`` (주관기관) or ``participant`` (참여기관)."""

    __tablename__ = "consortium_members"

    consortium_id: Mapped[int] = mapped_column(
        ForeignKey("consortia.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), default="participant")
    organization: Mapped[Organization] = relationship()


class Meeting(Stamped, Base):
    """A technology exchange meeting (기술교류회): where technologies are presented to companies."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    held_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(300))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    consortium_id: Mapped[int | None] = mapped_column(ForeignKey("consortia.id", ondelete="SET NULL"))
    attendees: Mapped[list[str]] = mapped_column(default=list)
    technology_keys: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[str | None] = mapped_column(Text)


class Outcome(Stamped, Base):
    """A recorded result: transfer, royalty, startup, investment, product, joint patent, fusion technology.

    One row is usually one event; a program's published totals (230 transfers to 2020) are one row
    with their ``quantity``, the ``program`` they belong to and their ``source``.
    """

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    amount_krw: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    cooperation_id: Mapped[int | None] = mapped_column(ForeignKey("cooperations.id", ondelete="SET NULL"))
    consortium_id: Mapped[int | None] = mapped_column(ForeignKey("consortia.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    technology_id: Mapped[int | None] = mapped_column(ForeignKey("technologies.id", ondelete="SET NULL"))
    is_invented: Mapped[bool] = mapped_column(Boolean, default=False)
    #: How many results the record stands for: 1 for one event, more for a total a program reported.
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The program whose results these are, for a total reported for a whole program.
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    #: Where the figure comes from (a press release, a report), for figures not recorded event by event.
    source: Mapped[str | None] = mapped_column(String(300))


class AuditEntry(Base):
    """Who changed what, and when: one row per change that matters."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
