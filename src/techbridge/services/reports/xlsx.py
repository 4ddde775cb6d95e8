"""The report's numbers as a workbook: KPIs, funnel, pairs, agreements, outcomes; money in KRW and 억원.

Every cell is written through ``cells.append_rows``: text members wrote (an outcome's description, an
agreement's title) is never a formula and never holds a character XML cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from techbridge.domain.money import to_eok
from techbridge.services.reports.cells import append_rows
from techbridge.services.reports.report import ReportData


def write_xlsx(data: ReportData, path: Path) -> Path:
    """Write the report's numbers to ``path``; every amount has an exact KRW column."""
    book = Workbook()
    book.remove(book.active)
    k = data.kpis
    _sheet(book, "KPIs", ("indicator", "value", "krw", "eok"), [
        ("rnd_strategies", k.rnd_strategies, None, None),
        ("investment_planned", None, k.investment_planned_krw, to_eok(k.investment_planned_krw)),
        ("agreements", k.agreements, None, None),
        ("transfers", k.transfers, None, None),
        ("royalties", None, k.royalties_krw, to_eok(k.royalties_krw)),
        ("startups", k.startups, None, None),
        ("investment", None, k.investment_krw, to_eok(k.investment_krw)),
        ("products", k.products, None, None),
        ("joint_patents", k.joint_patents, None, None),
        ("fusion_technologies", k.fusion_technologies, None, None),
    ])  # fmt: skip
    _sheet(book, "Funnel", ("round", "step", "count", "rate"), [
        *((data.program, s.name, s.count, s.rate) for s in k.funnel),
        *((key, s.name, s.count, s.rate) for key, _, kpis in data.rounds for s in kpis.funnel),
    ])  # fmt: skip
    pair_headers = ("cooperation", "company", "institute", "field", "stage", "is_invented")
    pairs = [(p.cooperation, p.company, p.partners, p.field, p.stage, p.is_invented) for p in data.pairs]
    _sheet(book, "Pairs", pair_headers, pairs)
    _sheet(book, "Agreements", ("key", "kind", "title", "parties", "signed_on", "amount_krw", "amount_eok",
                                "royalty_terms", "is_invented"),
           [(a.key, a.kind, a.title, a.parties, a.signed_on, a.amount_krw, _eok(a.amount_krw),
             a.royalty_terms, a.is_invented) for a in data.agreements])  # fmt: skip
    _sheet(book, "Outcomes", ("key", "kind", "occurred_on", "quantity", "cooperation", "amount_krw",
                              "amount_eok", "description", "is_invented", "source"),
           [(o.key, o.kind, o.occurred_on, o.quantity, o.cooperation, o.amount_krw, _eok(o.amount_krw),
             o.description, o.is_invented, o.source) for o in data.outcomes])  # fmt: skip
    _sheet(book, "By year", ("year", "agreements", "transfers", "royalties_krw", "startups", "investment_krw",
                             "investment_planned_krw"),
           [(y, v.agreements, v.transfers, v.royalties_krw, v.startups, v.investment_krw,
             v.investment_planned_krw) for y, v in data.years])  # fmt: skip
    if data.licences is not None:
        t = data.licences.totals
        _sheet(book, "Licences", ("as_of", "licences", "agreed_krw", "received_krw", "outstanding_krw",
                                  "late_krw", "late_instalments"),
               [(data.licences.as_of, data.licences.licences, t.agreed_krw, t.received_krw, t.outstanding_krw,
                 t.late_krw, t.late_instalments)])  # fmt: skip
        _sheet(book, "Licences due", ("due_on", "licence", "cooperation", "licensee", "instalment",
                                      "outstanding_krw", "state"),
               [(d.due_on, d.licence, d.cooperation, d.licensee, d.number, d.outstanding_krw, d.state)
                for d in data.licences.due])  # fmt: skip
    kinds = sorted({kind for row in data.by_year.values() for kind in row})
    by_year = [(year, *(row.get(kind, 0) for kind in kinds)) for year, row in sorted(data.by_year.items())]
    _sheet(book, "Outcomes by year", ("year", *kinds), by_year)
    book.save(path)
    book.close()
    return path


def _eok(krw: int | None) -> float | None:
    return None if krw is None else to_eok(krw)


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet = book.create_sheet(title)
    append_rows(sheet, [headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    append_rows(sheet, rows)
    for column, header in zip(sheet.columns, headers, strict=False):
        if header.endswith("_krw") or header == "krw":
            for cell in column[1:]:
                cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
