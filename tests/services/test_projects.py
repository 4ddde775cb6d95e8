"""Projects are upserted by key and participants by (project, organisation)."""

from __future__ import annotations

from sqlalchemy import Engine

from techbridge.services.catalogue.organization import upsert_organization
from techbridge.services.catalogue.project import upsert_participant, upsert_project
from techbridge.storage.db import transaction


def test_participants_are_added_then_updated(engine: Engine) -> None:
    with transaction(engine) as session:
        sintef, _ = upsert_organization(session, {"name": "SINTEF AS", "kind": "research_institute"}, "t")
        project, outcome = upsert_project(session, {"key": "HE-1", "title": "Hydrogen"}, "t")
        assert outcome == "created"
        assert (
            upsert_participant(session, project, sintef, role="participant", contribution=10.0)[1]
            == "created"
        )
        assert (
            upsert_participant(session, project, sintef, role="participant", contribution=10.0)[1]
            == "unchanged"
        )
        assert upsert_participant(session, project, sintef, role="coordinator")[1] == "updated"
        assert [(p.role, p.contribution) for p in project.participants] == [("coordinator", 10.0)]
        assert upsert_project(session, {"key": "HE-1", "acronym": "H2"}, "t")[1] == "updated"
