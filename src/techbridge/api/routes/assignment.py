"""A round's assignment of partners to needs: candidate scores, locked and forbidden pairs, swaps,
runs, the stored pairs and their acceptance (administrators and the program's managers only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, EngineDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas.assignment import (
    AcceptCreate,
    AcceptPublic,
    AssignmentPublic,
    CountPublic,
    PairRuleCreate,
    ScoresUpdate,
    StoredAssignmentPublic,
    SwapCreate,
)
from techbridge.api.schemas.cooperations import moment_of
from techbridge.services.access import require_program_manager
from techbridge.services.programs import assignment
from techbridge.services.programs.assignment import AssignmentReport, StoredAssignment

router = APIRouter(
    prefix="/programs/{program}/rounds/{round_key}/assignment", tags=["assignment"], responses=ERROR_RESPONSES
)


@router.get("", response_model=StoredAssignmentPublic)
def get_assignment(
    engine: EngineDep, session: SessionDep, actor: ActorDep, program: str, round_key: str
) -> StoredAssignment:
    """Read the round's stored pairs (accepted, and proposed by the last run) without running it again."""
    require_program_manager(session, actor, program)
    return assignment.get_assignment(engine, program, round_key)


@router.post("", response_model=AssignmentPublic)
def run_assignment(
    engine: EngineDep, session: SessionDep, actor: ActorDep, program: str, round_key: str
) -> AssignmentReport:
    """Assign partners to the round's accepted needs, within capacities."""
    require_program_manager(session, actor, program)
    return assignment.run_assignment(engine, actor.name, program, round_key)


@router.post("/accept", response_model=AcceptPublic, responses=CONFLICT)
def accept_assignment(
    engine: EngineDep, session: SessionDep, actor: ActorDep, program: str, round_key: str, body: AcceptCreate
) -> dict[str, list[str]]:
    """Accept the proposed pairs (of the given needs, or all) and open their cooperations."""
    require_program_manager(session, actor, program)
    at = moment_of(body.on)
    opened = assignment.accept_assignment(engine, actor.name, program, round_key, body.needs or None, at)
    return {"cooperations": opened}


@router.put("/scores", response_model=CountPublic)
def set_scores(
    engine: EngineDep, session: SessionDep, actor: ActorDep, program: str, round_key: str, body: ScoresUpdate
) -> dict[str, int]:
    """Replace the round's candidate scores (need × partner match quality)."""
    require_program_manager(session, actor, program)
    scores = {(s.need, s.organization): s.score for s in body.scores}
    return {"count": assignment.set_candidate_scores(engine, actor.name, program, round_key, scores)}


@router.post("/pair-rules", response_model=PairRuleCreate)
def set_pair_rule(
    engine: EngineDep,
    session: SessionDep,
    actor: ActorDep,
    program: str,
    round_key: str,
    body: PairRuleCreate,
) -> dict[str, Any]:
    """Lock a need–partner pair into the next runs, forbid it, or clear what was set."""
    require_program_manager(session, actor, program)
    values = (body.need, body.organization, str(body.rule), body.reason)
    assignment.set_pair_rule(engine, actor.name, program, round_key, *values)
    return body.model_dump()


@router.post("/swaps", response_model=SwapCreate)
def swap_partner(
    engine: EngineDep, session: SessionDep, actor: ActorDep, program: str, round_key: str, body: SwapCreate
) -> dict[str, Any]:
    """Replace a need's partner: forbid the old pair and lock the new one, together."""
    require_program_manager(session, actor, program)
    values = (body.need, body.old_organization, body.new_organization, body.reason)
    assignment.swap_partner(engine, actor.name, program, round_key, *values)
    return body.model_dump()
