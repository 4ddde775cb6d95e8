"""Funding programs and their rounds: read by any signed-in user; managed (rounds, participants,
screening, assignment) by administrators and the program's managers; KPIs and the report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.files import file_content, file_response
from techbridge.api.routes.records import TextQuery, add_record_routes
from techbridge.api.schemas import ProgramPublic
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
from techbridge.services.programs import kpi as kpis
from techbridge.services.programs import program as programs
from techbridge.services.programs import round as rounds
from techbridge.services.programs.program import ProgramRequest, ProgramView
from techbridge.services.programs.round import RoundRef, RoundView, ScreeningView
from techbridge.services.reports import report as reports
from techbridge.services.reports.report import ReportData

router = APIRouter(prefix="/programs", tags=["programs"], responses=ERROR_RESPONSES)


def _filters(
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None, q: TextQuery = None
) -> dict[str, Any]:
    return {"year": year, "q": q}


add_record_routes(router, "program", "programs", ProgramPublic, _filters)


@router.post("", response_model=ProgramPublic, status_code=201, responses=CONFLICT)
def create_program(core: CoreDep, actor: ActorDep, body: ProgramCreate) -> ProgramView:
    """Create a program (administrators and managers of every program)."""
    return programs.create_program(core, actor, ProgramRequest(**body.model_dump()))


@router.post("/{program}/rounds", response_model=RoundDetail, status_code=201, responses=CONFLICT)
def create_round(core: CoreDep, actor: ActorDep, program: str, body: RoundCreate) -> RoundView:
    """Open a round of the program (its managers)."""
    values = body.model_dump(mode="json", exclude={"opens_on", "closes_on"})
    request = rounds.RoundRequest(program, opens_on=body.opens_on, closes_on=body.closes_on, **values)
    return rounds.create_round(core, actor, request)


@router.get("/{program}/rounds/{round_key}", response_model=RoundDetail)
def get_round(core: CoreDep, actor: ActorDep, program: str, round_key: str) -> RoundView:
    """Read a round with its participants and screening counts."""
    return rounds.get_round(core, actor, RoundRef(program, round_key))


@router.put("/{program}/rounds/{round_key}/participants", response_model=RoundDetail)
def set_participants(
    core: CoreDep, actor: ActorDep, program: str, round_key: str, body: ParticipantsUpdate
) -> RoundView:
    """Add organisations to the round, or change their capacity (its managers)."""
    request = rounds.ParticipantsRequest(RoundRef(program, round_key), dict(body.capacities))
    return rounds.set_participants(core, actor, request)


@router.post("/{program}/rounds/{round_key}/submissions", response_model=RoundDetail, responses=CONFLICT)
def submit(core: CoreDep, actor: ActorDep, program: str, round_key: str, body: SubmissionCreate) -> RoundView:
    """Submit needs or proposals to the round (the program's managers, or the items' own members)."""
    return rounds.submit(core, actor, rounds.SubmitRequest(RoundRef(program, round_key), list(body.items)))


@router.post("/{program}/rounds/{round_key}/screening", response_model=ScreeningPublic, responses=CONFLICT)
def screen(
    core: CoreDep, actor: ActorDep, program: str, round_key: str, body: ScreeningCreate
) -> ScreeningView:
    """Accept or reject a need or proposal of the round (its managers)."""
    request = rounds.ScreenRequest(RoundRef(program, round_key), body.item, body.accept, body.reason)
    return rounds.screen(core, actor, request)


@router.get("/{program}/kpis", response_model=KpisPublic)
def program_kpis(
    core: CoreDep,
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
    scope = kpis.Scope(
        program=program, round=round_key, consortium=consortium, organization=organization, year=year
    )
    return kpis.scope_kpis(core, actor, scope)


@router.get("/{program}/report", response_model=ReportPublic)
def program_report(core: CoreDep, actor: ActorDep, program: str) -> ReportData:
    """Return the program's report data: KPIs, pairs, agreements, outcomes (its managers)."""
    return reports.report_data(core, actor, program)


@router.get(
    "/{program}/report.{extension}", response_class=Response, responses=file_content("html", "pdf", "xlsx")
)
def program_report_file(
    core: CoreDep, actor: ActorDep, program: str, extension: Literal["html", "pdf", "xlsx"]
) -> Response:
    """Download the program's report as ``techbridge report`` writes it: HTML, PDF or XLSX (its managers)."""
    return file_response(reports.render_report(core, actor, program, extension), f"report.{extension}")
