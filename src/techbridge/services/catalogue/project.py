"""Projects: past joint R&D (EU grants and the like) and their participants, the collaboration history.

A project is created or updated by its key (``HE-101051386`` for a Horizon Europe grant); a
participant is one organisation's part in it, created or updated by (project, organisation).
Participants are added or changed, never removed, by an upsert.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.organization import CREATED, UNCHANGED, UPDATED, apply_changes
from techbridge.storage.tables import Organization, Project, ProjectParticipant

log = logging.getLogger(__name__)

_FIELDS = ("acronym", "title", "abstract", "lang", "codes", "start_date", "funder", "source")


def find_project(session: Session, key: str) -> Project | None:
    """Return the project stored under ``key``, if any."""
    return session.scalar(select(Project).where(Project.key == key))


def upsert_project(
    session: Session, values: dict[str, Any], actor: str, *, audit: bool = True
) -> tuple[Project, str]:
    """Create the project ``values`` describe, or update the stored one with the given fields.

    Args:
        values: ``key`` (required) and any of ``acronym``, ``title``, ``abstract``, ``lang``,
            ``codes``, ``start_date``, ``funder``, ``source``.
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The project and ``created``, ``updated`` or ``unchanged``.
    """
    key = values.get("key")
    if not key:
        raise InvalidError("a project needs a key")
    found = find_project(session, key)
    if found is None:
        project = Project(key=key, title="", abstract="", codes=[])
        apply_changes(project, values, _FIELDS)
        session.add(project)
        session.flush()
        log.info("created project %s", key)
        if audit:
            record_change(session, actor, "create", "project", key, {"title": project.title})
        return project, CREATED
    changed = apply_changes(found, values, _FIELDS)
    if changed and audit:
        record_change(session, actor, "update", "project", key, {"fields": changed})
    return found, UPDATED if changed else UNCHANGED


def upsert_participant(
    session: Session,
    project: Project,
    organization: Organization,
    *,
    role: str | None = None,
    contribution: float | None = None,
) -> tuple[ProjectParticipant, str]:
    """Add ``organization`` to ``project`` or update its role and contribution (EUR for EU grants).

    Returns:
        The participant and ``created``, ``updated`` or ``unchanged``.
    """
    for participant in project.participants:
        if participant.organization_id == organization.id:
            changed = apply_changes(participant, {"role": role, "contribution": contribution}, _PART)
            return participant, UPDATED if changed else UNCHANGED
    participant = ProjectParticipant(
        organization_id=organization.id,
        organization=organization,
        role=role or "participant",
        contribution=contribution,
    )
    project.participants.append(participant)
    return participant, CREATED


_PART = ("role", "contribution")
