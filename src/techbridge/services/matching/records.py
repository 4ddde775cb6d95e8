"""The stored records the matching engine is fed: technologies, projects and organisation profiles.

The engine never reads the database (STYLE.md §4); this module turns rows into ``Record`` values.
An organisation with a description (its published research fields) also becomes a profile record
``profile:<key>``, so that an institute is findable by what it says it works on.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from techbridge.matching.record import Record
from techbridge.storage.tables import Organization, Project, ProjectParticipant, Technology

PROFILE_PREFIX = "profile:"


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _join(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def technology_record(tech: Technology) -> Record:
    """Return the searchable record of one technology (both languages' title and abstract)."""
    return Record(
        id=tech.key,
        title=_join(tech.title, tech.title_en),
        text=_join(tech.abstract, tech.abstract_en),
        lang=tech.lang,
        codes=tuple(tech.codes or ()),
        organizations=tuple(owner.key for owner in tech.owners),
        people=tuple(person.key for person in tech.inventors),
        date=_iso(tech.application_date or tech.publication_date or tech.registration_date),
    )


def project_record(project: Project) -> Record:
    """Return the searchable record of one project, mentioning its participants."""
    return Record(
        id=project.key,
        title=project.title,
        text=project.abstract,
        lang=project.lang,
        codes=tuple(project.codes or ()),
        organizations=tuple(p.organization.key for p in project.participants),
        date=_iso(project.start_date),
    )


def profile_record(organization: Organization) -> Record:
    """Return the profile record of an organisation that describes its own research fields."""
    return Record(
        id=PROFILE_PREFIX + organization.key,
        title=_join(organization.name, organization.name_en),
        text=organization.description or "",
        organizations=(organization.key,),
        profile=True,
    )


def load_records(session: Session, organizations: ColumnElement[bool] | None = None) -> list[Record]:
    """Return every searchable record, in a stable order (technologies, projects, profiles).

    Args:
        organizations: a condition on ``Organization``; if given, only the records that mention
            an organisation meeting it, in the same order (a consortium's candidates' records).
    """
    technologies = (
        select(Technology)
        .options(selectinload(Technology.owners), selectinload(Technology.inventors))
        .order_by(Technology.id)
    )
    projects = (
        select(Project)
        .options(selectinload(Project.participants).selectinload(ProjectParticipant.organization))
        .order_by(Project.id)
    )
    profiles = select(Organization).where(Organization.description.is_not(None)).order_by(Organization.id)
    if organizations is not None:
        technologies = technologies.where(Technology.owners.any(organizations))
        projects = projects.where(
            Project.participants.any(ProjectParticipant.organization.has(organizations))
        )
        profiles = profiles.where(organizations)
    return [
        *(technology_record(tech) for tech in session.scalars(technologies)),
        *(project_record(project) for project in session.scalars(projects)),
        *(profile_record(org) for org in session.scalars(profiles) if org.description),
    ]
