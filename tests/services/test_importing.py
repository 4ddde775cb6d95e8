"""Importing files: all or nothing, every problem listed, re-importing changes nothing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from techbridge.errors import ImportRejectedError, InvalidError
from techbridge.services.actor import Actor, operator
from techbridge.services.ingest import writing
from techbridge.services.ingest.importing import ImportRequest, ImportResult, Progress, import_file
from techbridge.storage.db import transaction
from techbridge.storage.tables import (
    AuditEntry,
    Need,
    Organization,
    Person,
    Project,
    ProjectParticipant,
    Proposal,
    Technology,
)
from tests.factories import core_on


def _import(
    engine: Engine,
    entity: str,
    path: Path,
    *,
    fmt: str | None = None,
    mapping: str = "default",
    actor: Actor | str = "cli",
    progress: Progress | None = None,
) -> ImportResult:
    """Import through the use case, as the operator named ``actor`` or as a signed-in ``Actor``."""
    who = operator(actor) if isinstance(actor, str) else actor
    return import_file(core_on(engine), who, ImportRequest(entity, path, fmt, mapping), progress)


def _csv(tmp_path: Path, name: str, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _counts(engine: Engine) -> dict[str, int]:
    with transaction(engine) as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (
                Organization,
                Person,
                Technology,
                Project,
                ProjectParticipant,
                Need,
                Proposal,
                AuditEntry,
            )
        }


def test_simplest_organisation_file_and_reimport_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "orgs.csv", "name,kind,country", "(주)엘엠에스,company,KR", "한국기계연구원,출연연,KR"
    )
    summary = _import(engine, "organization", path, actor="alice")
    assert summary.counts == {"organization": {"created": 2, "updated": 0, "unchanged": 0}}
    before = _counts(engine)
    again = _import(engine, "organization", path, actor="alice")
    assert again.counts == {"organization": {"created": 0, "updated": 0, "unchanged": 2}}
    after = _counts(engine)
    assert after["organizations"] == before["organizations"] == 2
    with transaction(engine) as session:
        entries = list(session.scalars(select(AuditEntry)))
        kimm = session.scalar(select(Organization).where(Organization.name == "한국기계연구원"))
        assert kimm is not None and kimm.kind == "research_institute"
    assert [(e.actor, e.action, e.entity, e.entity_key) for e in entries] == [
        ("alice", "import", "organization", "orgs.csv")
    ] * 2
    assert entries[0].details["counts"]["organization"]["created"] == 2


def test_korean_aliases_and_cp949(engine: Engine, tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "기관.csv", "기관명,종류,국가,지역", "주식회사 엘엠에스,기업,kr,경기", encoding="cp949"
    )
    _import(engine, "organization", path)
    with transaction(engine) as session:
        lms = session.scalar(select(Organization))
        assert lms is not None and (lms.name_key, lms.country, lms.region) == ("엘엠에스", "KR", "경기")


def test_bad_rows_are_all_listed_and_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "orgs.csv",
        "name,kind,country",
        "(주)엘엠에스,company,KR",
        ",company,KR",
        "코다코,spaceship,KR",
        "엘엠에스(주),company,KR",
        "제우스,company,Korea",
    )
    with pytest.raises(ImportRejectedError) as caught:
        _import(engine, "organization", path)
    assert caught.value.problems == (
        "orgs.csv:3: name: required value is empty",
        "orgs.csv:4: kind: unknown organisation kind 'spaceship'; use one of company, research_institute, "
        "university, tech_holding, patent_firm, investor, public, other",
        "orgs.csv:6: country: not a two-letter country code: 'Korea'",
        "orgs.csv:5: key: duplicate key 'org:엘엠에스:KR' (also on line 2)",
    )
    assert _counts(engine)["organizations"] == 0


def test_missing_required_column_is_one_problem(engine: Engine, tmp_path: Path) -> None:
    path = _csv(tmp_path, "orgs.csv", "name,country", "A,KR", "B,KR")
    with pytest.raises(ImportRejectedError) as caught:
        _import(engine, "organization", path)
    assert caught.value.problems == ("orgs.csv:1: kind: required column missing",)


def test_wrong_encoding_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes(b"name,kind\n" + bytes(range(256)) * 4)
    with pytest.raises(ImportRejectedError, match="cannot decode"):
        _import(engine, "organization", path)


def test_broken_dates_and_amounts_in_needs(engine: Engine, tmp_path: Path) -> None:
    _import(engine, "organization", _csv(tmp_path, "o.csv", "name,kind,country", "(주)엘엠에스,company,KR"))
    path = _csv(
        tmp_path,
        "needs.csv",
        "key,organization,title,budget_krw,listed_on,trl_target,visibility",
        "n1,엘엠에스,라이다용 광학소재 국산화,5억원,2021.04.12,6,summary",
        "n2,엘엠에스,두번째,lots,2016.13.45,12,",
    )
    with pytest.raises(ImportRejectedError) as caught:
        _import(engine, "need", path)
    assert caught.value.problems == (
        "needs.csv:3: trl_target: TRL must be between 1 and 9, not 12",
        "needs.csv:3: budget_krw: budget 'lots' is not an amount in KRW (e.g. 3000000, 3,000,000원, "
        "1.5억원 or 12억 5,000만원)",
        "needs.csv:3: listed_on: not a date: '2016.13.45'",
    )
    good = _csv(tmp_path, "ok.csv", *Path(path).read_text(encoding="utf-8").splitlines()[:2])
    _import(engine, "need", good)
    with transaction(engine) as session:
        need = session.scalar(select(Need))
        assert need is not None
        assert (need.budget_krw, need.trl_target, need.visibility, need.organization.name) == (
            500_000_000,
            6,
            "summary",
            "(주)엘엠에스",
        )


def test_a_need_of_an_unknown_company_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = _csv(tmp_path, "needs.csv", "key,기업명,제목", "n1,없는회사,과제", "n2,또없는회사,과제")
    with pytest.raises(ImportRejectedError) as caught:
        _import(engine, "need", path)
    assert caught.value.problems == (
        "needs.csv:2: organization: unknown organisation '없는회사' (import it first)",
        "needs.csv:3: organization: unknown organisation '또없는회사' (import it first)",
    )
    assert _counts(engine)["needs"] == 0


def test_a_failure_halfway_leaves_the_database_unchanged(engine: Engine, tmp_path: Path) -> None:
    """Row 3 passes every check but contradicts the database when written: all is rolled back."""
    seed = _csv(
        tmp_path,
        "seed.csv",
        "key,name,kind,country,business_number",
        "a,가나,company,KR,111",
        "b,다라,company,KR,222",
    )
    _import(engine, "organization", seed)
    before = _counts(engine)
    path = _csv(
        tmp_path,
        "orgs.csv",
        "key,name,kind,country,business_number",
        "c,마바,company,KR,333",
        "a,가나,company,KR,222",
        "d,사아,company,KR,444",
    )
    with pytest.raises(ImportRejectedError) as caught:
        _import(engine, "organization", path)
    assert caught.value.problems[0].startswith("orgs.csv:3: -: contradicts stored data:")
    assert _counts(engine) == before


def test_an_unexpected_error_halfway_rolls_back_too(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _csv(tmp_path, "orgs.csv", "name,kind", "A,company", "B,company", "C,company")
    real = writing.upsert_organization
    calls: list[Any] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(writing, "upsert_organization", failing)
    with pytest.raises(RuntimeError):
        _import(engine, "organization", path)
    assert _counts(engine)["organizations"] == 0


def test_technologies_with_owners_and_inventors(engine: Engine, tmp_path: Path) -> None:
    rows = [
        {
            "key": "KR1",
            "title": "필름(FILM)",
            "codes": "G02B 1/11; G02B 5/30",
            "owners": "한국기계연구원;(주)엘엠에스",
            "inventors": "김연구;이발명",
            "trl": 4,
            "application_date": "2020.01.02",
        },
        {"key": "KR2", "title": "센서", "owners": ["엘엠에스(주)"], "inventors": ["김연구"]},
    ]
    path = tmp_path / "tech.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    summary = _import(engine, "technology", path)
    assert summary.counts["organization"]["created"] == 2
    assert summary.counts["person"]["created"] == 2
    assert _import(engine, "technology", path).counts["technology"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    with transaction(engine) as session:
        film = session.scalar(select(Technology).where(Technology.key == "KR1"))
        assert film is not None
        assert film.codes == ["G02B 1/11", "G02B 5/30"] and film.trl == 4
        assert [o.kind for o in film.owners] == ["research_institute", "company"]
        assert [p.key for p in film.inventors] == ["inv:김연구", "inv:이발명"]


def test_xlsx_people_with_affiliations(engine: Engine, tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["이름", "소속", "이메일"])
    book.active.append(["김연구", "한국기계연구원", "kim@example.org"])
    book.save(tmp_path / "people.xlsx")
    _import(engine, "person", tmp_path / "people.xlsx")
    with transaction(engine) as session:
        person = session.scalar(select(Person))
        assert person is not None and person.organization is not None
        assert person.key == f"person:김연구@{person.organization.key}"


def test_proposals_and_projects(engine: Engine, tmp_path: Path) -> None:
    _import(engine, "organization", _csv(tmp_path, "o.csv", "name,kind,country", "한국기계연구원,출연연,KR"))
    _import(engine, "technology", _csv(tmp_path, "t.csv", "key,title", "KR1,필름"))
    proposals = _csv(
        tmp_path, "p.csv", "key,기관,제목,기술,적용산업", "p1,한국기계연구원,필름 사업화,KR1,자동차"
    )
    assert _import(engine, "proposal", proposals).counts["proposal"]["created"] == 1
    projects = _csv(
        tmp_path,
        "pr.csv",
        "key,title,start_date,participants",
        "x1,공동연구,2020-03-01,한국기계연구원;코다코",
    )
    summary = _import(engine, "project", projects)
    assert summary.counts["project_participant"]["created"] == 2
    bad = _csv(tmp_path, "p2.csv", "key,기관,제목,기술", "p2,한국기계연구원,다른 과제,KR404")
    with pytest.raises(ImportRejectedError, match="unknown technology 'KR404'"):
        _import(engine, "proposal", bad)


def test_kipris_preset_on_a_cp949_file(engine: Engine, tmp_path: Path) -> None:
    from tests.services.test_kipris import HEADER, ROW

    path = _csv(tmp_path, "inu.csv", HEADER, ROW, encoding="cp949")
    summary = _import(engine, "technology", path, mapping="kipris")
    assert summary.counts == {
        "organization": {"created": 2, "updated": 0, "unchanged": 0},
        "person": {"created": 5, "updated": 0, "unchanged": 0},
        "technology": {"created": 1, "updated": 0, "unchanged": 0},
    }
    assert _import(engine, "technology", path, mapping="kipris").counts["technology"]["unchanged"] == 1
    with pytest.raises(ImportRejectedError, match="use --mapping kipris"):
        _import(engine, "technology", path)


def test_cordis_preset_merges_repeated_roles(engine: Engine, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "cordis.csv",
        "projectID,projectAcronym,organisationID,name,"
        "SME,activityType,city,country,role,ecContribution",  # codespell:ignore
        "101,ABC,9,UNIVERSITE GRENOBLE ALPES,false,HES,Grenoble,FR,associatedPartner,",
        "101,ABC,9,UNIVERSITE GRENOBLE ALPES,false,HES,Grenoble,FR,participant,105877.44",
        "101,ABC,8,TINY AS,true,PRC,Oslo,NO,coordinator,1000",
    )
    summary = _import(engine, "project", path, mapping="cordis")
    assert summary.counts["project_participant"]["created"] == 2
    with transaction(engine) as session:
        project = session.scalar(select(Project))
        assert project is not None and (project.key, project.funder) == ("HE-101", "Horizon Europe")
        parts = {
            p.organization.key: (p.role, p.contribution, p.organization.kind) for p in project.participants
        }
        assert parts == {
            "cordis:9": ("participant", 105877.44, "university"),
            "cordis:8": ("coordinator", 1000.0, "company"),
        }
        tiny = session.scalar(select(Organization).where(Organization.key == "cordis:8"))
        assert tiny is not None and tiny.size_class == "small"
    with pytest.raises(InvalidError, match="imports project records"):
        _import(engine, "organization", path, mapping="cordis")


def test_a_benchmark_folder_with_a_dangling_reference_is_refused(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "bench.json").write_text('{"name": "tiny", "target": "person"}', encoding="utf-8")
    (tmp_path / "organizations.jsonl").write_text(
        '{"id": "o1", "name": "인천대학교", "kind": "university", "country": "KR"}\n', encoding="utf-8"
    )
    (tmp_path / "people.jsonl").write_text('{"id": "inv:김", "name": "김"}\n', encoding="utf-8")
    items = [
        {
            "id": "KR1",
            "title": "A(B)",
            "text": "t",
            "codes": ["G06F 40/20"],
            "organizations": ["o1"],
            "people": ["inv:김"],
            "date": "2020-01-01",
        },
        {"id": "KR2", "title": "C", "text": "t", "organizations": ["o2"], "people": []},
    ]
    (tmp_path / "items.jsonl").write_text("\n".join(json.dumps(i) for i in items), encoding="utf-8")
    with pytest.raises(ImportRejectedError) as caught:
        _import(engine, "bench", tmp_path)
    assert caught.value.problems == ("items.jsonl:2: organizations: unknown organisation 'o2'",)
    assert _counts(engine)["organizations"] == 0


def test_unknown_entity_and_mapping(engine: Engine, tmp_path: Path) -> None:
    path = _csv(tmp_path, "x.csv", "name", "a")
    with pytest.raises(InvalidError, match="unknown entity"):
        _import(engine, "spaceship", path)
    with pytest.raises(InvalidError, match="unknown mapping"):
        _import(engine, "organization", path, mapping="nope")


def test_progress_is_reported(engine: Engine, tmp_path: Path) -> None:
    path = _csv(tmp_path, "orgs.csv", "name,kind", "A,company", "B,company")
    seen: list[tuple[int, int]] = []
    _import(engine, "organization", path, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


@pytest.mark.slow
def test_real_benchmarks_and_cordis_import_twice_identically(
    engine: Engine, shared_data: Path, tmp_path: Path
) -> None:
    for name in ("kipris-inu-experts-dev", "norway-h2020-partners-dev"):
        first = _import(engine, "bench", shared_data / name)
        assert all(t["created"] > 0 for t in first.counts.values())
        again = _import(engine, "bench", shared_data / name)
        assert all(t["created"] == t["updated"] == 0 for t in again.counts.values())
    with gzip.open(shared_data / "cordis-he-participants-dev" / "participants.csv.gz", "rt") as source:
        head = [next(source) for _ in range(2001)]
    path = tmp_path / "cordis.csv"
    path.write_text("".join(head), encoding="utf-8")
    assert _import(engine, "project", path, mapping="cordis").counts["project_participant"]["created"] > 1900
    again = _import(engine, "project", path, mapping="cordis")
    assert all(t["created"] == t["updated"] == 0 for t in again.counts.values())
    with transaction(engine) as session:
        technology = session.scalar(select(Technology).where(Technology.key == "KR1020030086087"))
        assert technology is not None and technology.owners and technology.inventors
