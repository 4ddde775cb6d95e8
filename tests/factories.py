"""Deterministic builders of stored records for tests, and an encoder that counts what it embeds."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.domain.organization import normalize_name
from techbridge.matching.semantic import Encoder, UseEncoder
from techbridge.services.core import Core
from techbridge.services.models import Models, Tokenizer
from techbridge.storage.tables import Organization, Person, Project, ProjectParticipant, Technology


def core_on(
    engine: Engine,
    settings: Settings | None = None,
    *,
    encoder: Encoder | None = None,
    tokenizer: Tokenizer | None = None,
) -> Core:
    """Return an application core on a test's engine (the settings name the same database).

    Args:
        encoder, tokenizer: models the test loaded once (e.g. the session's ``encoder`` fixture).
    """
    settings = settings or Settings(database_url=engine.url.render_as_string(hide_password=False))
    return Core(settings, engine, Models(settings, encoder=encoder, tokenizer=tokenizer))


def organization(
    session: Session, name: str, kind: str = "company", country: str = "KR", **extra: object
) -> Organization:
    """Add an organisation keyed ``org:<normalised name>:<country>``."""
    key = str(extra.pop("key", f"org:{normalize_name(name)}:{country}"))
    record = Organization(
        key=key, name=name, name_key=normalize_name(name), kind=kind, country=country, **extra
    )
    session.add(record)
    session.flush()
    return record


def technology(
    session: Session,
    key: str,
    title: str,
    owners: list[Organization],
    inventors: list[Person] | None = None,
    **extra: object,
) -> Technology:
    """Add a patent held by ``owners``."""
    record = Technology(key=key, title=title, owners=owners, inventors=inventors or [], **extra)
    session.add(record)
    session.flush()
    return record


def person(session: Session, key: str, name: str, organization: Organization | None = None) -> Person:
    """Add a researcher."""
    record = Person(key=key, name=name, organization=organization)
    session.add(record)
    session.flush()
    return record


def project(session: Session, key: str, title: str, members: list[Organization], start: str) -> Project:
    """Add a project whose first member coordinates it."""
    record = Project(key=key, title=title, start_date=dt.date.fromisoformat(start))
    record.participants = [
        ProjectParticipant(organization=org, role="coordinator" if i == 0 else "participant")
        for i, org in enumerate(members)
    ]
    session.add(record)
    session.flush()
    return record


class CountingEncoder:
    """The real encoder, remembering every text it was asked to embed."""

    def __init__(self, encoder: UseEncoder) -> None:
        from techbridge.matching.features import encoder_identity

        self.encoder = encoder
        self.identity = encoder_identity(encoder)  # its vectors are the real encoder's
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` with the real encoder, noting them first."""
        self.texts += texts
        return self.encoder.encode(texts)
