"""Technologies are upserted by key; owners and inventors are added, never removed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, event

from techbridge.services.actor import operator
from techbridge.services.catalogue.organization import upsert_organization
from techbridge.services.catalogue.person import upsert_person
from techbridge.services.catalogue.records import RecordFilter, list_records
from techbridge.services.catalogue.technology import upsert_technology
from techbridge.storage.db import transaction
from tests.factories import core_on


def test_owners_and_inventors_accumulate(engine: Engine) -> None:
    values = {"key": "KR1", "title": "필름", "codes": ["G02B 1/11"], "application_date": dt.date(2020, 1, 2)}
    with transaction(engine) as session:
        kimm, _ = upsert_organization(session, {"name": "한국기계연구원", "kind": "research_institute"}, "t")
        lms, _ = upsert_organization(session, {"name": "(주)엘엠에스", "kind": "company"}, "t")
        kim, _ = upsert_person(session, {"key": "inv:김", "name": "김"}, "t")
        film, outcome = upsert_technology(session, values, "t", owners=[kimm, kimm], inventors=[kim])
        assert outcome == "created" and film.owners == [kimm]
        assert upsert_technology(session, values, "t", owners=[kimm])[1] == "unchanged"
        assert upsert_technology(session, values, "t", owners=[lms])[1] == "updated"
        assert film.owners == [kimm, lms] and film.inventors == [kim]


def _statements(engine: Engine, rows: int) -> int:
    """Return how many SQL statements reading a page of ``rows`` technologies (with owners) takes."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = list_records(core_on(engine), operator("t"), "technology", RecordFilter(limit=rows)).items
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(page) == rows and all(row["owners"] == ["kr-kimm"] for row in page)
    return len(seen)


def test_a_page_of_technologies_takes_the_same_queries_whatever_its_length(engine: Engine) -> None:
    with transaction(engine) as session:
        kimm, _ = upsert_organization(
            session, {"key": "kr-kimm", "name": "한국기계연구원", "kind": "research_institute"}, "t"
        )
        kim, _ = upsert_person(session, {"key": "inv:김", "name": "김"}, "t")
        for i in range(40):
            upsert_technology(
                session, {"key": f"KR{i}", "title": f"기술 {i}"}, "t", owners=[kimm], inventors=[kim]
            )
    assert _statements(engine, 5) == _statements(engine, 40) > 0
