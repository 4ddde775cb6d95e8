"""Who may do what with consortia, fusion technologies, patent clusters and import files, through the
use cases themselves (SQLite and PostgreSQL).

Consortia and technologies are public records: a missing key answers the same 404 to everyone, and
there is no hidden one. Building is for everyone signed in but viewers; storing consortia and
recording fusions for administrators and program managers (a consortium of a program: its managers);
loading the bundled consortia for administrators; importing for administrators and program managers.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from techbridge.errors import ImportRejectedError, NotFoundError, PermissionDeniedError
from techbridge.services.actor import (
    ADMINISTRATOR,
    COMPANY_MEMBER,
    INSTITUTE_MEMBER,
    PROGRAM_MANAGER,
    VIEWER,
    Actor,
)
from techbridge.services.catalogue.records import RecordFilter, get_record, list_records
from techbridge.services.consortia.builder import ConsortiumRequest
from techbridge.services.consortia.cluster import ClusterRequest, build_clusters
from techbridge.services.consortia.consortium import (
    PartnerRequest,
    load_seeded_consortia,
    propose_consortia,
    suggest_partners,
)
from techbridge.services.consortia.fusion import (
    FusionRecord,
    FusionSearch,
    find_fusions,
    list_fusions,
    record_fusion,
)
from techbridge.services.core import Core
from techbridge.services.ingest.importing import ImportRequest, import_choices, import_file
from techbridge.storage.db import transaction
from techbridge.storage.tables import (
    AuditEntry,
    Consortium,
    ConsortiumMember,
    Organization,
    Outcome,
    Program,
    Proposal,
)
from tests import factories

ROLES = ("admin", "manager", "other_manager", "company", "institute", "viewer")
ACTORS: dict[str, Actor] = {}


def _actors(program: int, other: int, company: int, institute: int) -> dict[str, Actor]:
    return {
        "admin": Actor("admin", 1, None, frozenset({(ADMINISTRATOR, None)})),
        "manager": Actor("manager", 2, None, frozenset({(PROGRAM_MANAGER, program)})),
        "other_manager": Actor("other", 3, None, frozenset({(PROGRAM_MANAGER, other)})),
        "company": Actor("company", 4, company, frozenset({(COMPANY_MEMBER, None)})),
        "institute": Actor("institute", 5, institute, frozenset({(INSTITUTE_MEMBER, None)})),
        "viewer": Actor("viewer", 6, None, frozenset({(VIEWER, None)})),
    }


@pytest.fixture
def core(engine: Engine) -> Core:
    """Two programs; a company and an institute with a technology each; a consortium of the first
    program (``cons-p``) and one of no program (``cons-free``)."""
    with transaction(engine) as s:
        program, other = Program(key="p", name="P"), Program(key="q", name="Q")
        s.add_all([program, other])
        s.flush()
        company = factories.organization(s, "Acme", key="acme")
        institute = factories.organization(s, "Lab", "research_institute", key="lab")
        factories.technology(s, "t-a", "robot arm control", [company])
        factories.technology(s, "t-b", "robot vision camera", [institute])
        factories.project(s, "proj", "robots", [company, institute], "2020-01-01")
        for key, program_id in (("cons-p", program.id), ("cons-free", None)):
            consortium = Consortium(key=key, name=key, program_id=program_id)
            consortium.members = [ConsortiumMember(organization_id=company.id, role="lead")]
            s.add(consortium)
        ACTORS.clear()
        ACTORS.update(_actors(program.id, other.id, company.id, institute.id))
    return factories.core_on(engine)


def _outcomes(core: Core) -> int:
    with core.reading() as session:
        return session.scalar(select(func.count()).select_from(Outcome)) or 0


@pytest.mark.parametrize(
    ("role", "free", "of_program"),
    [
        ("admin", True, True),
        ("manager", True, True),
        ("other_manager", True, False),
        ("company", False, False),
        ("institute", False, False),
        ("viewer", False, False),
    ],
)
def test_recording_a_fusion_is_for_managers_and_of_a_program_for_its_managers(
    core: Core, role: str, free: bool, of_program: bool
) -> None:
    actor = ACTORS[role]
    for consortium, allowed in (("cons-free", free), ("cons-p", of_program)):
        request = FusionRecord("t-a", "t-b", consortium=consortium, occurred_on=dt.date(2024, 1, 2))
        if allowed:
            view = record_fusion(core, actor, request)
            assert (view.key, view.technologies, view.consortium) == (
                "fusion:t-a+t-b",
                ("t-a", "t-b"),
                consortium,
            )
            assert [f.key for f in list_fusions(core, ACTORS["viewer"])] == ["fusion:t-a+t-b"]
            with core.writing() as session:
                session.query(Outcome).delete()
        else:
            with pytest.raises(PermissionDeniedError):
                record_fusion(core, actor, request)
            assert _outcomes(core) == 0


@pytest.mark.parametrize("role", ["admin", "manager", "other_manager"])
def test_a_missing_consortium_or_technology_is_the_same_404_for_every_recorder(core: Core, role: str) -> None:
    actor = ACTORS[role]
    with pytest.raises(NotFoundError, match=r"^no consortium 'nope'$"):
        record_fusion(core, actor, FusionRecord("t-a", "t-b", consortium="nope"))
    with pytest.raises(NotFoundError, match=r"^no such technology: t-missing$"):
        record_fusion(core, actor, FusionRecord("t-a", "t-missing"))
    assert _outcomes(core) == 0


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_consortia_and_a_missing_one_is_404(core: Core, role: str) -> None:
    actor = ACTORS[role]
    page = list_records(core, actor, "consortium", RecordFilter({"q": "cons-"}))
    assert (page.total, [row["key"] for row in page.items]) == (2, ["cons-p", "cons-free"])
    assert get_record(core, actor, "consortium", "cons-p")["members"] == ["acme:lead"]
    with pytest.raises(NotFoundError, match=r"^no consortium with id or key 'nope'$"):
        get_record(core, actor, "consortium", "nope")


def test_viewers_build_nothing_and_are_refused_before_any_work(core: Core) -> None:
    viewer = ACTORS["viewer"]
    refusals = [
        (propose_consortia, ConsortiumRequest(need="robot"), "viewers cannot build consortia"),
        (suggest_partners, PartnerRequest(("acme",)), "viewers cannot build consortia"),
        (find_fusions, FusionSearch(need="robot"), "viewers cannot search for fusion technologies"),
        (build_clusters, ClusterRequest(), "viewers cannot build patent clusters"),
    ]
    for use_case, request, message in refusals:
        with pytest.raises(PermissionDeniedError, match=f"^{re.escape(message)}$"):
            use_case(core, viewer, request)  # type: ignore[operator]


@pytest.mark.parametrize("role", ["manager", "company", "institute"])
def test_builders_complete_consortia_but_only_managers_store_them(core: Core, role: str) -> None:
    actor = ACTORS[role]
    found = suggest_partners(core, actor, PartnerRequest(("acme",), k=1))
    assert [p.key for p in found] == ["lab"]
    with pytest.raises(NotFoundError, match="no such organisation: nobody"):
        suggest_partners(core, actor, PartnerRequest(("nobody",)))
    request = ConsortiumRequest(need="robot", size=2, save="cons-new")
    if role != "manager":
        with pytest.raises(
            PermissionDeniedError, match=r"^only administrators and program managers store consortia$"
        ):
            propose_consortia(core, actor, request)


def test_loading_the_bundled_consortia_is_for_administrators(core: Core) -> None:
    for role in ("manager", "company", "viewer"):
        with pytest.raises(PermissionDeniedError, match="only administrators load the bundled consortia"):
            load_seeded_consortia(core, ACTORS[role])
    assert load_seeded_consortia(core, ACTORS["admin"]) == 5
    assert load_seeded_consortia(core, ACTORS["admin"]) == 0


def _orgs_file(tmp_path: Path) -> Path:
    path = tmp_path / "orgs.csv"
    path.write_text("name,kind,country\n새 회사,company,KR\n", encoding="utf-8")
    return path


def _organizations(core: Core) -> int:
    with core.reading() as session:
        return session.scalar(select(func.count()).select_from(Organization)) or 0


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("admin", True),
        ("manager", True),
        ("other_manager", True),
        ("company", False),
        ("institute", False),
        ("viewer", False),
    ],
)
def test_only_administrators_and_program_managers_import(
    core: Core, tmp_path: Path, role: str, may: bool
) -> None:
    actor, before = ACTORS[role], _organizations(core)
    request = ImportRequest("organization", _orgs_file(tmp_path))
    if may:
        assert "organization" in import_choices(core, actor)
        assert import_file(core, actor, request).counts["organization"]["created"] == 1
        assert _organizations(core) == before + 1
        return
    message = r"^only administrators and program managers import files$"
    with pytest.raises(PermissionDeniedError, match=message):
        import_choices(core, actor)
    with pytest.raises(PermissionDeniedError, match=message):
        import_file(core, actor, request)
    assert _organizations(core) == before


def _audit(core: Core) -> int:
    with core.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_an_import_with_bad_rows_names_each_and_writes_nothing(core: Core, tmp_path: Path) -> None:
    manager, audit = ACTORS["manager"], _audit(core)
    bad_cells = tmp_path / "proposals.csv"
    bad_cells.write_text("key,organization,title\npr1,lab,광학 소재\npr2,lab,\npr3,,렌즈\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as refused:
        import_file(core, manager, ImportRequest("proposal", bad_cells))
    assert refused.value.problems == (
        "proposals.csv:3: title: required value is empty",
        "proposals.csv:4: organization: required value is empty",
    )
    # The first row is good and written before the third is found wanting: all is rolled back.
    unknown = tmp_path / "more.csv"
    unknown.write_text("key,organization,title\npr1,lab,광학 소재\npr3,nowhere,렌즈\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as refused:
        import_file(core, manager, ImportRequest("proposal", unknown))
    assert refused.value.problems == (
        "more.csv:3: organization: unknown organisation 'nowhere' (import it first)",
    )
    with core.reading() as session:
        assert session.scalar(select(func.count()).select_from(Proposal)) == 0
    assert _audit(core) == audit
