"""People are upserted by key; the default key carries the affiliation."""

from __future__ import annotations

from sqlalchemy import Engine

from techbridge.services.catalogue.organization import upsert_organization
from techbridge.services.catalogue.person import person_key, upsert_person
from techbridge.storage.db import transaction


def test_same_name_at_two_institutes_is_two_people(engine: Engine) -> None:
    with transaction(engine) as session:
        kimm, _ = upsert_organization(session, {"name": "한국기계연구원", "kind": "research_institute"}, "t")
        etri, _ = upsert_organization(
            session, {"name": "한국전자통신연구원", "kind": "research_institute"}, "t"
        )
        one, created = upsert_person(session, {"name": "김지훈"}, "t", organization=kimm)
        two, _ = upsert_person(session, {"name": "김지훈"}, "t", organization=etri)
        assert created == "created" and one.id != two.id
        assert one.key == person_key("김지훈", kimm.key) == "person:김지훈@org:한국기계연구원"
        assert (
            upsert_person(session, {"name": "김지훈", "email": "k@x.org"}, "t", organization=kimm)[1]
            == "updated"
        )
        assert upsert_person(session, {"key": one.key, "name": "김지훈"}, "t")[1] == "unchanged"
