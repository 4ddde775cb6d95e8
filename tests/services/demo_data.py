"""Load the bundled demo-2021 organisations, needs and program straight into tables (no importer), and
stand-in scores for running its round without the language models."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from sqlalchemy import Engine, select

from techbridge.domain.organization import normalize_name
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Program

FOLDER = resources.files("techbridge") / "data" / "demo-2021"
ORG_FIELDS = (
    "key",
    "name",
    "name_en",
    "kind",
    "size_class",
    "country",
    "region",
    "description",
    "is_invented",
)


def _rows(name: str) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (FOLDER / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def load_demo(engine: Engine) -> None:
    """Store the demo organisations, needs and the program ``demo-2021``."""
    program = json.loads((FOLDER / "program.json").read_text(encoding="utf-8"))
    with transaction(engine) as session:
        ids = {}
        for row in _rows("organizations.jsonl"):
            org = Organization(
                name_key=normalize_name(row["name"]), **{k: row[k] for k in ORG_FIELDS if k in row}
            )
            session.add(org)
            session.flush()
            ids[org.key] = org.id
        for row in _rows("needs.jsonl"):
            session.add(
                Need(
                    key=row["key"],
                    organization_id=ids[row["organization"]],
                    title=row["title"],
                    description=row["description"],
                    field=row.get("field"),
                    listed_on=dt.date.fromisoformat(row["listed_on"]),
                    is_invented=row.get("is_invented", False),
                )
            )
        session.add(Program(key=program["key"], name=program["name"], year=program["year"]))


def text_scores(engine: Engine) -> dict[tuple[str, str], float]:
    """Scores for running the demo round without the language models: per need and institute, the share
    of the need's character bigrams the institute's name and fields use (a stand-in, loaded as a file is)."""
    from techbridge.services.demo.round import CAPACITIES

    with transaction(engine) as session:
        needs = {
            k: f"{t} {f or ''} {d}"
            for k, t, f, d in session.execute(
                select(Need.key, Need.title, Need.field, Need.description).where(Need.key.like("demo-2021-%"))
            )
        }
        orgs = {
            k: f"{n} {d or ''}"
            for k, n, d in session.execute(
                select(Organization.key, Organization.name, Organization.description).where(
                    Organization.key.in_(CAPACITIES)
                )
            )
        }
    grams = {key: _bigrams(text) for key, text in orgs.items()}
    scores = {}
    for need, text in needs.items():
        own = _bigrams(text) or {""}
        for org, theirs in grams.items():
            scores[(need, org)] = round(len(own & theirs) / len(own), 4)
    return scores


def _bigrams(text: str) -> set[str]:
    compact = "".join(text.lower().split())
    return {compact[i : i + 2] for i in range(len(compact) - 1)}
