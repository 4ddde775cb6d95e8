"""Listing, showing and exporting stored records."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from techbridge.errors import InvalidError, NotFoundError
from techbridge.services.actor import operator
from techbridge.services.catalogue.browsing import ExportRequest, export_stored
from techbridge.services.catalogue.entity import (
    ENTITIES,
    count_records,
    entity_spec,
    get_record,
    iter_records,
)
from techbridge.storage.db import transaction
from techbridge.storage.tables import Base
from tests import factories
from tests.factories import core_on


@pytest.fixture
def stocked(engine: Engine) -> Engine:
    with transaction(engine) as session:
        kimm = factories.organization(session, "한국기계연구원", kind="research_institute", key="kr-kimm")
        lms = factories.organization(session, "(주)엘엠에스", key="kr-lms")
        researcher = factories.person(session, "inv:김연구", "김연구", kimm)
        factories.technology(
            session, "KR10", "라이다용 광학 필름", [kimm, lms], [researcher], codes=["G02B 1/11"]
        )
    return engine


# Tables that are deliberately not listed, shown or exported as entities of their own.
_LINK_TABLES = {
    "technology_owners",
    "technology_inventors",
    "project_participants",
    "round_participants",
    "cooperation_members",
    "agreement_parties",
    "consortium_members",
}
# Reached through the commands of the program, round and cooperation they belong to.
_PART_TABLES = {
    "round_settings",
    "round_candidates",
    "round_scorings",  # where a round's candidate scores came from: read with the round
    "pair_rules",
    "assignments",
    "stage_changes",
    "joint_plans",
    "plan_budget_lines",
    "investment_lines",
    "tasks",
    "need_confirmations",
    # a licence's schedule and payments: read with their cooperation (GET /licences), not exported
    "licences",
    "licence_instalments",
    "licence_payments",
}
# Secrets and confidential traces: never exported in bulk.
_PRIVATE_TABLES = {
    "users",
    "role_grants",
    "api_tokens",
    "user_sessions",
    "login_attempts",
    "need_interests",
    "need_shares",
    "need_access_log",
    "jobs",  # a job is its owner's (and the administrators'), never exported
    "form_submissions",  # one-time tokens of submitted web forms: nobody's record
}


def test_every_table_is_an_entity_or_deliberately_not() -> None:
    # registers the account, job and licence tables
    import techbridge.storage.accounts
    import techbridge.storage.jobs
    import techbridge.storage.licence
    import techbridge.storage.pipeline  # noqa: F401

    listed = {spec.table.__tablename__ for spec in ENTITIES.values()}
    assert listed | _LINK_TABLES | _PART_TABLES | _PRIVATE_TABLES == set(Base.metadata.tables)
    assert not listed & (_PART_TABLES | _PRIVATE_TABLES)


def test_entities_are_found_by_singular_and_plural() -> None:
    assert entity_spec("technologies") is entity_spec("technology")
    with pytest.raises(NotFoundError, match="organization"):
        entity_spec("widget")


def test_a_record_is_shown_by_key_or_id_with_its_relations(stocked: Engine) -> None:
    with transaction(stocked) as session:
        by_key = get_record(session, entity_spec("technology"), "KR10")
        by_id = get_record(session, entity_spec("technology"), str(by_key["id"]))
    assert by_key == by_id
    assert by_key["owners"] == ["kr-kimm", "kr-lms"]
    assert by_key["inventors"] == ["inv:김연구"]


def test_a_missing_record_is_named(stocked: Engine) -> None:
    with transaction(stocked) as session, pytest.raises(NotFoundError, match="KR99"):
        get_record(session, entity_spec("technology"), "KR99")


def test_listing_pages_in_id_order(stocked: Engine) -> None:
    with transaction(stocked) as session:
        spec = entity_spec("organization")
        assert count_records(session, spec) == 2
        assert [r["key"] for r in iter_records(session, spec, limit=1, offset=1)] == ["kr-lms"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_exports_carry_every_record_and_joined_owners(stocked: Engine, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"tech.{fmt}"
    assert export_stored(core_on(stocked), operator("t"), ExportRequest("technology", out)) == 1
    if fmt == "csv":
        with out.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows[0]["owners"] == "kr-kimm;kr-lms"
    elif fmt == "xlsx":
        sheet = load_workbook(out).active
        header = [cell.value for cell in sheet[1]]
        assert sheet.cell(2, header.index("owners") + 1).value == "kr-kimm;kr-lms"
    else:
        row = json.loads(out.read_text(encoding="utf-8"))
        assert row["owners"] == ["kr-kimm", "kr-lms"]
        assert row["codes"] == ["G02B 1/11"]


def test_an_unknown_export_format_is_refused(stocked: Engine, tmp_path: Path) -> None:
    with pytest.raises(InvalidError, match="jsonl"):
        export_stored(core_on(stocked), operator("t"), ExportRequest("technology", tmp_path / "tech.txt"))
