"""No answer depends on a need key held by a need the caller may not read (``docs/security.md``).

Registering a need and importing a need file answer a taken key exactly as a free one, unless the
caller reads the need holding it; technology lists filter by owner in the database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from techbridge.errors import ConflictError, ImportRejectedError, PermissionDeniedError
from techbridge.services.access.record import records_query
from techbridge.services.actor import (
    ADMINISTRATOR,
    COMPANY_MEMBER,
    PROGRAM_MANAGER,
    Actor,
    operator,
)
from techbridge.services.catalogue.entity import Row
from techbridge.services.ingest.importing import ImportRequest, ImportResult, import_file
from techbridge.services.needs.register import NeedRequest, create_need
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Program, Round, Technology
from tests import factories

HIDDEN, IN_ROUND = "need-acme-battery", "need-acme-round"
RANDOM = re.compile(r"need-[0-9a-f]{16}")


@pytest.fixture
def stored(engine: Engine) -> Engine:
    """Two companies; acme has a need outside any round and one in program ``p``'s round."""
    with transaction(engine) as s:
        acme = factories.organization(s, "애크미", key="acme")
        factories.organization(s, "라이벌", key="rival")
        factories.organization(s, "다른 라이벌", key="other")
        program = Program(key="p", name="사업")
        s.add(program)
        s.flush()
        round_ = Round(program_id=program.id, key="r1", name="1차")
        s.add(round_)
        s.flush()
        s.add(Need(key=HIDDEN, organization=acme, title="배터리 비밀", description="비밀 조성", codes=[]))
        s.add(Need(key=IN_ROUND, organization=acme, title="차수 과제", round_id=round_.id, codes=[]))
    return engine


def _actor(session: Session, role: str, organization: str | None = None, program: str | None = None) -> Actor:
    org_id = session.scalar(select(Organization.id).where(Organization.key == organization))
    program_id = session.scalar(select(Program.id).where(Program.key == program)) if program else None
    return Actor(name=f"{role}@{organization}", organization_id=org_id, roles=frozenset({(role, program_id)}))


def _needs(session: Session) -> list[tuple[str, str, str]]:
    rows = session.execute(select(Need.key, Need.title, Organization.key).join(Need.organization))
    return sorted((key, title, owner) for key, title, owner in rows.all())


def _register(
    engine: Engine, actor_of: tuple[str, str | None, str | None], company: str, key: str, title: str
) -> Row:
    """Register a need as the actor ``actor_of`` describes; a manager of one program into its round."""
    with transaction(engine) as s:
        actor = _actor(s, *actor_of)
    program = actor_of[2]
    request = NeedRequest(company, title, key=key, program=program, round="r1" if program else None)
    return create_need(factories.core_on(engine), actor, request)


def _create(engine: Engine, actor_of: tuple[str, str | None, str | None], key: str) -> dict[str, object]:
    row = _register(engine, actor_of, "rival", key, "새 과제")
    return {name: (RANDOM.pattern if name == "key" and RANDOM.fullmatch(value) else value)
            for name, value in row.items() if name not in ("id", "created_at", "updated_at")}  # fmt: skip


@pytest.mark.parametrize(
    "actor_of",
    [(COMPANY_MEMBER, "rival", None), (PROGRAM_MANAGER, None, "p")],
    ids=["rival", "program-manager"],
)
def test_a_taken_key_of_a_hidden_need_is_answered_like_a_free_one(
    stored: Engine, actor_of: tuple[str, str | None, str | None]
) -> None:
    with transaction(stored) as s:
        before = _needs(s)
    taken, free = _create(stored, actor_of, HIDDEN), _create(stored, actor_of, "need-nobody-has-this")
    assert taken == free and taken["key"] == RANDOM.pattern and taken["organization"] == "rival"
    with transaction(stored) as s:
        after = _needs(s)
    added = [need for need in after if need not in before]
    assert [(RANDOM.fullmatch(key) is not None, title, owner) for key, title, owner in added] == [
        (True, "새 과제", "rival")
    ] * 2
    assert set(before) <= set(after)  # the hidden need is as it was


def test_a_key_held_by_a_need_the_caller_reads_answers_conflict_and_writes_nothing(stored: Engine) -> None:
    for actor_of, key in (((COMPANY_MEMBER, "acme", None), HIDDEN), ((PROGRAM_MANAGER, None, "p"), IN_ROUND)):
        with transaction(stored) as s:
            before = _needs(s)
        with pytest.raises(ConflictError, match="exists already"):
            _register(stored, actor_of, "acme", key, "다시")
        with transaction(stored) as s:
            assert _needs(s) == before


def test_who_reads_every_need_keeps_a_chosen_free_key(stored: Engine) -> None:
    for role, key in ((ADMINISTRATOR, "need-admin-chosen"), (PROGRAM_MANAGER, "need-pm-chosen")):
        assert _register(stored, (role, None, None), "rival", key, "t")["key"] == key
        with pytest.raises(ConflictError):
            _register(stored, (role, None, None), "rival", HIDDEN, "t")


def _file(tmp_path: Path, key: str, company: str = "rival") -> Path:
    path = tmp_path / f"needs-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text(f"key,organization,title\n{key},{company},가로챈 제목\n", encoding="utf-8")
    return path


def _import(stored: Engine, path: Path, actor: Actor) -> ImportResult:
    return import_file(factories.core_on(stored), actor, ImportRequest("need", path))


def _refusal(stored: Engine, actor: Actor, path: Path, key: str) -> list[str]:
    with pytest.raises(ImportRejectedError) as refused:
        _import(stored, path, actor)
    return [problem.replace(key, "<key>").replace(path.name, "<file>") for problem in refused.value.problems]


def test_an_import_by_a_program_manager_cannot_take_over_or_reveal_a_need(
    stored: Engine, tmp_path: Path
) -> None:
    with transaction(stored) as s:
        manager, before = _actor(s, PROGRAM_MANAGER, None, "p"), _needs(s)
        count = s.scalar(select(func.count()).select_from(Need))
    taken = _refusal(stored, manager, _file(tmp_path, HIDDEN), HIDDEN)
    free = _refusal(stored, manager, _file(tmp_path, "need-free-1"), "need-free-1")
    assert taken == free and len(taken) == 1 and "<key>" in taken[0]
    assert "acme" not in taken[0] and "배터리" not in taken[0]
    with transaction(stored) as s:
        assert _needs(s) == before and s.scalar(select(func.count()).select_from(Need)) == count
    summary = _import(stored, _file(tmp_path, IN_ROUND, "acme"), manager)
    assert summary.counts == {"need": {"created": 0, "updated": 1, "unchanged": 0}}
    with transaction(stored) as s:
        assert (IN_ROUND, "가로챈 제목", "acme") in _needs(s)


def test_a_company_member_may_not_import_and_so_learns_nothing_of_a_need(
    stored: Engine, tmp_path: Path
) -> None:
    with transaction(stored) as s:
        rival, before = _actor(s, COMPANY_MEMBER, "rival"), _needs(s)
    for key in (HIDDEN, "need-free-2"):
        with pytest.raises(PermissionDeniedError, match=r"^only administrators and program managers import"):
            _import(stored, _file(tmp_path, key), rival)
    with transaction(stored) as s:
        assert _needs(s) == before


def test_the_operator_and_administrators_import_needs_as_the_file_says(
    stored: Engine, tmp_path: Path
) -> None:
    summary = _import(stored, _file(tmp_path, "need-op-1"), operator("cli"))
    assert summary.counts["need"]["created"] == 1
    with transaction(stored) as s:
        admin = _actor(s, ADMINISTRATOR)
    summary = _import(stored, _file(tmp_path, "need-op-1", "other"), admin)
    assert summary.counts["need"]["updated"] == 1
    with transaction(stored) as s:
        assert ("need-op-1", "가로챈 제목", "other") in _needs(s)


def test_technologies_filter_by_owner_past_the_first_page_of_500(stored: Engine) -> None:
    with transaction(stored) as s:
        crowd = factories.organization(s, "큰 기관", kind="research_institute", key="crowd")
        late = factories.organization(s, "늦은 기관", kind="research_institute", key="late")
        s.add_all(
            Technology(key=f"t-{n}", title=f"기술 {n}", owners=[crowd], inventors=[]) for n in range(501)
        )
        s.flush()
        factories.technology(s, "t-late", "늦게 온 기술", [late, crowd])
        assert _held(s, "late", limit=10) == (1, ["t-late"])
        assert _held(s, "crowd", limit=1)[0] == 502
        assert _held(s, "nobody")[0] == 0


def _held(session: Session, owner: str, limit: int = 50) -> tuple[int, list[str]]:
    """Return how many technologies ``owner`` holds and the keys of the first ``limit``."""
    _, query = records_query("technology", {"owner": owner})
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return total, [record.key for record in session.scalars(query.limit(limit))]
