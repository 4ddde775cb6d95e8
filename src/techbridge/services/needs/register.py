"""Registering a company's need and changing it, publishing an anonymised summary along the way.

Who may register a need is decided by ``access.need.may_register_need`` (the company's members; the
managers of the program whose round it enters; administrators); who may change one by
``access.need.need_for(..., NeedAction.CHANGE)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from techbridge.domain.organization import normalize_name
from techbridge.errors import ConflictError, InvalidError, PermissionDeniedError
from techbridge.services.access.need import (
    FULL,
    SUMMARY,
    NeedAction,
    may_register_need,
    need_for,
    need_row,
    need_visibility,
    need_with_facts,
    reads_every_need,
)
from techbridge.services.actor import Actor
from techbridge.services.catalogue.entity import Row, check_storable
from techbridge.services.catalogue.finding import find_organization, find_round
from techbridge.services.core import Core
from techbridge.services.needs.need import upsert_need
from techbridge.storage.tables import Need, Organization

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NeedRequest:
    """A new need of the company ``organization`` (its key).

    Attributes:
        key: kept only for those who read every need (administrators, managers of every program);
            anyone else's need gets ``need-`` and 16 random hex digits (``docs/security.md``).
        program, round: the round (of that program) the need enters; both or neither.
        visibility: ``confidential``, or ``summary`` with an anonymised ``summary``.
    """

    organization: str
    title: str
    key: str | None = None
    description: str = ""
    codes: tuple[str, ...] = ()
    field: str | None = None
    trl_target: int | None = None
    budget_krw: int | None = None
    visibility: str = "confidential"
    summary: str | None = None
    program: str | None = None
    round: str | None = None


@dataclass(frozen=True, slots=True)
class NeedChange:
    """Fields to change of the need ``ident`` (its id, or key for its full readers); ``None`` keeps one.

    To publish, set ``visibility`` to ``summary`` with an anonymised ``summary``.
    """

    ident: str
    title: str | None = None
    description: str | None = None
    codes: tuple[str, ...] | None = None
    field: str | None = None
    trl_target: int | None = None
    budget_krw: int | None = None
    visibility: str | None = None
    summary: str | None = None


def create_need(core: Core, actor: Actor, request: NeedRequest) -> Row:
    """Register a need (its company's members, the managers of the round's program, administrators).

    Raises:
        InvalidError: a program without a round or a round without a program, an empty title, a
            summary that names the company, a text over its limit (``domain.limits``).
        NotFoundError: no such company, program or round.
        PermissionDeniedError: the actor may not register needs of that company into that round.
        ConflictError: the chosen key is held by a need the caller reads in full (and so knows of).
    """
    if (request.program is None) != (request.round is None):
        raise InvalidError("give both the program and the round a need enters, or neither")
    if not request.title.strip():
        raise InvalidError("a need needs a title")
    check_storable(_texts(request), "need")
    with core.writing() as session:
        organization = find_organization(session, request.organization)
        round_ = (
            find_round(session, request.program, request.round) if request.program and request.round else None
        )
        if not may_register_need(actor, organization.id, round_.program_id if round_ else None):
            raise PermissionDeniedError(_refusal(actor, round_ is not None))
        values = {
            "key": _new_key(session, actor, request.key),
            "title": request.title.strip(),
            "description": request.description,
            "codes": list(request.codes),
            "field": request.field,
            "trl_target": request.trl_target,
            "budget_krw": request.budget_krw,
            "visibility": request.visibility,
        }
        links = {"round": round_.id} if round_ else None
        need, _ = upsert_need(session, values, actor.name, organization=organization, links=links)
        _apply_summary(need, request.summary)
        session.flush()
        row = need_row(need, FULL)
    core.models.forget_needs()
    return row


def _texts(request: NeedRequest | NeedChange) -> dict[str, object]:
    """The texts of a request, for ``check_storable`` (NUL characters, lengths: ``domain.limits``)."""
    names = ("key", "organization", "title", "description", "codes", "field", "summary")
    return {name: getattr(request, name, None) for name in names}


def _refusal(actor: Actor, has_round: bool) -> str:
    if actor.holds("program_manager") and not actor.organization_id:
        if has_round:
            return "you may register needs only into rounds of programs you manage"
        return "give the program and round of a program you manage that the need enters"
    return "you may register needs only for your own company"


def _new_key(session: Session, actor: Actor, chosen: str | None) -> str | None:
    """Return the chosen key if the actor may keep it, ``None`` for a fresh one (see ``NeedRequest``)."""
    if not chosen:
        return None
    # one statement whether the key is free, hidden or readable (issue 19)
    taken = need_with_facts(session, actor, Need.key == chosen)
    if taken is not None and need_visibility(actor, *taken) == FULL:
        raise ConflictError(f"a need with key {chosen!r} exists already")
    return chosen if reads_every_need(actor) else None


def update_need(core: Core, actor: Actor, change: NeedChange) -> Row:
    """Change a need, or publish its anonymised summary (its company, the program's managers, admins).

    The need's row is locked for the change, so that concurrent changes apply one after another.

    Raises:
        NotFoundError: no such need, or one the actor may not see.
        PermissionDeniedError: the actor sees it but may not change it.
        InvalidError: a published summary that is empty or names the company, a text over its limit.
    """
    check_storable(_texts(change), "need")
    with core.writing() as session:
        need = need_for(session, actor, change.ident, NeedAction.CHANGE, for_update=True)
        values = {
            name: list(value) if name == "codes" else value
            for name in ("title", "description", "codes", "field", "trl_target", "budget_krw", "visibility")
            if (value := getattr(change, name)) is not None
        }
        values |= {"key": need.key, "title": (change.title or need.title).strip() or need.title}
        upsert_need(session, values, actor.name, organization=need.organization)
        _apply_summary(need, change.summary)
        session.flush()
        row = need_row(need, FULL)
    core.models.forget_needs()
    return row


def _apply_summary(need: Need, summary: str | None) -> None:
    if summary is not None:
        check_summary(summary, need.organization)
        need.summary = summary.strip()
    if need.visibility == SUMMARY:
        check_summary(need.summary or "", need.organization)


def check_summary(summary: str, organization: Organization) -> None:
    """Refuse a summary that names its company (its name, English name or key), since it must be anonymous.

    Raises:
        InvalidError: the summary is empty or identifies the company.
    """
    text = summary.strip()
    if not text:
        raise InvalidError("a published summary cannot be empty")
    folded = normalize_name(text)
    names = [organization.name, organization.name_en, organization.key]
    if any(name and normalize_name(name) and normalize_name(name) in folded for name in names):
        raise InvalidError("the summary names the company; an anonymised summary must not identify it")
