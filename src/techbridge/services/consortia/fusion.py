"""Fusion technology discovery: rank complementary technology pairs, and record a discovered one.

The portfolio (``services/portfolio.py``) is a field's, some organisations' or a consortium's
technologies; pairs are scored by ``domain/complement.py``. A discovered fusion technology is
stored as an ``Outcome`` of kind ``fusion_technology`` (counted with the other outcomes), keyed
``fusion:<a>+<b>`` with the two technologies in its description, attached to the first
technology and its first owner (and to a consortium when named).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.complement import Fusion, rank_fusions, rank_groups, subclasses
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.matching.record import Record
from techbridge.matching.semantic import Encoder, UseEncoder, embed_texts
from techbridge.services.audit import record_change
from techbridge.services.consortia.competence import record_coverage, record_text
from techbridge.services.consortia.portfolio import select_portfolio
from techbridge.storage.tables import Consortium, Outcome, Technology

log = logging.getLogger(__name__)
KIND = "fusion_technology"
_PAIR = re.compile(r"\[([^\[\]]+?) \+ ([^\[\]]+)\]$")


def find_fusions(
    session: Session,
    need: str | None = None,
    organizations: Sequence[str] = (),
    consortium: str | None = None,
    k: int = 10,
    encoder: Encoder | None = None,
    limit: int = 200,
) -> dict[str, Any]:
    """Return the ``k`` most complementary pairs of technologies held by different owners.

    Also returns ``groups``: the best groups of three technologies of three owners.

    Args:
        need: the field or need the combination should serve (ranks and bounds the portfolio).
        organizations: only technologies of these organisations (e.g. a consortium's members).
        consortium: the key of a stored consortium whose members' technologies are used.
        limit: at most this many technologies (the closest to the need) are paired.
    """
    encoder = encoder or UseEncoder()
    portfolio = select_portfolio(session, organizations, consortium, need, limit, encoder)
    records = portfolio.records
    vectors = embed_texts(encoder, [record_text(r) for r in records]).astype(np.float64)
    closeness = record_coverage(records, [need], encoder)[:, 0] if need else None
    owners = [r.organizations for r in records]
    codes = [r.codes for r in records]
    fusions = rank_fusions(vectors, codes, owners, closeness, k)
    groups = rank_groups(vectors, codes, owners, closeness, max(1, k // 2))
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


def record_fusion(
    session: Session,
    a: str,
    b: str,
    actor: str,
    description: str = "",
    consortium: str | None = None,
    occurred_on: dt.date | None = None,
) -> Outcome:
    """Store the fusion of technologies ``a`` and ``b`` as a discovered fusion technology.

    Raises:
        NotFoundError: a technology or the consortium does not exist.
        ConflictError: this fusion is already recorded.
        InvalidError: ``a`` and ``b`` are the same technology.
    """
    if a == b:
        raise InvalidError(f"a fusion joins two different technologies, not {a!r} with itself")
    techs = {t.key: t for t in session.scalars(select(Technology).where(Technology.key.in_([a, b])))}
    missing = [key for key in (a, b) if key not in techs]
    if missing:
        raise NotFoundError("no such technology: " + ", ".join(missing))
    key = fusion_key(a, b)
    if session.scalar(select(Outcome).where(Outcome.key == key)) is not None:
        raise ConflictError(f"fusion {key} is already recorded")
    consortium_id = _consortium_id(session, consortium)
    text = description or f"{techs[a].title} + {techs[b].title}"
    outcome = Outcome(
        key=key, kind=KIND, occurred_on=occurred_on or dt.date.today(), description=f"{text} [{a} + {b}]",
        technology_id=techs[a].id, consortium_id=consortium_id, organization_id=_holder(techs[a]),
    )  # fmt: skip
    session.add(outcome)
    session.flush()
    record_change(session, actor, "create", "outcome", key, {"kind": KIND, "technologies": [a, b]})
    log.info("recorded fusion technology %s", key)
    return outcome


def list_fusions(session: Session) -> list[dict[str, Any]]:
    """Return the recorded fusion technologies, oldest first: the two technologies, when, what for."""
    query = (
        select(Outcome, Consortium.key)
        .outerjoin(Consortium, Outcome.consortium_id == Consortium.id)
        .where(Outcome.kind == KIND)
        .order_by(Outcome.occurred_on, Outcome.key)
    )
    return [
        {
            "key": outcome.key,
            "technologies": _pair_of(outcome.description),
            "description": outcome.description,
            "occurred_on": outcome.occurred_on,
            "consortium": consortium,
        }
        for outcome, consortium in session.execute(query)
    ]


def _pair_of(description: str) -> list[str]:
    # ``record_fusion`` ends the description with ``[a + b]``; a fusion recorded as a plain outcome has none.
    found = _PAIR.search(description)
    return [found[1], found[2]] if found else []


def _holder(technology: Technology) -> int | None:
    return technology.owners[0].id if technology.owners else None


def _consortium_id(session: Session, key: str | None) -> int | None:
    if key is None:
        return None
    found = session.scalar(select(Consortium.id).where(Consortium.key == key))
    if found is None:
        raise NotFoundError(f"no consortium {key!r}")
    return int(found)
