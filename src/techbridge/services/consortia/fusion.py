"""Fusion technology discovery: rank complementary technology pairs, and record a discovered one.

The portfolio (``services/consortia/portfolio.py``) is a field's, some organisations' or a
consortium's technologies; pairs are scored by ``domain/complement.py``. Searching is for everyone
signed in but plain viewers; recording, for administrators and program managers (a consortium's
program: its managers), as ``services/access/consortium.py`` decides; everyone signed in lists
recorded ones. A discovered fusion technology is stored as an ``Outcome`` of kind
``fusion_technology`` (counted with the other outcomes), keyed ``fusion:<a>+<b>`` with the two
technologies in its description, attached to the first technology and its first owner (and to a
consortium when named).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.complement import Fusion, rank_fusions, rank_groups, subclasses
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.matching.record import Record
from techbridge.matching.semantic import Encoder, embed_texts
from techbridge.services.access.consortium import (
    ConsortiumAction,
    consortium_for,
    require_building,
    require_storing,
)
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import check_request
from techbridge.services.consortia.competence import record_coverage, record_text
from techbridge.services.consortia.portfolio import PortfolioScope, scoped_portfolio
from techbridge.services.core import Core
from techbridge.storage.tables import Consortium, Outcome, Technology

log = logging.getLogger(__name__)
KIND = "fusion_technology"
_PAIR = re.compile(r"\[([^\[\]]+?) \+ ([^\[\]]+)\]$")


@dataclass(frozen=True, slots=True)
class FusionSearch:
    """Where to look for pairs: a field or need (text), organisations, a stored consortium's members.

    Attributes:
        k: how many pairs (and ``k // 2`` groups of three).
        limit: at most this many technologies (the closest to the need) are paired.
    """

    need: str | None = None
    organizations: tuple[str, ...] = ()
    consortium: str | None = None
    k: int = 10
    limit: int = 200


def find_fusions(core: Core, actor: Actor, request: FusionSearch) -> dict[str, Any]:
    """Return the ``k`` most complementary pairs of technologies held by different owners, explained.

    Also returns ``groups``: the best groups of three technologies of three owners.

    Raises:
        PermissionDeniedError: a viewer.
        NotFoundError: no such consortium.
        InvalidError: the scope holds no record.
    """
    require_building(actor, "search for fusion technologies")
    encoder = core.models.encoder()
    with core.reading() as session, core.models.working:
        return search_fusions(session, actor, request, encoder)


def search_fusions(session: Session, actor: Actor, request: FusionSearch, encoder: Encoder) -> dict[str, Any]:
    """Return ``find_fusions``'s answer within a unit of work (the actor may build)."""
    need = request.need
    scope = PortfolioScope(request.organizations, request.consortium, need, request.limit)
    portfolio = scoped_portfolio(session, actor, scope, encoder)
    records = portfolio.records
    vectors = embed_texts(encoder, [record_text(r) for r in records]).astype(np.float64)
    closeness = record_coverage(records, [need], encoder)[:, 0] if need else None
    owners = [r.organizations for r in records]
    codes = [r.codes for r in records]
    fusions = rank_fusions(vectors, codes, owners, closeness, request.k)
    groups = rank_groups(vectors, codes, owners, closeness, max(1, request.k // 2))
    return {
        "need": need,
        "portfolio": {
            "kind": portfolio.kind,
            "size": len(records),
            "organizations": list(portfolio.organizations),
        },
        "fusions": [_describe(records, f) for f in fusions],
        "groups": [
            {"score": score, "technologies": [_tech(records[i]) for i in members]}
            for members, score in groups
        ],
    }


def _describe(records: Sequence[Record], fusion: Fusion) -> dict[str, Any]:
    a, b = records[fusion.a], records[fusion.b]
    return {
        "key": fusion_key(a.id, b.id),
        "score": fusion.score,
        "technologies": [_tech(a), _tech(b)],
        "why": explain_fusion(a, b, fusion),
        "signals": {
            "semantic": round(fusion.semantic, 3),
            "shared_class": fusion.shared_class,
            "co_occurrence": round(fusion.co_occurrence, 3),
            "different": round(fusion.different, 3),
            "need": round(fusion.need, 3),
        },
    }


def _tech(record: Record) -> dict[str, Any]:
    return {
        "key": record.id,
        "title": record.title,
        "owners": list(record.organizations),
        "codes": list(record.codes),
    }


def explain_fusion(a: Record, b: Record, fusion: Fusion) -> str:
    """Return one sentence saying why ``a`` and ``b`` combine."""
    sa, sb = sorted(subclasses(a.codes)), sorted(subclasses(b.codes))
    related = [f"close in content ({fusion.semantic:.2f})"]
    if fusion.shared_class:
        related.append("share an IPC class")
    if fusion.co_occurrence > 0:
        related.append(f"their subclasses are filed together ({fusion.co_occurrence:.2f})")
    adds = f"{'/'.join(sa) or '?'} + {'/'.join(sb) or '?'}"
    return (
        f"Related: {', '.join(related)}. Adds: different owners ({', '.join(a.organizations)} | "
        f"{', '.join(b.organizations)}) and subclasses {adds} (difference {fusion.different:.2f})."
    )


def fusion_key(a: str, b: str) -> str:
    """Return the outcome key of the fusion of technologies ``a`` and ``b`` (order-free)."""
    first, second = sorted((a, b))
    return f"fusion:{first}+{second}"


@dataclass(frozen=True, slots=True)
class FusionRecord:
    """A discovered fusion of two stored technologies (keys), to record as an outcome."""

    first: str
    second: str
    description: str = ""
    consortium: str | None = None
    occurred_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class FusionView:
    """A recorded fusion technology: its key (``fusion:<a>+<b>``), the two technologies, when, what for."""

    key: str
    technologies: tuple[str, ...]
    description: str
    occurred_on: dt.date
    consortium: str | None


def record_fusion(core: Core, actor: Actor, request: FusionRecord) -> FusionView:
    """Store the fusion of two technologies as a discovered fusion technology (an outcome).

    Raises:
        PermissionDeniedError: not a program manager or administrator, or not a manager of the
            named consortium's program.
        NotFoundError: a technology or the consortium does not exist.
        ConflictError: this fusion is already recorded.
        InvalidError: the two are the same technology.
    """
    check_request(request)
    require_storing(actor, "fusion technologies")
    a, b = request.first, request.second
    if a == b:
        raise InvalidError(f"a fusion joins two different technologies, not {a!r} with itself")
    with core.writing() as session:
        consortium = None
        if request.consortium is not None:
            consortium = consortium_for(session, actor, request.consortium, ConsortiumAction.RECORD_FUSION)
        outcome = store_fusion(
            session,
            actor.name,
            a,
            b,
            request.description,
            consortium,
            request.occurred_on or core.clock().date(),
        )
        return _view(outcome, consortium.key if consortium else None)


def list_fusions(core: Core, actor: Actor) -> list[FusionView]:
    """Return the recorded fusion technologies, oldest first (everyone signed in reads them)."""
    query = (
        select(Outcome, Consortium.key)
        .outerjoin(Consortium, Outcome.consortium_id == Consortium.id)
        .where(Outcome.kind == KIND)
        .order_by(Outcome.occurred_on, Outcome.key)
    )
    with core.reading() as session:
        return [_view(outcome, consortium) for outcome, consortium in session.execute(query)]


def store_fusion(
    session: Session,
    actor: str,
    a: str,
    b: str,
    description: str,
    consortium: Consortium | None,
    occurred_on: dt.date,
) -> Outcome:
    """Store the fusion of technologies ``a`` and ``b`` within a unit of work (access decided).

    Raises:
        NotFoundError: a technology does not exist.
        ConflictError: this fusion is already recorded.
    """
    techs = {t.key: t for t in session.scalars(select(Technology).where(Technology.key.in_([a, b])))}
    missing = [key for key in (a, b) if key not in techs]
    if missing:
        raise NotFoundError("no such technology: " + ", ".join(missing))
    key = fusion_key(a, b)
    if session.scalar(select(Outcome.id).where(Outcome.key == key)) is not None:
        raise ConflictError(f"fusion {key} is already recorded")
    text = description or f"{techs[a].title} + {techs[b].title}"
    outcome = Outcome(
        key=key, kind=KIND, occurred_on=occurred_on, description=f"{text} [{a} + {b}]",
        technology_id=techs[a].id, consortium_id=consortium.id if consortium else None,
        organization_id=_holder(techs[a]),
    )  # fmt: skip
    session.add(outcome)
    session.flush()
    record_change(session, actor, "create", "outcome", key, {"kind": KIND, "technologies": [a, b]})
    log.info("recorded fusion technology %s", key)
    return outcome


def _view(outcome: Outcome, consortium: str | None) -> FusionView:
    pair = tuple(_pair_of(outcome.description))
    return FusionView(outcome.key, pair, outcome.description, outcome.occurred_on, consortium)


def _pair_of(description: str) -> list[str]:
    # ``record_fusion`` ends the description with ``[a + b]``; a fusion recorded as a plain outcome has none.
    found = _PAIR.search(description)
    return [found[1], found[2]] if found else []


def _holder(technology: Technology) -> int | None:
    return technology.owners[0].id if technology.owners else None
