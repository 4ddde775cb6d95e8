"""Reading needs: a page of those the caller may see, one need, and the data of the web's need pages.

Each reading by someone outside the need's company is written to its access log (channel ``api``
for the API and the web, ``match`` for matching it), so these use cases run in a writing unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotIndexedError, PermissionDeniedError
from techbridge.services.access.importing import may_import
from techbridge.services.access.need import FULL, log_access, need_row, read_need_page, seen_need
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.catalogue.entity import ENTITIES, Row, to_row
from techbridge.services.core import Core
from techbridge.services.matching.match import MatchRequest, MatchResult, find_matches
from techbridge.services.needs.sharing import list_interests, list_shares
from techbridge.storage.tables import Organization, Program, Round


@dataclass(frozen=True, slots=True)
class NeedFilter:
    """Which needs a list shows, and which page of them.

    ``organization`` (a company's key) and ``q`` (text in the title) filter needs read in full; a
    summary view answers ``q`` by its summary text and never an ``organization`` filter.
    """

    status: str | None = None
    visibility: str | None = None
    organization: str | None = None
    q: str | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class NeedPage:
    """One page of needs, each in the view the caller has of it, and how many there are in all;
    ``may_import``: whether the caller may import needs from a file (to offer the import)."""

    items: list[Row]
    total: int
    limit: int
    offset: int
    may_import: bool = False


def list_needs(core: Core, actor: Actor, request: NeedFilter) -> NeedPage:
    """Return one page of the needs the actor may see: in full, or by their anonymised summary."""
    filters = {
        "status": request.status,
        "visibility": request.visibility,
        "organization": request.organization,
        "q": request.q,
    }
    with core.writing() as session:
        rows, total = read_need_page(session, actor, filters, request.limit, request.offset)
    return NeedPage(rows, total, request.limit, request.offset, may_import(actor))


def get_need(core: Core, actor: Actor, ident: str) -> Row:
    """Return one need as the actor may read it: in full, or by its summary (then by id only).

    Raises:
        NotFoundError: no such need, or one the actor may not see (the same answer).
    """
    with core.writing() as session:
        need, view = seen_need(session, actor, ident)
        log_access(session, actor, [(need, view)], "api", core.clock())
        return need_row(need, view)


@dataclass(frozen=True, slots=True)
class NeedPageData:
    """What the web page of one need shows.

    Attributes:
        matches: its explained matches (read in full), ``None`` until the index is built.
        interests, shares: for those who may change the need, else ``None``.
    """

    need: Row
    matches: MatchResult | None
    interests: list[Row] | None
    shares: list[Row] | None


def need_page(core: Core, actor: Actor, ident: str, k: int = 8) -> NeedPageData:
    """Return the need as the actor may read it; read in full, with its matches and owner's side.

    Raises:
        NotFoundError: no such need, or one the actor may not see (the same answer).
    """
    need = get_need(core, actor, ident)
    if need["view"] != FULL:
        return NeedPageData(need, MatchResult(()), None, None)
    number = str(need["id"])
    try:
        matches: MatchResult | None = find_matches(core, actor, MatchRequest(need=number, k=k))
    except NotIndexedError:
        matches = None
    try:
        interests = list_interests(core, actor, number)
    except PermissionDeniedError:
        return NeedPageData(need, matches, None, None)
    return NeedPageData(need, matches, interests, list_shares(core, actor, number))


@dataclass(frozen=True, slots=True)
class NeedForm:
    """The choices of the form that registers a need.

    Attributes:
        companies: the companies the actor may register needs for (every company for managers and
            administrators, whose round decides; a member's own company).
        rounds: ``(program key, round key, label)`` of the rounds of the programs the actor manages.
    """

    companies: list[Row]
    rounds: list[tuple[str, str, str]]


def need_form(core: Core, actor: Actor) -> NeedForm:
    """Return the choices of the form that registers a need."""
    with core.reading() as session:
        return NeedForm(_companies(session, actor), _rounds(session, actor))


def _companies(session: Session, actor: Actor) -> list[Row]:
    spec = ENTITIES["organization"]
    if actor.is_admin or actor.holds(PROGRAM_MANAGER):
        query = select(Organization).where(Organization.kind == "company").order_by(Organization.id)
        return [to_row(spec, org) for org in session.scalars(query.limit(500))]
    own = session.get(Organization, actor.organization_id) if actor.organization_id is not None else None
    return [to_row(spec, own)] if own is not None else []


def _rounds(session: Session, actor: Actor) -> list[tuple[str, str, str]]:
    query = select(Program.id, Program.key, Round.key, Round.name).join(Round, Round.program_id == Program.id)
    rows = session.execute(query.order_by(Program.key, Round.key))
    return [(program, key, f"{program} / {name}") for pid, program, key, name in rows if actor.manages(pid)]
