"""The round assignment board: a program's manager runs the assignment, locks, swaps and accepts pairs.

Each form calls the use case the API calls (``services.programs``), with the same rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.board import assignment_board, managed_rounds
from techbridge.services.programs.pairing import PairRuleRequest, SwapRequest, set_pair_rule, swap_partner
from techbridge.services.programs.round import RoundRef
from techbridge.web.highlight import highlight
from techbridge.web.pages import CoreDep, CsrfDep, VisitorDep, WebRoute, redirect, render

router = APIRouter(prefix="/rounds", route_class=WebRoute, include_in_schema=False)
_Key = Annotated[str, Form(max_length=200)]


@router.get("")
def rounds(request: Request, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """List the rounds the visitor manages."""
    return render(request, visitor, "rounds.html", {"rounds": managed_rounds(core, visitor.actor)})


@router.get("/{program}/{round_key}")
def board(request: Request, program: str, round_key: str, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show the round's stored assignment: pairs, scores, why each pair, locks and alternatives."""
    found = assignment_board(core, visitor.actor, RoundRef(program, round_key))
    page = {"round": found.round, "pairs": found.pairs, "scoring": found.scoring, "highlight": highlight}
    return render(request, visitor, "assignment.html", page)


@router.post("/{program}/{round_key}/run", dependencies=[CsrfDep])
def run(program: str, round_key: str, visitor: VisitorDep, core: CoreDep) -> Response:
    """Solve the assignment again (locks kept, forbidden pairs avoided)."""
    run_assignment(core, visitor.actor, RoundRef(program, round_key))
    return redirect(f"/rounds/{program}/{round_key}")


@router.post("/{program}/{round_key}/lock", dependencies=[CsrfDep])
def lock(
    program: str, round_key: str, visitor: VisitorDep, core: CoreDep, need: _Key, partner: _Key
) -> Response:
    """Lock a pair so that every later run keeps it, and re-run."""
    request = PairRuleRequest(RoundRef(program, round_key), need, partner, "lock", then_run=True)
    set_pair_rule(core, visitor.actor, request)
    return redirect(f"/rounds/{program}/{round_key}")


@router.post("/{program}/{round_key}/swap", dependencies=[CsrfDep])
def swap(
    program: str,
    round_key: str,
    visitor: VisitorDep,
    core: CoreDep,
    need: _Key,
    partner: _Key,
    new_partner: _Key,
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Replace a need's partner by an alternative (old pair forbidden, new one locked), and re-run."""
    why = reason.strip() or "swapped on the board"
    request = SwapRequest(RoundRef(program, round_key), need, partner, new_partner, why, then_run=True)
    swap_partner(core, visitor.actor, request)
    return redirect(f"/rounds/{program}/{round_key}")


@router.post("/{program}/{round_key}/accept", dependencies=[CsrfDep])
def accept(program: str, round_key: str, visitor: VisitorDep, core: CoreDep) -> Response:
    """Accept the proposed pairs: one cooperation opens per need, at ``matched``."""
    accept_assignment(core, visitor.actor, AcceptRequest(RoundRef(program, round_key)))
    return redirect("/pipeline")
