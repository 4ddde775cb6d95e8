"""Outcome records: transfers, royalties, startups, investment, products, joint patents, fusion tech."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from techbridge.domain.agreement import OutcomeKind
from techbridge.domain.cooperation import Stage
from techbridge.domain.money import check_krw
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import find_consortium, find_cooperation, find_organization
from techbridge.services.cooperations.pipeline import as_utc, move
from techbridge.storage.db import transaction
from techbridge.storage.tables import Outcome

# Kinds whose record is money: the amount is required.
MONEY_KINDS = frozenset({OutcomeKind.ROYALTY, OutcomeKind.INVESTMENT})


@dataclass(frozen=True, slots=True)
class OutcomeInput:
    """One outcome to record; an outcome belongs to a cooperation, a consortium or an organisation."""

    key: str
    kind: str
    occurred_on: dt.date
    amount_krw: int | None = None
    description: str = ""
    cooperation: str | None = None
    consortium: str | None = None
    organization: str | None = None
    is_invented: bool = False


def parse_outcome_kind(kind: str) -> OutcomeKind:
    """Return the outcome kind named ``kind``.

    Raises:
        InvalidError: no such kind.
    """
    try:
        return OutcomeKind(kind.strip().lower().replace("-", "_"))
    except ValueError as exc:
        raise InvalidError(f"unknown outcome kind {kind!r}; use one of {', '.join(OutcomeKind)}") from exc


def record_outcome(engine: Engine, actor: str, item: OutcomeInput) -> str:
    """Record an outcome; a cooperation under way moves to ``outcomes``. Return the cooperation's stage.

    Recording the same key again with the same content changes nothing.

    Raises:
        InvalidError: a missing or wrong amount, no owner, or a date before the cooperation's agreement.
        ConflictError: the key names a different outcome.
    """
    kind = parse_outcome_kind(item.kind)
    check_krw(item.amount_krw, f"{kind} amount")
    if kind in MONEY_KINDS and item.amount_krw is None:
        raise InvalidError(f"a {kind} outcome needs an amount in KRW")
    if item.occurred_on > dt.datetime.now(dt.UTC).date():
        raise InvalidError(f"outcome {item.key} is dated {item.occurred_on}, in the future")
    if not (item.cooperation or item.consortium or item.organization):
        raise InvalidError("an outcome belongs to a cooperation, a consortium or an organisation")
    with transaction(engine) as session:
        coop = find_cooperation(session, item.cooperation) if item.cooperation else None
        existing = session.scalar(select(Outcome).where(Outcome.key == item.key))
        if existing is not None:
            if (existing.kind, existing.occurred_on, existing.amount_krw) != (
                str(kind),
                item.occurred_on,
                item.amount_krw,
            ):
                raise ConflictError(f"outcome {item.key} exists with other content")
            return coop.stage if coop else ""
        session.add(
            Outcome(
                key=item.key,
                kind=str(kind),
                occurred_on=item.occurred_on,
                amount_krw=item.amount_krw,
                description=item.description,
                cooperation_id=coop.id if coop else None,
                consortium_id=find_consortium(session, item.consortium).id if item.consortium else None,
                organization_id=find_organization(session, item.organization).id
                if item.organization
                else None,
                is_invented=item.is_invented,
            )
        )
        record_change(
            session, actor, "create", "outcome", item.key, {"kind": str(kind), "amount_krw": item.amount_krw}
        )
        at = dt.datetime.combine(item.occurred_on, dt.time(9), tzinfo=dt.UTC)
        # an outcome dated before R&D began (recorded late) does not move the cooperation on
        is_later = coop is not None and item.occurred_on >= as_utc(coop.stage_changed_at).date()
        if coop is not None and coop.stage == Stage.RND_UNDER_WAY and is_later:
            move(session, actor, coop, Stage.OUTCOMES, f"outcome {item.key} recorded", False, at)
        return coop.stage if coop else ""
