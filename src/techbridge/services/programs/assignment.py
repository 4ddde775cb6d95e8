"""Assigning a round's accepted needs to its participating partners, and what managers do about it.

Candidate scores come from the matching engine (``set_candidate_scores``); a manager locks, forbids
or swaps pairs (``set_pair_rule``, ``swap_partner``), re-runs (``run_assignment``) and accepts the
answer, which opens one cooperation per need (``accept_assignment``). The pairs stay stored (the
last run's proposed ones and the accepted ones), so they are read without a new run (``get_assignment``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
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
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import find_need, find_organization, find_round, keys_of
from techbridge.services.cooperations.pipeline import add_cooperation
from techbridge.storage.db import transaction
from techbridge.storage.tables import (
    Assignment,
    Need,
    Organization,
    PairRule,
    Round,
    RoundCandidate,
    RoundParticipant,
    RoundSetting,
)

log = logging.getLogger(__name__)
RULES = ("lock", "forbid", "clear")


@dataclass(frozen=True, slots=True)
class PairView:
    """One need–partner pair with its score, as a manager sees it."""

    need: str
    partner: str
    score: float
    is_locked: bool = False


@dataclass(frozen=True, slots=True)
class AssignmentReport:
    """The answer of one assignment run and how it compares.

    Attributes:
        capacity_cost: what the capacity limits cost: unconstrained best minus the exact total.
        load: per partner, how many needs it got and its capacity.
        alternatives: per need, its best candidates that were not used.
        scores_source: ``candidates`` (stored match scores) or ``trivial`` (none stored: 1.0 each).
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


def get_assignment(engine: Engine, program_key: str, round_key: str) -> StoredAssignment:
    """Return the round's stored pairs without running the assignment again.

    Raises:
        NotFoundError: no such program or round.
    """
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
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
        accepted_needs = session.scalars(
            select(Need.key).where(Need.round_id == round_.id, Need.status == ScreeningStatus.ACCEPTED)
        ).all()
        pairs = tuple(
            StoredPair(
                need, partner, a.score, a.method, a.status,
                (a.need_id, a.organization_id) in locks, a.created_at,
            )
            # Sorted here, not in SQL: the databases' collations order keys differently.
            for a, need, partner in sorted(rows, key=lambda row: (row[1], row[2]))
        )  # fmt: skip
    paired = {pair.need for pair in pairs}
    unassigned = tuple(sorted(key for key in accepted_needs if key not in paired))
    return StoredAssignment(program_key, round_key, pairs, sum(p.score for p in pairs), unassigned)


def set_candidate_scores(
    engine: Engine, actor: str, program_key: str, round_key: str, scores: Mapping[tuple[str, str], float]
) -> int:
    """Replace a round's candidate scores ``{(need key, organisation key): score}``; return how many."""
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        needs = _ids(session, Need, {n for n, _ in scores})
        orgs = _ids(session, Organization, {o for _, o in scores})
        session.execute(delete(RoundCandidate).where(RoundCandidate.round_id == round_.id))
        for (need, org), score in sorted(scores.items()):
            session.add(
                RoundCandidate(
                    round_id=round_.id, need_id=needs[need], organization_id=orgs[org], score=score
                )
            )
        record_change(session, actor, "score", "round", f"{program_key}/{round_key}", {"pairs": len(scores)})
    return len(scores)


def _ids(session: Session, table: type[Need] | type[Organization], keys: set[str]) -> dict[str, int]:
    found = dict(session.execute(select(table.key, table.id).where(table.key.in_(keys))).all())
    missing = sorted(keys - set(found))
    if missing:
        raise InvalidError(f"unknown {table.__tablename__}: {', '.join(missing[:10])}")
    return found


def set_pair_rule(
    engine: Engine,
    actor: str,
    program_key: str,
    round_key: str,
    need_key: str,
    org_key: str,
    rule: str,
    reason: str | None = None,
) -> None:
    """Lock a pair into the next runs, forbid it, or ``clear`` what was set.

    Raises:
        InvalidError: an unknown rule, or forbidding without a reason.
        ConflictError: forbidding a pair that was already accepted.
    """
    with transaction(engine) as session:
        _set_rule(
            session, actor, find_round(session, program_key, round_key), need_key, org_key, rule, reason
        )


def _set_rule(
    session: Session, actor: str, round_: Round, need_key: str, org_key: str, rule: str, reason: str | None
) -> None:
    if rule not in RULES:
        raise InvalidError(f"unknown pair rule {rule!r}; use one of {', '.join(RULES)}")
    if rule == "forbid" and not (reason and reason.strip()):
        raise InvalidError(f"forbidding {need_key} – {org_key} needs a reason")
    need, org = find_need(session, need_key), find_organization(session, org_key)
    accepted = session.get(Assignment, (round_.id, need.id, org.id))
    if rule == "forbid" and accepted is not None and accepted.status == "accepted":
        raise ConflictError(f"{need_key} – {org_key} was accepted; it cannot be forbidden")
    existing = session.get(PairRule, (round_.id, need.id, org.id))
    if existing is not None:
        session.delete(existing)
        session.flush()
    if rule != "clear":
        session.add(
            PairRule(
                round_id=round_.id,
                need_id=need.id,
                organization_id=org.id,
                rule=rule,
                reason=reason,
                actor=actor,
            )
        )
    record_change(
        session, actor, rule, "pair", f"{need_key}|{org_key}", {"round": round_.key, "reason": reason}
    )


def swap_partner(
    engine: Engine,
    actor: str,
    program_key: str,
    round_key: str,
    need_key: str,
    old_org: str,
    new_org: str,
    reason: str,
) -> None:
    """Replace a need's partner: forbid the old pair and lock the new one, together."""
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        _set_rule(session, actor, round_, need_key, old_org, "forbid", reason)
        _set_rule(session, actor, round_, need_key, new_org, "lock", reason)


def run_assignment(engine: Engine, actor: str, program_key: str, round_key: str) -> AssignmentReport:
    """Solve the round's assignment exactly, compare it with greedy, and store the proposed pairs.

    Accepted pairs and locked pairs are kept; forbidden pairs are never used.

    Raises:
        InvalidError: locks that cannot all hold, or a round without accepted needs or participants.
    """
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        problem, source = _problem(session, round_)
        exact = solve_exact(problem)
        greedy, loose = solve_greedy(problem), solve_unconstrained(problem)
        _store(session, round_, exact)
        record_change(
            session,
            actor,
            "assign",
            "round",
            f"{program_key}/{round_key}",
            {"total": exact.total, "greedy": greedy.total, "pairs": len(exact.pairs)},
        )
        return _report(program_key, round_key, problem, exact, greedy, loose, source)


def _problem(session: Session, round_: Round) -> tuple[AssignmentProblem, str]:
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
    rows = session.scalars(select(RoundCandidate).where(RoundCandidate.round_id == round_.id)).all()
    scores = {
        (needs[r.need_id], orgs[r.organization_id]): r.score
        for r in rows
        if r.need_id in needs and r.organization_id in orgs
    }
    source = "candidates" if rows else "trivial"
    if not rows:
        scores = {(n, o): 1.0 for n in needs.values() for o in capacity}
    locked, forbidden = _rules(session, round_, needs, orgs)
    setting = session.get(RoundSetting, round_.id)
    k = setting.max_partners if setting else 1
    problem = AssignmentProblem(tuple(sorted(needs.values())), capacity, scores, k, locked, forbidden)
    return problem, source


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
    need_ids = _ids(session, Need, {p.need for p in solution.pairs})
    org_ids = _ids(session, Organization, {p.partner for p in solution.pairs})
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
    program_key: str,
    round_key: str,
    problem: AssignmentProblem,
    exact: Solution,
    greedy: Solution,
    loose: Solution,
    source: str,
) -> AssignmentReport:
    load = Counter(pair.partner for pair in exact.pairs)
    others = alternatives(problem, exact)
    return AssignmentReport(
        program_key,
        round_key,
        tuple(_pair(p) for p in exact.pairs),
        exact.total,
        greedy.total,
        loose.total,
        loose.total - exact.total,
        exact.unassigned,
        {p: (load[p], problem.capacity[p]) for p in sorted(problem.capacity)},
        {need: tuple(_pair(p) for p in pairs) for need, pairs in others.items()},
        source,
    )


def _pair(pair: Pair) -> PairView:
    return PairView(pair.need, pair.partner, round(pair.score, 6), pair.is_locked)


def accept_assignment(
    engine: Engine,
    actor: str,
    program_key: str,
    round_key: str,
    need_keys: list[str] | None = None,
    at: dt.datetime | None = None,
) -> list[str]:
    """Accept the proposed pairs (of ``need_keys``, or all) and open one cooperation per need.

    Args:
        at: when the cooperations were matched (default: now), for records entered afterwards.

    Returns:
        The keys of the cooperations opened or joined, in need order.
    """
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        query = (
            select(Assignment, Need)
            .join(Need, Need.id == Assignment.need_id)
            .where(Assignment.round_id == round_.id)
        )
        if need_keys is not None:
            query = query.where(Need.key.in_(need_keys))
        rows = session.execute(query.order_by(Need.key, Assignment.organization_id)).all()
        if not rows:
            raise InvalidError(f"round {program_key}/{round_key} has no assignment to accept: run it first")
        partners: dict[str, list[int]] = {}
        for assignment, need in rows:
            assignment.status = "accepted"
            partners.setdefault(need.key, []).append(assignment.organization_id)
        keys = [
            _open(session, actor, program_key, round_, find_need(session, n), ids, at)
            for n, ids in partners.items()
        ]
        record_change(session, actor, "accept", "round", f"{program_key}/{round_key}", {"cooperations": keys})
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
