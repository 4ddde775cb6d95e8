"""Funding programs and their rounds: read by any signed-in user; managed (rounds, participants,
screening, assignment) by administrators and the program's managers; KPIs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from techbridge.api.deps import ActorDep, EngineDep, PagingDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.files import file_content, file_response
from techbridge.api.schemas import Page, ProgramPublic
from techbridge.api.schemas.programs import (
    KpisPublic,
    ParticipantsUpdate,
    ProgramCreate,
    RoundCreate,
    RoundDetail,
    ScreeningCreate,
    ScreeningPublic,
    SubmissionCreate,
)
from techbridge.api.schemas.reports import ReportPublic
from techbridge.domain.kpi import Kpis
from techbridge.services.access import read_page, read_record, require_program_manager, require_submission
from techbridge.services.actor import Actor
from techbridge.services.programs import kpi as kpis
from techbridge.services.programs import program as programs
from techbridge.services.programs import round as rounds
from techbridge.services.programs.round import RoundView
from techbridge.services.reports import report as reports
from techbridge.services.reports.report import ReportData

router = APIRouter(prefix="/programs", tags=["programs"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the name contains.")]


@router.get("", response_model=Page[ProgramPublic])
def list_programs(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    q: _Text = None,
) -> dict[str, Any]:
    """List programs."""
    filters = {"year": year, "q": q}
    rows, total = read_page(session, actor, "program", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=ProgramPublic)
def get_program(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one program by id or key."""
    return read_record(session, actor, "program", ident)


@router.post("", response_model=ProgramPublic, status_code=201, responses=CONFLICT)
def create_program(
    engine: EngineDep, session: SessionDep, actor: ActorDep, body: ProgramCreate
) -> dict[str, Any]:
    """Create a program (administrators and managers of every program)."""
    require_program_manager(session, actor, None)
    values = body.model_dump(exclude={"key", "name"})
    programs.create_program(engine, actor.name, body.key, body.name, **values)
    return read_record(session, actor, "program", body.key)


@router.post("/{program}/rounds", response_model=RoundDetail, status_code=201, responses=CONFLICT)
def create_round(
    engine: EngineDep, session: SessionDep, actor: ActorDep, program: str, body: RoundCreate
) -> RoundView:
    """Open a round of the program (its managers)."""
    require_program_manager(session, actor, program)
    values = body.model_dump(mode="json", exclude={"key", "name", "opens_on", "closes_on"})
    return rounds.create_round(
        engine,
        actor.name,
        program,
        body.key,
        body.name,
        opens_on=body.opens_on,
        closes_on=body.closes_on,
        **values,
    )


@router.get("/{program}/rounds/{round_key}", response_model=RoundDetail)
def get_round(engine: EngineDep, actor: ActorDep, program: str, round_key: str) -> RoundView:
    """Read a round with its participants and screening counts."""
    return rounds.get_round(engine, program, round_key)


@router.put("/{program}/rounds/{round_key}/participants", response_model=RoundDetail)
def set_participants(
    engine: EngineDep,
    session: SessionDep,
    actor: ActorDep,
    program: str,
    round_key: str,
    body: ParticipantsUpdate,
) -> RoundView:
    """Add organisations to the round, or change their capacity (its managers)."""
    require_program_manager(session, actor, program)
    return rounds.set_participants(engine, actor.name, program, round_key, dict(body.capacities))


@router.post("/{program}/rounds/{round_key}/submissions", response_model=RoundDetail, responses=CONFLICT)
def submit(
    engine: EngineDep,
    session: SessionDep,
    actor: ActorDep,
    program: str,
    round_key: str,
    body: SubmissionCreate,
) -> RoundView:
    """Submit needs or proposals to the round (the program's managers, or the items' own members)."""
    require_submission(session, actor, program, body.items)
    return rounds.submit(engine, actor.name, program, round_key, list(body.items))


@router.post("/{program}/rounds/{round_key}/screening", response_model=ScreeningPublic, responses=CONFLICT)
def screen(
    engine: EngineDep,
    session: SessionDep,
    actor: ActorDep,
    program: str,
    round_key: str,
    body: ScreeningCreate,
) -> dict[str, str]:
    """Accept or reject a need or proposal of the round (its managers)."""
    require_program_manager(session, actor, program)
    status = rounds.screen(engine, actor.name, program, round_key, body.item, body.accept, body.reason)
    return {"item": body.item, "status": status}


@router.get("/{program}/kpis", response_model=KpisPublic)
def program_kpis(
    engine: EngineDep,
    session: SessionDep,
    actor: ActorDep,
    program: str,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    round_key: Annotated[
        str | None, Query(alias="round", max_length=200, description="Only this round.")
    ] = None,
    organization: Annotated[str | None, Query(max_length=200, description="Only its cooperations.")] = None,
    consortium: Annotated[str | None, Query(max_length=200, description="Only this consortium.")] = None,
) -> Kpis:
    """Return the program's KPIs (all years, or one; a round's). Counting one organisation's or one
    consortium's records (they include needs) is for the program's managers and the organisation's members."""
    if organization is not None or consortium is not None:
        _require_scoped_reader(session, actor, program, organization)
    scope = kpis.Scope(
        program=program, round=round_key, consortium=consortium, organization=organization, year=year
    )
    return kpis.scope_kpis(engine, scope)


def _require_scoped_reader(session: Session, actor: Actor, program: str, organization: str | None) -> None:
    # How many needs one company has in a program says that it has needs: not for its competitors.
    own = actor.organization_id is not None and organization is not None
    if own and read_record(session, actor, "organization", str(organization))["id"] == actor.organization_id:
        return
    require_program_manager(session, actor, program)


@router.get("/{program}/report", response_model=ReportPublic)
def program_report(engine: EngineDep, session: SessionDep, actor: ActorDep, program: str) -> ReportData:
    """Return the program's report data: KPIs, pairs, agreements, outcomes (its managers)."""
    require_program_manager(session, actor, program)
    return reports.report_data(engine, program)


@router.get(
    "/{program}/report.{extension}", response_class=Response, responses=file_content("html", "pdf", "xlsx")
)
def program_report_file(
    engine: EngineDep,
    session: SessionDep,
    actor: ActorDep,
    program: str,
    extension: Literal["html", "pdf", "xlsx"],
) -> Response:
    """Download the program's report as ``techbridge report`` writes it: HTML, PDF or XLSX (its managers)."""
    require_program_manager(session, actor, program)
    return file_response(reports.render_report(engine, program, extension), f"report.{extension}")
