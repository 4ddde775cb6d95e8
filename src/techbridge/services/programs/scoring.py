"""Where a round's candidate scores come from: the matching engine by default, a manager's file as an
override (issue 21).

With no scores loaded, each accepted need of the round is matched against the round's participants
by the match use case (``services.matching.match.rank_stored_need``: the fitted index, the need's
saved features, the same fusion and normalisation as ``techbridge match``), its own organisation
excluded, and the scores are stored as the round's candidates with why each pair scored so, the
index that produced them and the ranking settings used (``RoundScoring``). They are computed again
when the index, a need's text or the participants change. A participant the index has no records
of gets no score at all (it is listed as ``unindexed``): a pair without a score is never proposed.

Scores a manager loaded (``pairing.set_candidate_scores``) replace the engine's until they are
cleared; a need is never scored against its own organisation either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from techbridge.errors import InvalidError, NotIndexedError
from techbridge.matching.explain import Explanation, explanation_from_dict
from techbridge.matching.features import query_digest
from techbridge.services.access.need import FULL, log_access
from techbridge.services.actor import Actor
from techbridge.services.cooperations.pipeline import as_utc
from techbridge.services.core import Core
from techbridge.services.matching.match import (
    MatchRequest,
    need_query,
    organization_facts,
    rank_stored_need,
    ranking_settings,
)
from techbridge.storage.pipeline import RoundCandidate, RoundScoring
from techbridge.storage.tables import Need, Round

log = logging.getLogger(__name__)

ENGINE, FILE = "engine", "candidates"
PairKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Scoring:
    """Where a run's scores came from.

    Attributes:
        source: ``engine`` (the matching engine) or ``candidates`` (scores a manager loaded).
        index: for engine scores, the index that produced them (``written_at``, ``records``, ``features``).
        settings: for engine scores, the ranking configuration (fusion, weights, parameters).
        actor, at: who had the scores computed or loaded, and when.
        unindexed: participants the engine gave no score (the index has no records of them).
    """

    source: str
    index: dict[str, Any] | None
    settings: dict[str, Any] | None
    actor: str | None
    at: dt.datetime | None
    unindexed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoundScores:
    """The candidate scores of a round's run, with each pair's explanation where the engine gave one."""

    scores: dict[PairKey, float]
    explanations: dict[PairKey, Explanation]
    scoring: Scoring


def stored_scoring(session: Session, round_id: int) -> Scoring | None:
    """Return where the round's stored scores came from (None: no run or load stored any)."""
    row = session.get(RoundScoring, round_id)
    if row is None:
        has_rows = session.scalar(
            select(RoundCandidate.need_id).where(RoundCandidate.round_id == round_id).limit(1)
        )
        return Scoring(FILE, None, None, None, None) if has_rows is not None else None
    unindexed = tuple((row.settings or {}).get("unscored", ()))
    return Scoring(row.source, row.index, row.settings, row.actor, as_utc(row.at), unindexed)


def own_pairs(session: Session, pairs: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the ``(need id, organisation id)`` pairs that pair a need with its own organisation."""
    query = select(Need.id, Need.organization_id).where(Need.id.in_({n for n, _ in pairs}))
    owners: dict[int, int] = {need: org for need, org in session.execute(query)}
    return sorted((need, org) for need, org in pairs if owners.get(need) == org)


def refuse_own_pairs(session: Session, pairs: dict[PairKey, tuple[int, int]]) -> None:
    """Refuse pairs (by key, with their ids) that pair a need with its own organisation.

    Raises:
        InvalidError: naming every such pair.
    """
    own = set(own_pairs(session, set(pairs.values())))
    named = sorted(key for key, ids in pairs.items() if ids in own)
    if named:
        listed = ", ".join(f"{need} – {org}" for need, org in named)
        raise InvalidError(f"a need is never paired with its own organisation: {listed}")


def round_scores(
    core: Core, session: Session, actor: Actor, round_: Round, needs: dict[int, str], orgs: dict[int, str]
) -> RoundScores:
    """Return the scores of ``needs`` × ``orgs`` (ids to keys) for a run of ``round_``.

    Loaded scores are used as they are; otherwise the engine's, computed again when stale.

    Raises:
        NotIndexedError: no scores were loaded and the matching index has not been built.
    """
    scoring = session.get(RoundScoring, round_.id)
    rows = session.scalars(select(RoundCandidate).where(RoundCandidate.round_id == round_.id)).all()
    if rows and (scoring is None or scoring.source == FILE):
        return _loaded(session, rows, needs, orgs, scoring)
    need_rows = list(
        session.scalars(
            select(Need).where(Need.id.in_(needs)).options(selectinload(Need.organization)).order_by(Need.key)
        )
    )
    try:
        index = core.models.index_identity()
    except NotIndexedError as exc:
        raise NotIndexedError(
            f"round {round_.key} has no scores loaded and nothing to score it with: {exc} "
            "(or load scores with `techbridge round scores`)"
        ) from exc
    scope = _scope(need_rows, orgs)
    if scoring is None or scoring.index != index or scoring.scope != scope:
        scoring = _score(core, session, actor, round_, need_rows, orgs, (index, scope))
        rows = session.scalars(select(RoundCandidate).where(RoundCandidate.round_id == round_.id)).all()
    return _engine(rows, needs, orgs, scoring)


def _loaded(
    session: Session,
    rows: Any,
    needs: dict[int, str],
    orgs: dict[int, str],
    scoring: RoundScoring | None,
) -> RoundScores:
    # Scores loaded before a need's own organisation was refused on loading may still hold one.
    own = set(own_pairs(session, {(r.need_id, r.organization_id) for r in rows}))
    scores = {
        (needs[r.need_id], orgs[r.organization_id]): r.score
        for r in rows
        if r.need_id in needs and r.organization_id in orgs and (r.need_id, r.organization_id) not in own
    }
    actor, at = (scoring.actor, as_utc(scoring.at)) if scoring else (None, None)
    return RoundScores(scores, {}, Scoring(FILE, None, None, actor, at))


def _engine(rows: Any, needs: dict[int, str], orgs: dict[int, str], scoring: RoundScoring) -> RoundScores:
    scores: dict[PairKey, float] = {}
    explanations: dict[PairKey, Explanation] = {}
    for row in rows:
        if row.need_id in needs and row.organization_id in orgs:
            key = (needs[row.need_id], orgs[row.organization_id])
            scores[key] = row.score
            if row.explanation:
                explanations[key] = explanation_from_dict(row.explanation)
    view = Scoring(ENGINE, scoring.index, scoring.settings, scoring.actor, as_utc(scoring.at))
    unindexed = tuple((scoring.settings or {}).get("unscored", ()))
    return RoundScores(scores, explanations, replace(view, unindexed=unindexed))


def _scope(need_rows: list[Need], orgs: dict[int, str]) -> str:
    texts = [(need.key, need.organization_id, query_digest(need_query(need))) for need in need_rows]
    data = json.dumps([texts, sorted(orgs.values())], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _score(
    core: Core,
    session: Session,
    actor: Actor,
    round_: Round,
    need_rows: list[Need],
    orgs: dict[int, str],
    made: tuple[dict[str, Any], str],
) -> RoundScoring:
    """Match each need against the participants but its own organisation; store scores and provenance."""
    session.execute(delete(RoundCandidate).where(RoundCandidate.round_id == round_.id))
    ids = {key: oid for oid, key in orgs.items()}
    facts = organization_facts(session)
    asked: set[str] = set()
    scored: set[str] = set()
    for need in need_rows:
        others = tuple(sorted(key for oid, key in orgs.items() if oid != need.organization_id))
        if not others:
            continue
        asked.update(others)
        request = MatchRequest(need=need.key, k=len(others), candidates=others)
        for view in rank_stored_need(core, need, request, facts):
            scored.add(view.id)
            explanation = asdict(view.explanation) if view.explanation is not None else None
            session.add(
                RoundCandidate(
                    round_id=round_.id,
                    need_id=need.id,
                    organization_id=ids[view.id],
                    score=view.score,
                    explanation=explanation,
                )
            )
    log_access(session, actor, [(need, FULL) for need in need_rows], "match", core.clock())
    settings = {**ranking_settings(core), "unscored": sorted(asked - scored)}
    scoring = session.get(RoundScoring, round_.id) or RoundScoring(round_id=round_.id)
    scoring.source, scoring.index, scoring.settings = ENGINE, made[0], settings
    scoring.scope, scoring.actor, scoring.at = made[1], actor.name, core.clock()
    session.add(scoring)
    session.flush()
    log.info(
        "round %s scored by the engine: %d needs, %d participants", round_.key, len(need_rows), len(orgs)
    )
    return scoring
