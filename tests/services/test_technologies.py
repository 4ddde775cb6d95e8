"""Technologies are upserted by key; owners and inventors are added, never removed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from techbridge.services.organizations import upsert_organization
from techbridge.services.people import upsert_person
from techbridge.services.technologies import upsert_technology
from techbridge.storage.db import transaction


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
