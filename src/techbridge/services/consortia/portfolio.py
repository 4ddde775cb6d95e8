"""A portfolio: the stored technologies in question, of some organisations, a consortium or a field.

Clusters and fusion discovery work on a portfolio. Organisations and a consortium's members
select the technologies they hold; a field keeps the ``limit`` technologies closest to its text.
Where the scope holds no technology at all (the demo database has projects and profiles only),
the records that mention the organisations (projects, profiles) stand in, and ``kind`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.matching.record import Record
from techbridge.matching.semantic import Encoder
from techbridge.services.access.consortium import ConsortiumAction, consortium_for
from techbridge.services.actor import Actor
from techbridge.services.consortia.competence import record_coverage
from techbridge.services.matching.records import load_records
from techbridge.storage.tables import Consortium, Technology


@dataclass(frozen=True, slots=True)
class PortfolioScope:
    """Whose technologies: some organisations, a stored consortium's members, and/or a field (text).

    Attributes:
        field: keep the ``limit`` technologies closest to this text.
    """

    organizations: tuple[str, ...] = ()
    consortium: str | None = None
    field: str | None = None
    limit: int = 300


@dataclass(frozen=True)
class Portfolio:
    """The records of a scope; ``kind`` is ``technologies`` or ``records`` (the stand-in)."""

    records: list[Record]
    kind: str
    organizations: tuple[str, ...]


def member_keys(consortium: Consortium) -> tuple[str, ...]:
    """Return the organisation keys of a stored consortium's members."""
    return tuple(m.organization.key for m in consortium.members)


def scoped_portfolio(session: Session, actor: Actor, scope: PortfolioScope, encoder: Encoder) -> Portfolio:
    """Return the portfolio of ``scope`` for an actor who may build (``access.consortium``).

    Raises:
        NotFoundError: no such consortium.
        InvalidError: the scope holds no record.
    """
    members: tuple[str, ...] = ()
    if scope.consortium:
        members = member_keys(consortium_for(session, actor, scope.consortium, ConsortiumAction.BUILD))
    return select_portfolio(
        session, (*scope.organizations, *members), scope.field, scope.limit, encoder=encoder
    )


def _technology_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Technology.key)))


def select_portfolio(
    session: Session,
    organizations: Sequence[str] = (),
    field: str | None = None,
    limit: int = 300,
    *,
    encoder: Encoder,
) -> Portfolio:
    """Return the records of ``organizations`` (all: none given), technologies first (module docstring).

    Raises:
        InvalidError: the scope holds no record at all.
    """
    orgs = tuple(dict.fromkeys(organizations))
    records = load_records(session)
    techs = _technology_ids(session)
    described = [r for r in records if len(f"{r.title}{r.text}".strip()) > 2]  # CORDIS rows carry no text
    scoped = [r for r in described if not orgs or set(r.organizations) & set(orgs)]
    chosen, kind = [r for r in scoped if r.id in techs], "technologies"
    if not chosen:
        chosen, kind = scoped, "records"
    if field and chosen:
        closeness = record_coverage(chosen, [field], encoder)[:, 0]
        order = np.lexsort((np.arange(len(chosen)), -closeness))[:limit]
        chosen = [chosen[i] for i in sorted(order) if closeness[i] > 0] or [chosen[i] for i in sorted(order)]
    if not chosen:
        raise InvalidError("no technology or record in this scope")
    return Portfolio(chosen[:limit], kind, orgs)
