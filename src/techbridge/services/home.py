"""The home dashboard: what each role sees first, gathered from the use cases that own each part.

Managers and administrators see their cooperations, the rounds they manage, what went stale and
the KPIs; companies their own needs; institutes the published summaries and their technologies;
viewers the KPIs. Every part is read through its own use case, with its own access rules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from techbridge.domain.kpi import Kpis
from techbridge.services.access.need import FULL, SUMMARY
from techbridge.services.actor import Actor
from techbridge.services.catalogue.entity import Row
from techbridge.services.catalogue.records import RecordFilter, get_record, list_records
from techbridge.services.core import Core
from techbridge.services.dashboards import CooperationCard, cooperation_cards, primary_role, stage_counts
from techbridge.services.needs.reading import NeedFilter, list_needs
from techbridge.services.programs.board import RoundLink, managed_rounds
from techbridge.services.programs.kpi import Scope, scope_kpis

_MANAGERS = ("administrator", "program_manager")


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The home page's data for one actor (parts their role does not see are ``None``)."""

    role: str
    organization: Row | None
    cards: list[CooperationCard]
    counts: dict[str, int]
    rounds: list[RoundLink] | None = None
    stale: list[CooperationCard] | None = None
    kpis: Kpis | None = None
    needs: list[Row] | None = None
    summaries: list[Row] | None = None
    technologies: list[Row] | None = None


def dashboard(core: Core, actor: Actor) -> Dashboard:
    """Return the dashboard of the actor's first role (``dashboards.primary_role``)."""
    role = primary_role(actor)
    org_id = actor.organization_id
    organization = get_record(core, actor, "organization", str(org_id)) if org_id is not None else None
    cards = cooperation_cards(core, actor)
    page = Dashboard(role, organization, cards, stage_counts(cards))
    if role in _MANAGERS:
        page = replace(page, rounds=managed_rounds(core, actor), stale=[c for c in cards if c.is_stale])
    if role in (*_MANAGERS, "viewer"):
        page = replace(page, kpis=scope_kpis(core, actor, Scope()))
    if role == "company_member":
        key = organization["key"] if organization is not None else None
        own = list_needs(core, actor, NeedFilter(organization=key, limit=20))
        page = replace(page, needs=[row for row in own.items if row["view"] == FULL])
    if role == "institute_member":
        published = list_needs(core, actor, NeedFilter(limit=20))
        page = replace(page, summaries=[row for row in published.items if row["view"] == SUMMARY])
        technologies: list[Row] = []
        if organization is not None:
            held = RecordFilter({"owner": organization["key"]}, limit=10)
            technologies = list_records(core, actor, "technology", held).items
        page = replace(page, technologies=technologies)
    return page
