"""The data of the web's program pages: the rounds a manager assigns, a round's assignment board, the
KPI board. Each is a use case of (core, actor, request) that reads in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.kpi import Kpis, compute_kpis, outcomes_by_year
from techbridge.matching.explain import Explanation, explanation_from_dict
from techbridge.services.access.program import RoundAction, round_for
from techbridge.services.actor import Actor
from techbridge.services.core import Core
from techbridge.services.programs.kpi import Scope, check_scope, gather_facts
from techbridge.services.programs.program import ProgramFilter, ProgramView, program_views
from techbridge.services.programs.round import RoundRef, RoundView, round_view
from techbridge.services.programs.scoring import Scoring, stored_scoring
from techbridge.storage.pipeline import Assignment, PairRule, RoundCandidate
from techbridge.storage.tables import Need, Organization, Program, Round


@dataclass(frozen=True, slots=True)
class RoundLink:
    """A round a manager can open the assignment board of."""

    program: str
    program_name: str
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class BoardPair:
    """One row of the assignment board: a need, its proposed partner, why (engine scores), alternatives."""

    need: str
    need_title: str
    company: str
    partner: str
    partner_name: str
    score: float
    status: str
    is_locked: bool
    alternatives: tuple[tuple[str, str, float], ...]
    explanation: Explanation | None = None


@dataclass(frozen=True, slots=True)
class RoundBoard:
    """A round's assignment board: the round (rules, participants), its stored pairs and where their
    scores came from."""

    round: RoundView
    pairs: tuple[BoardPair, ...]
    scoring: Scoring | None = None


@dataclass(frozen=True, slots=True)
class KpiBoard:
    """The KPI board: the programs to choose from, the figures of the chosen scope, outcomes by year
    (of a chosen program)."""

    programs: tuple[ProgramView, ...]
    program: str | None
    year: int | None
    kpis: Kpis
    by_year: dict[int, dict[str, int]] | None


def managed_rounds(core: Core, actor: Actor) -> list[RoundLink]:
    """Return the rounds of the programs the actor manages."""
    with core.reading() as session:
        rows = session.execute(
            select(Program.key, Program.name, Program.id, Round.key, Round.name)
            .join(Round, Round.program_id == Program.id)
            .order_by(Program.key, Round.key)
        ).all()
    return [RoundLink(p, pn, r, rn) for p, pn, pid, r, rn in rows if actor.manages(pid)]


def assignment_board(core: Core, actor: Actor, ref: RoundRef) -> RoundBoard:
    """Return the stored assignment of a round (as last run), with each need's other candidates.

    Raises:
        NotFoundError: no such round, or one a manager does not manage.
        PermissionDeniedError: the actor manages no program.
    """
    with core.reading() as session:
        round_ = round_for(session, actor, ref.key, RoundAction.ASSIGN)
        pairs = _pairs(session, round_.id)
        return RoundBoard(round_view(session, round_), pairs, stored_scoring(session, round_.id))


def _pairs(session: Session, round_id: int) -> tuple[BoardPair, ...]:
    names = {o.id: (o.key, o.name) for o in session.scalars(select(Organization))}
    locks = {
        (r.need_id, r.organization_id)
        for r in session.scalars(select(PairRule).where(PairRule.round_id == round_id))
        if r.rule == "lock"
    }
    candidates = session.scalars(
        select(RoundCandidate)
        .where(RoundCandidate.round_id == round_id)
        .order_by(RoundCandidate.score.desc())
    ).all()
    pairs = []
    stored = select(Assignment, Need).join(Need, Need.id == Assignment.need_id)
    for a, need in session.execute(stored.where(Assignment.round_id == round_id).order_by(Need.key)):
        others = tuple(
            (*names[c.organization_id], round(c.score, 4))
            for c in candidates
            if c.need_id == need.id and c.organization_id != a.organization_id
        )[:3]
        key, name = names[a.organization_id]
        why = next(
            (
                c.explanation
                for c in candidates
                if (c.need_id, c.organization_id) == (need.id, a.organization_id)
            ),
            None,
        )
        pairs.append(
            BoardPair(need.key, need.title, names[need.organization_id][1], key, name,
                      round(a.score, 4), a.status, (need.id, a.organization_id) in locks, others,
                      explanation_from_dict(why) if why else None)
        )  # fmt: skip
    return tuple(pairs)


def kpi_board(core: Core, actor: Actor, scope: Scope) -> KpiBoard:
    """Return the KPI board of every program, or of one (and one year): aggregate counts and sums
    only, which every signed-in user reads.

    Raises:
        NotFoundError: no such program.
    """
    with core.reading() as session:
        check_scope(session, actor, scope)
        programs = tuple(program_views(session, ProgramFilter()))
        facts = gather_facts(session, scope)
        by_year = None
        if scope.program is not None:
            by_year = outcomes_by_year(gather_facts(session, Scope(program=scope.program)).outcomes)
        return KpiBoard(programs, scope.program, scope.year, compute_kpis(facts), by_year)
