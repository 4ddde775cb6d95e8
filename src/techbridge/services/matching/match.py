"""Matching use cases over the database: build the index, match a need by key or free text.

The engine never touches the database: this service loads records through
``techbridge.services.matching.records`` and reads organisation facts itself, keeps the index under
``settings.resolved_index_dir()`` and hands the engine plain values. The index also keeps each
stored need's analysed terms and vector (``techbridge.matching.index.update_needs``): a stored
need is matched with them while its text is the one they were made from.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from techbridge.config import Settings
from techbridge.errors import NotFoundError
from techbridge.matching.encoders import encoder_from
from techbridge.matching.engine import Matcher
from techbridge.matching.explain import Match
from techbridge.matching.filters import Filters
from techbridge.matching.index import (
    NEED_FILES,
    NeedFeatures,
    load_index,
    load_needs,
    stored_query,
    update_index,
)
from techbridge.matching.record import Query
from techbridge.services.catalogue.entity import record_id
from techbridge.services.database import database
from techbridge.services.matching.records import load_records
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization

log = logging.getLogger(__name__)


def build_index(
    settings: Settings, rebuild: bool = False, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Bring the matching index up to the database, records and stored needs; return counts.

    The counts are: records, added, changed, removed, needs, needs_embedded (new or edited needs).
    """
    with database(settings) as engine, transaction(engine) as session:
        records = load_records(session)
        needs = stored_needs(session)
    folder = settings.resolved_index_dir()
    encoder = encoder_from(settings.encoder, memo=True)
    matcher, counts = update_index(folder, records, rebuild, progress, settings.ann_threshold, needs, encoder)
    log.info("index at %s: %d records, %d needs", folder, len(matcher.records_), len(needs))
    return {"records": len(records), **counts}


def need_query(session: Session, key: str) -> Query:
    """Return the need with ``key`` (or numeric id) as a query; its company is the asking side."""
    stmt = select(Need).where(Need.key == key)
    need = session.scalars(stmt).first()
    ident = record_id(key)
    if need is None and ident is not None:
        need = session.get(Need, ident)
    if need is None:
        raise NotFoundError(f"no need {key!r}")
    return _as_query(need)


def stored_needs(session: Session) -> list[Query]:
    """Return every stored need as ``need_query`` gives it (for the index to save their features)."""
    stmt = select(Need).options(selectinload(Need.organization)).order_by(Need.id)
    return [_as_query(need) for need in session.scalars(stmt)]


def _as_query(need: Need) -> Query:
    text = f"{need.title}\n{need.description}".strip()
    return Query(need.key, text, tuple(need.codes or ()), None, (need.organization.key,))


def find_matches(
    settings: Settings,
    need: str | None = None,
    text: str | None = None,
    target: str = "organization",
    k: int = 10,
    filters: Filters | None = None,
    explain: bool = True,
    session: Session | None = None,
) -> tuple[list[Match], dict[str, dict[str, Any]]]:
    """Match a stored need (by key) or free ``text``; return the matches and organisation facts.

    Args:
        session: the caller's session (a served app's); without one, the configured database is opened.
    """
    matcher, lock = _loaded_matcher(settings)
    if session is None:
        with database(settings) as engine, transaction(engine) as own:
            query, facts = _query_and_facts(own, need, text)
    else:
        query, facts = _query_and_facts(session, need, text)
    if need:  # its terms and vector as the last index saved them, unless its text changed since
        query = stored_query(_loaded_needs(settings), query)
    with lock:
        return matcher.match(query, target, k, filters, facts, explain=explain), facts


def _query_and_facts(
    session: Session, need: str | None, text: str | None
) -> tuple[Query, dict[str, dict[str, Any]]]:
    query = need_query(session, need) if need else Query("text", text or "")
    return query, organization_facts(session)


def organization_facts(session: Session) -> dict[str, dict[str, Any]]:
    """Return every organisation's key with what filters and explanations need to know of it.

    Read as columns, not as ORM objects: every match needs all of them, and building 7.5k objects
    took most of a match's time with 100k technologies stored (issue 6).
    """
    columns = (Organization.name, Organization.kind, Organization.size_class, Organization.country)
    rows = session.execute(select(Organization.key, *columns, Organization.region).order_by(Organization.id))
    names = ("name", "kind", "size_class", "country", "region")
    return {key: dict(zip(names, values, strict=True)) for key, *values in rows}


# Loading an index fits BM25 and loads Kiwi and the encoder (seconds, hundreds of MB): a served app
# must do it once per index version, not per request. Keyed by folder, threshold, encoder and the time the
# index was last written, so `techbridge index` in another process is picked up on the next request.
# One lock per matcher: requests arrive on a thread pool, and the analyser is not shared across threads.
_LOADED: dict[tuple[str, int, str, int], tuple[Matcher, threading.Lock]] = {}
_LOADING = threading.Lock()


def _loaded_matcher(settings: Settings) -> tuple[Matcher, threading.Lock]:
    folder = settings.resolved_index_dir()
    meta = folder / "meta.json"
    stamp = meta.stat().st_mtime_ns if meta.exists() else 0
    key = (str(folder.resolve()), settings.ann_threshold, settings.encoder, stamp)
    with _LOADING:
        if key not in _LOADED:
            for old in [k for k in _LOADED if k[:3] == key[:3]]:
                del _LOADED[old]
            matcher = Matcher(encoder=encoder_from(settings.encoder), ann_threshold=settings.ann_threshold)
            matcher = load_index(folder, matcher)
            _LOADED[key] = (matcher, threading.Lock())
        return _LOADED[key]


# The stored needs' features are read once per write of their file, apart from the matcher: an
# index run that only changed needs leaves the records' files, and the loaded matcher, as they are.
_NEEDS: dict[str, tuple[int, NeedFeatures]] = {}


def _loaded_needs(settings: Settings) -> NeedFeatures:
    folder = settings.resolved_index_dir()
    path = folder / NEED_FILES[0]
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    key = str(folder.resolve())
    with _LOADING:
        if _NEEDS.get(key, (None,))[0] != stamp:
            _NEEDS[key] = (stamp, load_needs(folder))
        return _NEEDS[key][1]
