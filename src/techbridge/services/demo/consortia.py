"""The program's five consortia (2017–2022) as stored data, and the demo consortium built from them.

``load_consortia_2017`` stores the university–institute linked commercialization program and its
consortia from the bundled ``consortia-2017/consortia.jsonl`` (facts of the 2020 press release);
organisations already stored under the same key are reused, never overwritten. Running it again
changes nothing. ``build_demo_consortium`` proposes a consortium for the AI-based fused technology
field around its real lead and writes a cluster map of what the Korean candidates hold.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.domain.team import Weights
from techbridge.matching.semantic import Encoder
from techbridge.services.catalogue.organization import ensure_organization
from techbridge.services.consortia.builder import ConsortiumRequest, propose_teams
from techbridge.services.consortia.cluster import Tokenizer, cluster_records, write_cluster_files
from techbridge.services.consortia.portfolio import select_portfolio
from techbridge.storage.db import transaction
from techbridge.storage.tables import Consortium, ConsortiumMember, Organization, Outcome, Program

log = logging.getLogger(__name__)
DEMO_CONSORTIUM = "msit-lab-linked-gist"
PROGRAM = {
    "key": "msit-lab-linked-2017",
    "name": "학·연 연계 사업화 선도모델 구축 사업",
    "name_en": "University–institute linked commercialization model program",
    "ministry": "과학기술정보통신부",
    "year": 2017,
    "description": (
        "Consortia of universities and institutes that discover fusion technologies, build fusion patent "
        "clusters and commercialize them; 5 consortia, 33 organisations. Reported to 2020: 138 fusion "
        "technologies, 230 transfers (about 548억원 royalties), 21 startups, 452억원 investment attracted."
    ),
}
SOURCE = "MSIT press release 2020-06-30 (학·연 연계 사업화 선도모델 구축 사업), facts only"
REPORTED_ON = dt.date(2020, 6, 30)


def consortia_facts() -> list[dict[str, Any]]:
    """Return the five consortia as the bundled file describes them."""
    path = Path(str(resources.files("techbridge") / "data" / "consortia-2017" / "consortia.jsonl"))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _member(session: Session, values: dict[str, Any], role: str, actor: str) -> ConsortiumMember:
    fields = {k: v for k, v in values.items() if k != "name_in_release"}
    organization, _ = ensure_organization(session, fields, actor)
    return ConsortiumMember(organization_id=organization.id, role=role)


def reported_results() -> list[dict[str, Any]]:
    """Return the program's results to 2020 as the bundled ``reported.jsonl`` gives them."""
    path = Path(str(resources.files("techbridge") / "data" / "consortia-2017" / "reported.jsonl"))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _store_reported(session: Session, program_id: int) -> None:
    """Store each reported figure as one outcome of the program, with its source (once)."""
    for figure in reported_results():
        if session.scalar(select(Outcome.id).where(Outcome.key == figure["key"])) is not None:
            continue
        session.add(
            Outcome(
                key=figure["key"], kind=figure["kind"], occurred_on=REPORTED_ON, quantity=figure["quantity"],
                amount_krw=figure["amount_krw"], description=figure["description"], program_id=program_id,
                source=SOURCE,
            )
        )  # fmt: skip


def load_consortia_2017(session: Session, actor: str = "demo") -> int:
    """Store the five consortia and their organisations, and the results the program reported to
    2020 (``reported.jsonl``, one outcome of the program per figure); return how many consortia
    were created."""
    created = 0
    program_id = _program_id(session)
    _store_reported(session, program_id)
    for facts in consortia_facts():
        if session.scalar(select(Consortium.id).where(Consortium.key == facts["key"])) is not None:
            continue
        consortium = Consortium(
            key=facts["key"], name=facts["name"], field=facts["field"], source=SOURCE, program_id=program_id,
            starts_on=dt.date(facts["start_year"], 1, 1), ends_on=dt.date(facts["end_year"], 12, 31),
        )  # fmt: skip
        members = [_member(session, facts["lead"], "lead", actor)]
        members += [_member(session, p, "participant", actor) for p in facts["participants"]]
        consortium.members = list({m.organization_id: m for m in reversed(members)}.values())[::-1]
        session.add(consortium)
        session.flush()
        created += 1
        log.info("stored consortium %s", facts["key"])
    return created


def _program_id(session: Session) -> int:
    found = session.scalar(select(Program).where(Program.key == PROGRAM["key"]))
    if found is None:
        found = Program(**PROGRAM, source=SOURCE)
        session.add(found)
        session.flush()
    return found.id


@dataclass(frozen=True)
class DemoConsortium:
    """The demo's proposed consortia and the cluster files of what the best one holds."""

    proposal: dict[str, Any]
    clusters: dict[str, Path]


def demo_request(facts: dict[str, Any], size: int = 6) -> ConsortiumRequest:
    """Return the builder's request for a seeded consortium: its field and focus, its real lead fixed."""
    need = ", ".join(part for part in (facts["field"], facts.get("focus")) if part)
    return ConsortiumRequest(
        need=need, lead=facts["lead"]["key"], size=size, countries=("KR",), top=3, differ=2,
        roles={"university": 1, "research_institute": 1, "company": 1}, weights=Weights(0.6, 0.2, 0.2),
    )  # fmt: skip


def build_demo_consortium(
    engine: Engine, out_dir: Path, encoder: Encoder, tokenizer: Tokenizer
) -> DemoConsortium:
    """Build a consortium for 인공지능(AI) 기반 융복합기술 from stored data and write its cluster map.

    Stores the five seeded consortia first (idempotent). The cluster map, JSON and XLSX go to
    ``out_dir/consortium-clusters.*``. ``encoder`` and ``tokenizer`` are the core's (``core.models``).
    """
    with transaction(engine) as session:
        load_consortia_2017(session)
    facts = next(f for f in consortia_facts() if f["key"] == DEMO_CONSORTIUM)
    with Session(engine) as session:
        proposal = propose_teams(session, demo_request(facts), encoder)
        korean = list(session.scalars(select(Organization.key).where(Organization.country == "KR")))
        portfolio = select_portfolio(session, korean, encoder=encoder)
    clustering = cluster_records(portfolio.records, None, encoder, tokenizer)
    title = f"{facts['field']}: {len(portfolio.records)} {portfolio.kind} of the Korean candidates"
    paths = write_cluster_files(clustering, out_dir, "consortium-clusters", title)
    return DemoConsortium(proposal, paths)
