"""Consortia as use cases: propose teams for a need (and store the best), suggest partners to
complete one, load the bundled ones (stored consortia are public records, read through
``services.catalogue.records``).

Each takes the core, the caller and a typed request, and decides access through
``services/access/consortium.py``. Proposals and suggestions read public records only (technologies,
projects, organisation profiles), never a need: the need here is text the caller types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from techbridge.errors import InvalidError
from techbridge.services.access.consortium import require_building, require_loading, require_storing
from techbridge.services.actor import Actor
from techbridge.services.consortia.builder import ConsortiumRequest, propose_teams, store_consortium
from techbridge.services.consortia.partner import PartnerSuggestion, rank_partners
from techbridge.services.core import Core
from techbridge.services.demo.consortia import load_consortia_2017


def propose_consortia(core: Core, actor: Actor, request: ConsortiumRequest) -> dict[str, Any]:
    """Return the proposed teams for a need (``builder.propose_teams``); with ``save``, store the best.

    Proposing is for everyone signed in but plain viewers; storing, for administrators and program
    managers (checked before anything is computed). The proposal is computed in a read, and the best
    team stored in a unit of work of its own, so the database is not held while texts are embedded.

    Raises:
        PermissionDeniedError: a viewer, or someone other than a manager asking to store.
        InvalidError: no competence, too few candidates, rules no team keeps, or a taken ``save`` key.
        NotFoundError: a fixed member does not exist.
    """
    require_building(actor, "build consortia")
    if request.save is not None:
        require_storing(actor, "consortia")
    encoder = core.models.encoder()
    with core.reading() as session, core.models.working:
        result = propose_teams(session, request, encoder)
    if request.save is not None:
        if not result["consortia"]:
            raise InvalidError("no consortium was proposed, so none is stored")
        with core.writing() as session:
            name = request.need[:300]
            store_consortium(session, actor.name, result["consortia"][0], request.save, name, request.need)
    return result


@dataclass(frozen=True, slots=True)
class PartnerRequest:
    """The members a consortium has (keys), what it works on (adds text relevance), how many to rank.

    Attributes:
        today: only past work before this day counts (default: everything stored).
    """

    members: Sequence[str]
    need: str | None = None
    k: int = 10
    today: dt.date | None = None


def suggest_partners(core: Core, actor: Actor, request: PartnerRequest) -> list[PartnerSuggestion]:
    """Return the ``k`` organisations that should join ``members``, best first, with why.

    Raises:
        PermissionDeniedError: a viewer.
        NotFoundError: a member does not exist.
    """
    require_building(actor, "build consortia")
    encoder = core.models.encoder() if request.need else None
    with core.reading() as session, core.models.working:
        return rank_partners(session, request.members, request.need, request.k, encoder, request.today)


def load_seeded_consortia(core: Core, actor: Actor) -> int:
    """Store the five consortia of the 2017–2022 university–institute program (bundled facts), with
    their program and organisations; return how many were new (loading again changes nothing).

    Raises:
        PermissionDeniedError: not an administrator.
    """
    require_loading(actor)
    with core.writing() as session:
        return load_consortia_2017(session, actor.name)
