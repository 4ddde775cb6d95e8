"""Stored matches: pairings of a need or proposal with a target, as ranked at a moment.

A stored match of a need is listed only to those who read that need in full; those of proposals
(public offers) to everyone signed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from techbridge.services.access.need import readable_matches
from techbridge.services.actor import Actor
from techbridge.services.catalogue.records import RecordPage
from techbridge.services.core import Core


@dataclass(frozen=True, slots=True)
class StoredMatchFilter:
    """Which stored matches a list shows: one need's (by id), one target type's; and which page."""

    need_id: int | None = None
    target_type: str | None = None
    limit: int = 50
    offset: int = 0


def list_stored_matches(core: Core, actor: Actor, request: StoredMatchFilter) -> RecordPage:
    """Return one page of the stored matches of proposals and of the needs the actor reads in full."""
    with core.reading() as session:
        rows = readable_matches(session, actor, request.need_id, request.target_type)
    page = rows[request.offset : request.offset + request.limit]
    return RecordPage(page, len(rows), request.limit, request.offset)
