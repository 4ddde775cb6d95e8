"""A round's assignment of partners to needs: candidate scores, locked and forbidden pairs, swaps,
runs, the stored pairs and their acceptance (administrators and the program's managers only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, CoreDep
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
from techbridge.services.programs import assignment, pairing
from techbridge.services.programs.assignment import AcceptRequest, AssignmentReport, StoredAssignment
from techbridge.services.programs.pairing import PairRuleRequest, ScoresRequest, SwapRequest
from techbridge.services.programs.round import RoundRef

router = APIRouter(
    prefix="/programs/{program}/rounds/{round_key}/assignment", tags=["assignment"], responses=ERROR_RESPONSES
)


@router.get("", response_model=StoredAssignmentPublic)
def get_assignment(core: CoreDep, actor: ActorDep, program: str, round_key: str) -> StoredAssignment:
    """Read the round's stored pairs (accepted, and proposed by the last run) without running it again."""
    return assignment.get_assignment(core, actor, RoundRef(program, round_key))


@router.post("", response_model=AssignmentPublic)
def run_assignment(core: CoreDep, actor: ActorDep, program: str, round_key: str) -> AssignmentReport:
    """Assign partners to the round's accepted needs, within capacities."""
    return assignment.run_assignment(core, actor, RoundRef(program, round_key))


@router.post("/accept", response_model=AcceptPublic, responses=CONFLICT)
def accept_assignment(
    core: CoreDep, actor: ActorDep, program: str, round_key: str, body: AcceptCreate
) -> dict[str, list[str]]:
    """Accept the proposed pairs (of the given needs, or all) and open their cooperations."""
    request = AcceptRequest(RoundRef(program, round_key), body.needs or None, moment_of(body.on))
    return {"cooperations": assignment.accept_assignment(core, actor, request)}


@router.put("/scores", response_model=CountPublic)
def set_scores(
    core: CoreDep, actor: ActorDep, program: str, round_key: str, body: ScoresUpdate
) -> dict[str, int]:
    """Replace the round's candidate scores (need × partner match quality)."""
    scores = {(s.need, s.organization): s.score for s in body.scores}
    count = pairing.set_candidate_scores(core, actor, ScoresRequest(RoundRef(program, round_key), scores))
    return {"count": count}


@router.post("/pair-rules", response_model=PairRuleCreate)
def set_pair_rule(
    core: CoreDep, actor: ActorDep, program: str, round_key: str, body: PairRuleCreate
) -> dict[str, Any]:
    """Lock a need–partner pair into the next runs, forbid it, or clear what was set."""
    values = (body.need, body.organization, str(body.rule), body.reason)
    pairing.set_pair_rule(core, actor, PairRuleRequest(RoundRef(program, round_key), *values))
    return body.model_dump()


@router.post("/swaps", response_model=SwapCreate)
def swap_partner(
    core: CoreDep, actor: ActorDep, program: str, round_key: str, body: SwapCreate
) -> dict[str, Any]:
    """Replace a need's partner: forbid the old pair and lock the new one, together."""
    values = (body.need, body.old_organization, body.new_organization, body.reason)
    pairing.swap_partner(core, actor, SwapRequest(RoundRef(program, round_key), *values))
    return body.model_dump()
