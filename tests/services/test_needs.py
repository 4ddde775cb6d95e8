"""Needs and proposals are upserted by key for a stored organisation."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from techbridge.errors import InvalidError
from techbridge.services.catalogue.organization import upsert_organization
from techbridge.services.catalogue.proposal import upsert_proposal
from techbridge.services.needs.need import upsert_need
from techbridge.storage.db import transaction


def test_need_and_proposal_upserts(engine: Engine) -> None:
    with transaction(engine) as session:
        lms, _ = upsert_organization(session, {"name": "(주)엘엠에스", "kind": "company"}, "t")
        kimm, _ = upsert_organization(session, {"name": "한국기계연구원", "kind": "research_institute"}, "t")
        need, outcome = upsert_need(session, {"key": "n1", "title": "라이다 소재"}, "t", organization=lms)
        assert (outcome, need.visibility) == ("created", "confidential")
        assert upsert_need(session, {"key": "n1", "budget_krw": 5}, "t", organization=lms)[1] == "updated"
        proposal, outcome = upsert_proposal(session, {"key": "p1", "title": "사업화"}, "t", organization=kimm)
        assert outcome == "created" and proposal.technology_id is None
        with pytest.raises(InvalidError):
            upsert_need(session, {"key": "n2"}, "t", organization=lms)
