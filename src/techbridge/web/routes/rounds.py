"""The round assignment board: a program's manager runs the assignment, locks, swaps and accepts pairs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.services.access import require_program_manager
from techbridge.services.dashboards import assignment_board, managed_rounds
from techbridge.services.programs.assignment import (
    accept_assignment,
    run_assignment,
    set_pair_rule,
    swap_partner,
)
from techbridge.services.programs.round import get_round
from techbridge.storage.db import transaction
from techbridge.web.pages import CsrfDep, EngineDep, Visitor, VisitorDep, WebRoute, redirect, render

router = APIRouter(prefix="/rounds", route_class=WebRoute, include_in_schema=False)
_Key = Annotated[str, Form(max_length=200)]


def _require_manager(engine: EngineDep, visitor: Visitor, program: str) -> None:
    with transaction(engine) as session:
        require_program_manager(session, visitor.actor, program)


@router.get("")
def rounds(request: Request, visitor: VisitorDep, engine: EngineDep) -> HTMLResponse:
    """List the rounds the visitor manages."""
    return render(request, visitor, "rounds.html", {"rounds": managed_rounds(engine, visitor.actor)})


@router.get("/{program}/{round_key}")
def board(
    request: Request, program: str, round_key: str, visitor: VisitorDep, engine: EngineDep
) -> HTMLResponse:
    """Show the round's stored assignment: pairs, scores, locks and alternatives."""
    _require_manager(engine, visitor, program)
    data = {
        "round": get_round(engine, program, round_key),
        "pairs": assignment_board(engine, program, round_key),
    }
    return render(request, visitor, "assignment.html", data)


@router.post("/{program}/{round_key}/run", dependencies=[CsrfDep])
def run(program: str, round_key: str, visitor: VisitorDep, engine: EngineDep) -> Response:
    """Solve the assignment again (locks kept, forbidden pairs avoided)."""
    _require_manager(engine, visitor, program)
    run_assignment(engine, visitor.actor.name, program, round_key)
    return redirect(f"/rounds/{program}/{round_key}")


@router.post("/{program}/{round_key}/lock", dependencies=[CsrfDep])
def lock(
    program: str, round_key: str, visitor: VisitorDep, engine: EngineDep, need: _Key, partner: _Key
) -> Response:
    """Lock a pair so that every later run keeps it."""
    _require_manager(engine, visitor, program)
    set_pair_rule(engine, visitor.actor.name, program, round_key, need, partner, "lock")
    run_assignment(engine, visitor.actor.name, program, round_key)
    return redirect(f"/rounds/{program}/{round_key}")


@router.post("/{program}/{round_key}/swap", dependencies=[CsrfDep])
def swap(
    program: str,
    round_key: str,
    visitor: VisitorDep,
    engine: EngineDep,
    need: _Key,
    partner: _Key,
    new_partner: _Key,
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Replace a need's partner by an alternative (old pair forbidden, new one locked), and re-run."""
    _require_manager(engine, visitor, program)
    swap_partner(engine, visitor.actor.name, program, round_key, need, partner, new_partner,
                 reason.strip() or "swapped on the board")  # fmt: skip
    run_assignment(engine, visitor.actor.name, program, round_key)
    return redirect(f"/rounds/{program}/{round_key}")


@router.post("/{program}/{round_key}/accept", dependencies=[CsrfDep])
def accept(program: str, round_key: str, visitor: VisitorDep, engine: EngineDep) -> Response:
    """Accept the proposed pairs: one cooperation opens per need, at ``matched``."""
    _require_manager(engine, visitor, program)
    accept_assignment(engine, visitor.actor.name, program, round_key)
    return redirect("/pipeline")
