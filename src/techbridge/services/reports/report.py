"""The program report: its figures gathered once, then written as HTML, PDF (weasyprint) and XLSX.

``techbridge report PROGRAM --out DIR`` calls ``write_report``, the API ``report_data`` and
``render_report``; each is a use case of (core, actor, program key), for the program's managers.
Money is in 억원 with the exact KRW beside it (a title in HTML, a column in XLSX).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.kpi import Kpis, OutcomeFact, compute_kpis, outcomes_by_year
from techbridge.errors import InvalidError
from techbridge.services.access.program import ProgramAction, program_for
from techbridge.services.actor import Actor
from techbridge.services.cooperations.licence_view import (
    ProgramLicences,
    licence_view,
    program_licence_rows,
    program_summary,
)
from techbridge.services.core import Core
from techbridge.services.programs.kpi import Scope, gather_facts
from techbridge.storage.tables import Agreement, Consortium, Cooperation, Outcome, Program, Round

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PairRow:
    """One cooperation as the press release lists it: company × institute × field."""

    cooperation: str
    company: str
    partners: str
    field: str
    stage: str
    is_invented: bool


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """One signed agreement."""

    key: str
    kind: str
    title: str
    parties: str
    signed_on: dt.date | None
    amount_krw: int | None
    royalty_terms: str | None
    is_invented: bool


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One outcome record."""

    key: str
    kind: str
    occurred_on: dt.date
    cooperation: str
    amount_krw: int | None
    description: str
    is_invented: bool
    quantity: int = 1
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows, computed from records."""

    program: str
    name: str
    name_en: str | None
    ministry: str | None
    year: int | None
    kpis: Kpis
    rounds: tuple[tuple[str, str, Kpis], ...]
    years: tuple[tuple[int, Kpis], ...]
    pairs: tuple[PairRow, ...]
    agreements: tuple[AgreementRow, ...]
    outcomes: tuple[OutcomeRow, ...]
    by_year: dict[int, dict[str, int]]
    invented: int
    #: The program's licences on the report's date: fees and royalties agreed, received, outstanding, late.
    licences: ProgramLicences | None = None


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """The files a report run wrote."""

    html: Path
    pdf: Path | None
    xlsx: Path


def report_data(core: Core, actor: Actor, program_key: str) -> ReportData:
    """Gather the report of program ``program_key`` (its managers, administrators).

    A report lists the program's cooperations (whose titles may come from needs), agreements and
    outcomes, so it is read as the program's cooperations are.

    Raises:
        NotFoundError: no such program, or one a manager does not manage.
        PermissionDeniedError: the actor manages no program.
    """
    with core.reading() as session:
        program = program_for(session, actor, program_key, ProgramAction.REPORT)
        return gather_report(session, program, core.clock().date())


def gather_report(session: Session, program: Program, as_of: dt.date | None = None) -> ReportData:
    """Gather the report of ``program`` on ``as_of`` (today) in a unit of work whose caller may read it."""
    program_key = program.key
    rounds = session.execute(
        select(Round.key, Round.name).where(Round.program_id == program.id).order_by(Round.id)
    ).all()
    coops = _cooperations(session, program.id)
    pairs = tuple(_pair(c) for c in coops)
    agreements = _agreements(session, [c.id for c in coops])
    outcomes = _outcomes(session, program.id, {c.id: c.key for c in coops})
    years = sorted(
        {o.occurred_on.year for o in outcomes} | {a.signed_on.year for a in agreements if a.signed_on}
    )
    invented = sum(p.is_invented for p in pairs) + sum(a.is_invented for a in agreements)
    invented += sum(o.is_invented for o in outcomes)
    return ReportData(
        program.key, program.name, program.name_en, program.ministry, program.year,
        compute_kpis(gather_facts(session, Scope(program=program_key))),
        tuple((k, n, _round_kpis(session, program_key, k)) for k, n in rounds),
        tuple((y, _year_kpis(session, program_key, y)) for y in years),
        pairs, agreements, outcomes,
        outcomes_by_year([OutcomeFact(o.kind, o.occurred_on, o.amount_krw, o.quantity) for o in outcomes]),
        invented,
        _licences(session, program, as_of or dt.date.today()),
    )  # fmt: skip


def _licences(session: Session, program: Program, as_of: dt.date) -> ProgramLicences:
    rows = program_licence_rows(session, program.id)
    return program_summary(program.key, as_of, [licence_view(session, row, as_of) for row in rows])


def _year_kpis(session: Session, program_key: str, year: int) -> Kpis:
    return compute_kpis(gather_facts(session, Scope(program=program_key, year=year)))


def _round_kpis(session: Session, program_key: str, round_key: str) -> Kpis:
    return compute_kpis(gather_facts(session, Scope(program=program_key, round=round_key)))


def _cooperations(session: Session, program_id: int) -> list[Cooperation]:
    query = select(Cooperation).where(Cooperation.program_id == program_id)
    return list(session.scalars(query.order_by(Cooperation.is_invented, Cooperation.key)))


def _pair(coop: Cooperation) -> PairRow:
    demand = [m.organization.name for m in coop.members if m.role == "demand"]
    supply = [m.organization.name for m in coop.members if m.role != "demand"]
    return PairRow(
        coop.key, ", ".join(demand), ", ".join(supply), coop.field or coop.title, coop.stage, coop.is_invented
    )


def _agreements(session: Session, coop_ids: list[int]) -> tuple[AgreementRow, ...]:
    rows = session.scalars(
        select(Agreement)
        .where(Agreement.cooperation_id.in_(coop_ids))
        .order_by(Agreement.signed_on, Agreement.key)
    )
    return tuple(
        AgreementRow(a.key, a.kind, a.title, ", ".join(p.name for p in a.parties), a.signed_on, a.amount_krw,
                     a.royalty_terms, a.is_invented)
        for a in rows
    )  # fmt: skip


def _outcomes(session: Session, program_id: int, coops: dict[int, str]) -> tuple[OutcomeRow, ...]:
    """Return the outcomes of the program's cooperations, of its consortia and its reported totals."""
    consortia = dict(
        session.execute(
            select(Consortium.id, Consortium.key).where(Consortium.program_id == program_id)
        ).all()
    )
    condition = (
        Outcome.cooperation_id.in_(coops)
        | Outcome.consortium_id.in_(consortia)
        | (Outcome.program_id == program_id)
    )
    rows = session.scalars(select(Outcome).where(condition).order_by(Outcome.occurred_on, Outcome.key))
    return tuple(
        OutcomeRow(
            o.key,
            o.kind,
            o.occurred_on,
            _owner(o, coops, consortia),
            o.amount_krw,
            o.description,
            o.is_invented,
            o.quantity,
            o.source,
        )
        for o in rows
    )


def _owner(outcome: Outcome, coops: dict[int, str], consortia: dict[int, str]) -> str:
    if outcome.cooperation_id in coops:
        return coops[outcome.cooperation_id]
    return consortia.get(outcome.consortium_id or 0, "")


def write_report(core: Core, actor: Actor, program_key: str, out_dir: Path, pdf: bool = True) -> ReportFiles:
    """Write ``report.html``, ``report.pdf`` and ``report.xlsx`` of a program into ``out_dir``.

    Raises:
        NotFoundError: no such program, or one a manager does not manage.
        PermissionDeniedError: the actor manages no program.
        ImportError: PDF asked for but weasyprint is not installed (the message says how to install it).
    """
    from techbridge.services.reports.html import render_html
    from techbridge.services.reports.xlsx import write_xlsx

    data = report_data(core, actor, program_key)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = render_html(data)
    html_path = out_dir / "report.html"
    html_path.write_text(html, encoding="utf-8")
    xlsx_path = write_xlsx(data, out_dir / "report.xlsx")
    pdf_path = _write_pdf(html, out_dir / "report.pdf") if pdf else None
    log.info("wrote the report of %s to %s", program_key, out_dir)
    return ReportFiles(html_path, pdf_path, xlsx_path)


REPORT_FORMATS = ("html", "pdf", "xlsx")


def render_report(core: Core, actor: Actor, program_key: str, extension: str) -> bytes:
    """Return the program's report as one file: ``report.html``, ``report.pdf`` or ``report.xlsx``.

    Raises:
        NotFoundError: no such program, or one a manager does not manage.
        PermissionDeniedError: the actor manages no program.
        InvalidError: ``extension`` is none of ``REPORT_FORMATS``.
    """
    from techbridge.services.reports.html import render_html
    from techbridge.services.reports.xlsx import write_xlsx

    if extension not in REPORT_FORMATS:
        raise InvalidError(f"a report is {', '.join(REPORT_FORMATS)}, not {extension!r}")
    data = report_data(core, actor, program_key)
    if extension == "xlsx":
        with tempfile.TemporaryDirectory() as folder:
            return write_xlsx(data, Path(folder) / "report.xlsx").read_bytes()
    html = render_html(data)
    return _pdf_bytes(html) if extension == "pdf" else html.encode("utf-8")


def _pdf_bytes(html: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return _write_pdf(html, Path(folder) / "report.pdf").read_bytes()


def _write_pdf(html: str, path: Path) -> Path:
    try:
        with warnings.catch_warnings():  # weasyprint 70 warns at import when HarfBuzz-Subset is missing
            warnings.simplefilter("ignore", DeprecationWarning)
            from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("PDF reports need weasyprint: pip install weasyprint==70.0") from exc
    HTML(string=html).write_pdf(path)
    return path
