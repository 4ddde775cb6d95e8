"""What a manager tells a round's assignment: candidate scores (overriding the engine's), locked and
forbidden pairs, swaps. A need is never paired with its own organisation, whichever way it is asked.

Every need named here must be one of the round's: any other key (another program's need, a hidden
one, or none at all) answers as a missing one, and nothing is stored (``access.program.round_need``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from techbridge.errors import ConflictError, InvalidError
from techbridge.services.access.program import RoundAction, round_for, round_need, round_needs
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import find_organization
from techbridge.services.core import Core
from techbridge.services.programs.assignment import AssignmentReport, organization_ids, run_round
from techbridge.services.programs.round import RoundRef
from techbridge.services.programs.scoring import FILE, refuse_own_pairs
from techbridge.storage.pipeline import Assignment, PairRule, RoundCandidate, RoundScoring
from techbridge.storage.tables import Round

RULES = ("lock", "forbid", "clear")


@dataclass(frozen=True, slots=True)
class ScoresRequest:
    """A round's candidate scores ``{(need key, organisation key): score}``, replacing the stored ones
    and overriding the matching engine's; none at all: the engine scores the round again."""

    round: RoundRef
    scores: Mapping[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class PairRuleRequest:
    """Lock a need–partner pair into the next runs, forbid it (with a reason), or ``clear`` what was set.

    Attributes:
        then_run: run the assignment again in the same unit of work (the board's buttons do).
    """

    round: RoundRef
    need: str
    organization: str
    rule: str
    reason: str | None = None
    then_run: bool = False


@dataclass(frozen=True, slots=True)
class SwapRequest:
    """Replace a need's partner: forbid the old pair and lock the new one, together, with the reason."""

    round: RoundRef
    need: str
    old_organization: str
    new_organization: str
    reason: str
    then_run: bool = False


def set_candidate_scores(core: Core, actor: Actor, request: ScoresRequest) -> int:
    """Replace a round's candidate scores; return how many were stored (its managers).

    Loaded scores override the matching engine's until scores are replaced by none, which hands the
    round back to the engine. Every need must be one of the round's: any other key (another
    program's need, a hidden one) answers as a missing one, and nothing is stored.

    Raises:
        NotFoundError: no such round (or one a manager does not manage), a need not in the round,
            or an unknown organisation.
        PermissionDeniedError: the actor manages no program.
        InvalidError: a pair of a need with its own organisation (every such pair is named).
    """
    with core.writing() as session:
        round_ = round_for(session, actor, request.round.key, RoundAction.ASSIGN, for_update=True)
        needs = round_needs(session, round_, {n for n, _ in request.scores})
        orgs = organization_ids(session, {o for _, o in request.scores})
        refuse_own_pairs(session, {(n, o): (needs[n], orgs[o]) for n, o in request.scores})
        session.execute(delete(RoundCandidate).where(RoundCandidate.round_id == round_.id))
        session.execute(delete(RoundScoring).where(RoundScoring.round_id == round_.id))
        if request.scores:
            at = core.clock()
            session.add(RoundScoring(round_id=round_.id, source=FILE, actor=actor.name, at=at))
        for (need, org), score in sorted(request.scores.items()):
            session.add(
                RoundCandidate(
                    round_id=round_.id, need_id=needs[need], organization_id=orgs[org], score=score
                )
            )
        details = {"pairs": len(request.scores)}
        record_change(
            session, actor.name, "score", "round", f"{request.round.program}/{request.round.round}", details
        )
        return len(request.scores)


def set_pair_rule(core: Core, actor: Actor, request: PairRuleRequest) -> AssignmentReport | None:
    """Lock a pair into the next runs, forbid it, or ``clear`` what was set (its managers).

    Returns:
        The new run when ``then_run`` asks for one.

    Raises:
        NotFoundError: no such round (or one a manager does not manage), a need not in the round
            (any other key: the same answer), or an unknown organisation.
        PermissionDeniedError: the actor manages no program.
        InvalidError: an unknown rule, forbidding without a reason, or locking a need with its own
            organisation.
        ConflictError: forbidding a pair that was already accepted.
    """
    with core.writing() as session:
        round_ = round_for(session, actor, request.round.key, RoundAction.ASSIGN, for_update=True)
        set_rule(
            session, actor.name, round_, request.need, request.organization, request.rule, request.reason
        )
        return run_round(core, session, actor, request.round, round_) if request.then_run else None


def set_rule(
    session: Session, actor: str, round_: Round, need_key: str, org_key: str, rule: str, reason: str | None
) -> None:
    """Store a pair rule of ``round_`` within a unit of work whose caller manages the round."""
    if rule not in RULES:
        raise InvalidError(f"unknown pair rule {rule!r}; use one of {', '.join(RULES)}")
    if rule == "forbid" and not (reason and reason.strip()):
        raise InvalidError(f"forbidding {need_key} – {org_key} needs a reason")
    need, org = round_need(session, round_, need_key), find_organization(session, org_key)
    if rule == "lock":
        refuse_own_pairs(session, {(need_key, org_key): (need.id, org.id)})
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


def swap_partner(core: Core, actor: Actor, request: SwapRequest) -> AssignmentReport | None:
    """Replace a need's partner: forbid the old pair and lock the new one, together (its managers).

    Raises:
        NotFoundError, PermissionDeniedError, InvalidError, ConflictError: as ``set_pair_rule``.
    """
    with core.writing() as session:
        round_ = round_for(session, actor, request.round.key, RoundAction.ASSIGN, for_update=True)
        values = (request.need, request.old_organization)
        set_rule(session, actor.name, round_, *values, "forbid", request.reason)
        set_rule(session, actor.name, round_, request.need, request.new_organization, "lock", request.reason)
        return run_round(core, session, actor, request.round, round_) if request.then_run else None
