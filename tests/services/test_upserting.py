"""Needs and proposals share one upsert: created, updated field by field, owner and links moved, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from techbridge.errors import InvalidError
from techbridge.services.catalogue.organization import upsert_organization
from techbridge.services.catalogue.technology import upsert_technology
from techbridge.services.catalogue.upserting import upsert_owned
from techbridge.storage.db import transaction
from techbridge.storage.tables import AuditEntry, Need, Proposal


def _audit(engine: Engine) -> list[tuple[str, str, str | None, dict[str, object]]]:
    with transaction(engine) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.action, entry.entity, entry.entity_key, entry.details) for entry in entries]


def test_owned_record_is_created_then_updated_only_where_values_differ(engine: Engine) -> None:
    with transaction(engine) as session:
        lms, _ = upsert_organization(session, {"name": "(주)엘엠에스", "kind": "company"}, "t", audit=False)
        kodaco, _ = upsert_organization(session, {"name": "(주)코다코", "kind": "company"}, "t", audit=False)
        fields = ("title", "description", "budget_krw")
        need, outcome = upsert_owned(
            session, Need, {"key": "n1", "title": "라이다"}, "t", organization=lms, fields=fields
        )
        assert (outcome, need.title, need.description, need.codes) == ("created", "라이다", "", [])
        same = upsert_owned(
            session, Need, {"key": "n1", "title": "라이다"}, "t", organization=lms, fields=fields
        )
        assert same == (need, "unchanged")
        values = {"key": "n1", "budget_krw": 5, "description": None}
        moved = upsert_owned(session, Need, values, "t", organization=kodaco, fields=fields)
        assert moved == (need, "updated") and (need.budget_krw, need.organization.key) == (5, kodaco.key)
        with pytest.raises(InvalidError, match="a need needs a key"):
            upsert_owned(session, Need, {"title": "x"}, "t", organization=lms, fields=fields)
        with pytest.raises(InvalidError, match="a new proposal needs a title"):
            upsert_owned(session, Proposal, {"key": "p9"}, "t", organization=lms, fields=fields)
    assert _audit(engine) == [
        ("create", "need", "n1", {"organization": "org:엘엠에스"}),
        ("update", "need", "n1", {"fields": ["budget_krw", "organization"]}),
    ]


def test_link_is_set_on_create_changed_when_given_and_kept_when_left_out(engine: Engine) -> None:
    with transaction(engine) as session:
        kimm, _ = upsert_organization(session, {"name": "한국기계연구원", "kind": "research_institute"}, "t")
        first, _ = upsert_technology(session, {"key": "t1", "title": "메타렌즈"}, "t", owners=[kimm])
        second, _ = upsert_technology(session, {"key": "t2", "title": "나노임프린트"}, "t", owners=[kimm])
        fields = ("title",)
        values = {"key": "p1", "title": "사업화"}
        links = {"technology": first.id}
        proposal, outcome = upsert_owned(
            session, Proposal, values, "t", organization=kimm, fields=fields, links=links, audit=False
        )
        assert (outcome, proposal.technology_id) == ("created", first.id)
        kept = upsert_owned(session, Proposal, values, "t", organization=kimm, fields=fields, audit=False)
        assert kept == (proposal, "unchanged") and proposal.technology_id == first.id
        links = {"technology": second.id}
        changed = upsert_owned(session, Proposal, values, "t", organization=kimm, fields=fields, links=links)
        assert changed == (proposal, "updated") and proposal.technology_id == second.id
    assert _audit(engine)[-1] == ("update", "proposal", "p1", {"fields": ["technology"]})
