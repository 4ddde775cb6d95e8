"""Assigning a round's accepted needs to its participating partners, and what managers do about it.

Candidate scores come from the matching engine, or from a file a manager loaded instead
(``services.programs.scoring``), and a manager locks, forbids or swaps pairs
(``services.programs.pairing``); the manager runs the assignment (``run_assignment``) and accepts the
answer, which opens one cooperation per need (``accept_assignment``). The pairs stay stored (the
last run's proposed ones and the accepted ones), so they are read without a new run (``get_assignment``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from techbridge.domain.assignment import (
    AssignmentProblem,
    Pair,
    Solution,
    alternatives,
    solve_exact,
    solve_greedy,
    solve_unconstrained,
)
from techbridge.domain.need import ScreeningStatus
from techbridge.errors import InvalidError, NotFoundError
from techbridge.matching.explain import Explanation, explanation_from_dict
from techbridge.services.access.program import RoundAction, round_for, round_needs
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import keys_of
from techbridge.services.cooperations.pipeline import add_cooperation
from techbridge.services.core import Core
from techbridge.services.programs.round import RoundRef
from techbridge.services.programs.scoring import RoundScores, Scoring, round_scores
from techbridge.storage.pipeline import Assignment, PairRule, RoundCandidate, RoundSetting
from techbridge.storage.tables import Need, Organization, Round, RoundParticipant

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PairView:
    """One need–partner pair with its score and, for engine scores, why the engine scored it so."""

    need: str
    partner: str
    score: float
    is_locked: bool = False
    explanation: Explanation | None = None


@dataclass(frozen=True, slots=True)
class AssignmentReport:
    """The answer of one assignment run and how it compares.

    Attributes:
        capacity_cost: what the capacity limits cost: unconstrained best minus the exact total.
        load: per partner, how many needs it got and its capacity.
        alternatives: per need, its best candidates that were not used.
        scores_source: ``engine`` (the matching engine's scores) or ``candidates`` (scores a manager
            loaded, which override the engine's).
        scoring: where the scores came from: the index and ranking settings behind engine scores.
    """

    program: str
    round: str
    pairs: tuple[PairView, ...]
    total: float
    greedy_total: float
    unconstrained_total: float
    capacity_cost: float
    unassigned: tuple[str, ...]
    load: dict[str, tuple[int, int | None]]
    alternatives: dict[str, tuple[PairView, ...]]
    scores_source: str
    scoring: Scoring | None = None


@dataclass(frozen=True, slots=True)
class StoredPair:
    """A stored pair: proposed by the last run, or accepted by a manager (which opened a cooperation)."""

    need: str
    partner: str
    score: float
    method: str
    status: str
    is_locked: bool
    created_at: dt.datetime
    explanation: Explanation | None = None


@dataclass(frozen=True, slots=True)
class StoredAssignment:
    """What a round's assignment holds now: its accepted pairs and the last run's proposed ones.

    Attributes:
        total: the sum of the pairs' scores.
        unassigned: the round's accepted needs that have no pair (all of them before the first run).
    """

    program: str
    round: str
    pairs: tuple[StoredPair, ...]
    total: float
    unassigned: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AcceptRequest:
    """Accept the proposed pairs (of ``needs``, or all) and open one cooperation per need.

    Attributes:
        at: when the cooperations were matched (default: now), for records entered afterwards.
    """

    round: RoundRef
    needs: Sequence[str] | None = None
    at: dt.datetime | None = None


def get_assignment(core: Core, actor: Actor, ref: RoundRef) -> StoredAssignment:
    """Return the round's stored pairs without running the assignment again (its managers).

    Raises:
        NotFoundError: no such program or round, or one a manager does not manage.
        PermissionDeniedError: the actor manages no program.
    """
    with core.reading() as session:
        round_ = round_for(session, actor, ref.key, RoundAction.ASSIGN)
        rows = session.execute(
            select(Assignment, Need.key, Organization.key)
            .join(Need, Need.id == Assignment.need_id)
            .join(Organization, Organization.id == Assignment.organization_id)
            .where(Assignment.round_id == round_.id)
        ).all()
        locks = {
            (need_id, org_id)
            for need_id, org_id in session.execute(
                select(PairRule.need_id, PairRule.organization_id).where(
                    PairRule.round_id == round_.id, PairRule.rule == "lock"
                )
            )
        }
        explained = {
            (c.need_id, c.organization_id): explanation_from_dict(c.explanation)
            for c in session.scalars(select(RoundCandidate).where(RoundCandidate.round_id == round_.id))
            if c.explanation
        }
        accepted_needs = session.scalars(
            select(Need.key).where(Need.round_id == round_.id, Need.status == ScreeningStatus.ACCEPTED)
        ).all()
        pairs = tuple(
            StoredPair(
                need, partner, a.score, a.method, a.status,
                (a.need_id, a.organization_id) in locks, a.created_at,
                explained.get((a.need_id, a.organization_id)),
            )
            # Sorted here, not in SQL: the databases' collations order keys differently.
            for a, need, partner in sorted(rows, key=lambda row: (row[1], row[2]))
        )  # fmt: skip
    paired = {pair.need for pair in pairs}
    unassigned = tuple(sorted(key for key in accepted_needs if key not in paired))
    return StoredAssignment(ref.program, ref.round, pairs, sum(p.score for p in pairs), unassigned)


def organization_ids(session: Session, keys: set[str]) -> dict[str, int]:
    """Return the ids of the organisations ``keys`` by key.

    Raises:
        NotFoundError: the first unknown key (in order).
    """
    query = select(Organization.key, Organization.id).where(Organization.key.in_(keys))
    found: dict[str, int] = dict(session.execute(query).all())
    for key in sorted(keys - set(found)):
        raise NotFoundError(f"no organisation with key {key!r}")
    return found


def _label(ref: RoundRef) -> str:
    return f"{ref.program}/{ref.round}"


def run_assignment(core: Core, actor: Actor, ref: RoundRef) -> AssignmentReport:
    """Solve the round's assignment exactly, compare it with greedy, and store the proposed pairs.

    Scores are the ones a manager loaded, or else the matching engine's (``scoring.round_scores``):
    a need is never paired with its own organisation. Accepted pairs and locked pairs are kept;
    forbidden pairs are never used.

    Raises:
        NotFoundError: no such round, or one a manager does not manage.
        PermissionDeniedError: the actor manages no program.
        InvalidError: locks that cannot all hold, or a round without accepted needs or participants.
        NotIndexedError: no scores were loaded and the matching index has not been built.
    """
    with core.writing() as session:
        round_ = round_for(session, actor, ref.key, RoundAction.ASSIGN, for_update=True)
        return run_round(core, session, actor, ref, round_)


def run_round(core: Core, session: Session, actor: Actor, ref: RoundRef, round_: Round) -> AssignmentReport:
    """Run the assignment of ``round_`` within a unit of work whose caller manages the round."""
    problem, scored = _problem(core, session, actor, round_)
    exact = solve_exact(problem)
    greedy, loose = solve_greedy(problem), solve_unconstrained(problem)
    _store(session, round_, exact)
    details = {
        "total": exact.total, "greedy": greedy.total, "pairs": len(exact.pairs),
        "source": scored.scoring.source,
    }  # fmt: skip
    record_change(session, actor.name, "assign", "round", _label(ref), details)
    return _report(ref, problem, (exact, greedy, loose), scored)


def _problem(
    core: Core, session: Session, actor: Actor, round_: Round
) -> tuple[AssignmentProblem, RoundScores]:
    needs = dict(
        session.execute(
            select(Need.id, Need.key).where(
                Need.round_id == round_.id, Need.status == ScreeningStatus.ACCEPTED
            )
        ).all()
    )
    participants = session.execute(
        select(RoundParticipant.organization_id, RoundParticipant.capacity).where(
            RoundParticipant.round_id == round_.id
        )
    ).all()
    if not needs or not participants:
        raise InvalidError(f"round {round_.key} needs accepted needs and participants before assignment")
    orgs = keys_of(session, Organization, {oid for oid, _ in participants})
    capacity = {orgs[oid]: len(needs) if cap is None else cap for oid, cap in participants}
    scored = round_scores(core, session, actor, round_, needs, orgs)
    locked, forbidden = _rules(session, round_, needs, orgs)
    setting = session.get(RoundSetting, round_.id)
    k = setting.max_partners if setting else 1
    problem = AssignmentProblem(tuple(sorted(needs.values())), capacity, scored.scores, k, locked, forbidden)
    return problem, scored


def _rules(
    session: Session, round_: Round, needs: dict[int, str], orgs: dict[int, str]
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    def known(need_id: int, org_id: int) -> tuple[str, str]:
        return needs.get(need_id, f"#{need_id}"), orgs.get(org_id, f"#{org_id}")

    rules = session.scalars(select(PairRule).where(PairRule.round_id == round_.id)).all()
    accepted = session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.status == "accepted")
    ).all()
    locked = {known(r.need_id, r.organization_id) for r in rules if r.rule == "lock"}
    locked |= {known(a.need_id, a.organization_id) for a in accepted}
    forbidden = {known(r.need_id, r.organization_id) for r in rules if r.rule == "forbid"}
    return frozenset(locked), frozenset(forbidden)


def _store(session: Session, round_: Round, solution: Solution) -> None:
    session.execute(
        delete(Assignment).where(Assignment.round_id == round_.id, Assignment.status == "proposed")
    )
    need_ids = round_needs(session, round_, {p.need for p in solution.pairs})
    org_ids = organization_ids(session, {p.partner for p in solution.pairs})
    for pair in solution.pairs:
        key = (round_.id, need_ids[pair.need], org_ids[pair.partner])
        if session.get(Assignment, key) is None:
            session.add(
                Assignment(
                    round_id=key[0],
                    need_id=key[1],
                    organization_id=key[2],
                    score=pair.score,
                    method=solution.method,
                )
            )


def _report(
    ref: RoundRef,
    problem: AssignmentProblem,
    solutions: tuple[Solution, Solution, Solution],
    scored: RoundScores,
) -> AssignmentReport:
    exact, greedy, loose = solutions
    load = Counter(pair.partner for pair in exact.pairs)
    others = alternatives(problem, exact)

    def view(pair: Pair) -> PairView:
        why = scored.explanations.get((pair.need, pair.partner))
        return PairView(pair.need, pair.partner, round(pair.score, 6), pair.is_locked, why)

    return AssignmentReport(
        ref.program,
        ref.round,
        tuple(view(p) for p in exact.pairs),
        exact.total,
        greedy.total,
        loose.total,
        loose.total - exact.total,
        exact.unassigned,
        {p: (load[p], problem.capacity[p]) for p in sorted(problem.capacity)},
        {need: tuple(view(p) for p in pairs) for need, pairs in others.items()},
        scored.scoring.source,
        scored.scoring,
    )


def accept_assignment(core: Core, actor: Actor, request: AcceptRequest) -> list[str]:
    """Accept the proposed pairs (of ``request.needs``, or all) and open one cooperation per need.

    Returns:
        The keys of the cooperations opened or joined, in need order.

    Raises:
        NotFoundError: no such round (or one a manager does not manage), or a need not in the round.
        PermissionDeniedError: the actor manages no program.
        InvalidError: nothing to accept (the round was not run, or those needs have no pairs).
    """
    ref = request.round
    with core.writing() as session:
        round_ = round_for(session, actor, ref.key, RoundAction.ASSIGN, for_update=True)
        query = (
            select(Assignment, Need)
            .join(Need, Need.id == Assignment.need_id)
            .where(Assignment.round_id == round_.id)
        )
        if request.needs is not None:
            query = query.where(Need.id.in_(round_needs(session, round_, set(request.needs)).values()))
        rows = session.execute(query.order_by(Need.key, Assignment.organization_id)).all()
        if not rows:
            raise InvalidError(f"round {_label(ref)} has no assignment to accept: run it first")
        partners: dict[str, list[int]] = {}
        needs: dict[str, Need] = {}
        for assignment, need in rows:
            assignment.status = "accepted"
            partners.setdefault(need.key, []).append(assignment.organization_id)
            needs[need.key] = need
        at = request.at or core.clock()
        keys = [
            _open(session, actor.name, ref.program, round_, needs[n], ids, at) for n, ids in partners.items()
        ]
        record_change(session, actor.name, "accept", "round", _label(ref), {"cooperations": keys})
        return keys


def _open(
    session: Session,
    actor: str,
    program_key: str,
    round_: Round,
    need: Need,
    org_ids: list[int],
    at: dt.datetime | None,
) -> str:
    key = f"coop-{program_key}-{round_.key}-{need.key}"
    members = [(need.organization_id, "demand"), *((oid, "supply") for oid in org_ids)]
    add_cooperation(session, actor, key, need.title, members, round_id=round_.id, need=need, at=at)
    return key
