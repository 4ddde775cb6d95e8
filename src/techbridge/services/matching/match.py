"""The match use case (a need or a text -> ranked, explained partners) and the index build.

One use case serves the command line, the REST API and the web: ``find_matches(core, actor,
MatchRequest) -> MatchResult``; each edge renders ``MatchResult.to_list()`` (the JSON of
``POST /api/v1/matches`` and ``techbridge match --json``) or its rows.

The engine never touches the database: records come from ``services.matching.records``, organisation
facts are read here, and the loaded index and models come from ``core.models``. The index also keeps
each stored need's analysed terms and vector (``techbridge.matching.index.update_needs``): a stored
need is matched with them while its text is the one they were made from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from techbridge.errors import InvalidError
from techbridge.matching.explain import Explanation as Explanation  # the edges render it
from techbridge.matching.explain import Match
from techbridge.matching.filters import Filters
from techbridge.matching.index import stored_query, update_index
from techbridge.matching.record import Query
from techbridge.services.access import require
from techbridge.services.access.need import FULL, NeedAction, log_access, need_for, reads_every_need
from techbridge.services.actor import Actor
from techbridge.services.core import Core
from techbridge.services.matching.records import load_records
from techbridge.storage.tables import Need, Organization

log = logging.getLogger(__name__)
TARGETS = ("organization", "person", "item")


@dataclass(frozen=True, slots=True)
class MatchRequest:
    """What to match and which candidates may be ranked.

    Attributes:
        need: a stored need's key or id (one the caller reads in full); or else ``text``.
        target: ``organization``, ``person`` or ``item`` (a record).
        kinds, countries, regions, sizes: only organisations of these kinds, countries, regions or
            size classes (empty: any).
        since: only records dated on or after this ISO date; ``min_trl``: at this TRL or above.
        explain: attach why each candidate ranks where it does.
        candidates: if given, only these organisations (or people, records) are returned, each with
            the score an unrestricted match gives it.
    """

    need: str | None = None
    text: str | None = None
    target: str = "organization"
    k: int = 10
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    since: str | None = None
    min_trl: int | None = None
    explain: bool = True
    candidates: tuple[str, ...] | None = None

    @property
    def filters(self) -> Filters:
        """The engine's hard filters of this request."""
        return Filters(self.kinds, self.countries, self.regions, self.sizes, self.since, None, self.min_trl)


@dataclass(frozen=True, slots=True)
class MatchView:
    """A ranked candidate, with its signals and explanation; organisations with their name and kind."""

    target: str
    id: str
    score: float
    signals: dict[str, float]
    explanation: Explanation | None
    name: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The ranked candidates of one request, best first."""

    matches: tuple[MatchView, ...]

    def to_list(self) -> list[dict[str, Any]]:
        """Return the candidates as JSON-ready data (the answer of ``POST /api/v1/matches``)."""
        return [asdict(match) for match in self.matches]


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What an index build found: records indexed, added, changed, removed; needs, needs embedded."""

    records: int
    added: int
    changed: int
    removed: int
    needs: int = 0
    needs_embedded: int = 0


def find_matches(core: Core, actor: Actor, request: MatchRequest) -> MatchResult:
    """Rank and explain partners for a need the actor reads in full, or for free text.

    Results are organisations, people and records (public): a need is never a result, so matching
    cannot reveal another company's need. Matching a stored need is written to its access log.

    Raises:
        InvalidError: neither or both of ``need`` and ``text``, or an unknown target.
        NotFoundError: no such need, or one the actor may not read in full (the same answer).
        NotIndexedError: the matching index has not been built yet (``techbridge index``).
    """
    if (request.need is None) == (request.text is None):
        raise InvalidError("give either a need or a text to match")
    if request.target not in TARGETS:
        raise InvalidError(f"unknown target {request.target!r}; use one of {', '.join(TARGETS)}")
    need_id = None
    with core.reading() as session:
        if request.need is not None:
            need = need_for(session, actor, request.need, NeedAction.READ_FULL)
            need_id, query = need.id, need_query(need)
        else:
            query = Query("text", request.text or "")
        facts = organization_facts(session)
    matches = _rank(core, query, need_id is not None, request, facts)
    if need_id is not None:
        # Logged after ranking, in a unit of its own: SQLite's write lock is held only briefly.
        with core.writing() as session:
            log_access(session, actor, [(session.get_one(Need, need_id), FULL)], "match", core.clock())
    return MatchResult(tuple(_view(match, facts) for match in matches))


def _rank(
    core: Core, query: Query, is_stored: bool, request: MatchRequest, facts: dict[str, dict[str, Any]]
) -> list[Match]:
    matcher = core.models.matcher()
    if is_stored:  # its terms and vector as the last index saved them, unless its text changed since
        query = stored_query(core.models.needs(), query)
    # the fitted matcher keeps no per-query state: threads share it without a lock
    return matcher.match(
        query, request.target, request.k, request.filters, facts, request.candidates, request.explain
    )


def rank_stored_need(
    core: Core, need: Need, request: MatchRequest, facts: dict[str, dict[str, Any]]
) -> list[MatchView]:
    """Rank partners for a stored need the caller already reads in full, as ``find_matches`` does.

    For use cases that match within their own unit of work (a round's assignment scores its needs
    against its participants); ``request.need`` is ignored, ``need`` is matched.

    Raises:
        NotIndexedError: the matching index has not been built yet (``techbridge index``).
    """
    return [_view(match, facts) for match in _rank(core, need_query(need), True, request, facts)]


def ranking_settings(core: Core, target: str = "organization") -> dict[str, Any]:
    """Return the configuration the loaded index ranks ``target`` with (fusion, weights, parameters).

    Raises:
        NotIndexedError: the matching index has not been built yet (``techbridge index``).
    """
    matcher = core.models.matcher()
    params = ("title_boost", "score_pool", "ann_threshold", "bm25_k1", "bm25_b")
    return {
        "target": target,
        "config": matcher.config_for(target).to_dict(),
        "encoder": core.settings.encoder,
        **{name: getattr(matcher, name) for name in params},
    }


def _view(match: Match, facts: dict[str, dict[str, Any]]) -> MatchView:
    fact = facts.get(match.id, {}) if match.target == "organization" else {}
    return MatchView(
        match.target,
        match.id,
        match.score,
        match.signals,
        match.explanation,
        fact.get("name"),
        fact.get("kind"),
    )


def build_index(
    core: Core, actor: Actor, rebuild: bool = False, progress: Callable[[int, int], None] | None = None
) -> IndexSummary:
    """Bring the matching index up to the stored records and needs (administrators, managers of every
    program: the index saves every need's features).

    Args:
        rebuild: analyse and embed everything again.
        progress: called with (done, total) while records are embedded.

    Raises:
        PermissionDeniedError: the actor does not read every need.
    """
    require(reads_every_need(actor), "only administrators and managers of every program build the index")
    with core.reading() as session:
        records = load_records(session)
        needs = stored_needs(session)
    folder = core.models.index_dir
    settings = core.settings
    with core.models.working:
        encoder = core.models.encoder()
        matcher, counts = update_index(
            folder, records, rebuild, progress, settings.ann_threshold, needs, encoder
        )
    log.info("index at %s: %d records, %d needs", folder, len(matcher.records_), len(needs))
    return IndexSummary(records=len(records), **counts)


def need_query(need: Need) -> Query:
    """Return a stored need as a query: its title and description; its company is the asking side."""
    text = f"{need.title}\n{need.description}".strip()
    return Query(need.key, text, tuple(need.codes or ()), None, (need.organization.key,))


def stored_needs(session: Session) -> list[Query]:
    """Return every stored need as ``need_query`` gives it (for the index to save their features)."""
    stmt = select(Need).options(selectinload(Need.organization)).order_by(Need.id)
    return [need_query(need) for need in session.scalars(stmt)]


def organization_facts(session: Session) -> dict[str, dict[str, Any]]:
    """Return every organisation's key with what filters and explanations need to know of it.

    Read as columns, not as ORM objects: every match needs all of them, and building 7.5k objects
    took most of a match's time with 100k technologies stored (issue 6).
    """
    columns = (Organization.name, Organization.kind, Organization.size_class, Organization.country)
    rows = session.execute(select(Organization.key, *columns, Organization.region).order_by(Organization.id))
    names = ("name", "kind", "size_class", "country", "region")
    return {key: dict(zip(names, values, strict=True)) for key, *values in rows}
