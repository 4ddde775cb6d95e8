"""Needs' use cases: changes under the need's row lock, shares and interests once each, and the
core's answers (a share taken back, a summary that names its company refused, nothing stored)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from techbridge.errors import ConflictError, InvalidError, NotFoundError, TechbridgeError
from techbridge.services.actor import COMPANY_MEMBER, INSTITUTE_MEMBER, Actor, operator
from techbridge.services.core import Core
from techbridge.services.needs.reading import get_need
from techbridge.services.needs.register import NeedChange, NeedRequest, create_need, update_need
from techbridge.services.needs.sharing import (
    InterestRequest,
    ShareRequest,
    access_log,
    express_interest,
    list_shares,
    share_need,
    unshare_need,
)
from techbridge.storage.accounts import NeedInterest, NeedShare
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization
from tests import factories

WORKERS = 8


@pytest.fixture
def core(engine: Engine) -> Core:
    """A company (acme) with a published need, two institutes, and a member of each."""
    with transaction(engine) as s:
        factories.organization(s, "애크미", key="acme")
        factories.organization(s, "기계연", kind="research_institute", key="kimm")
        factories.organization(s, "전자연", kind="research_institute", key="etri")
    core = factories.core_on(engine)
    request = NeedRequest("acme", "광학소재", key="need-acme", visibility="summary", summary="광학소재 협력")
    create_need(core, operator("t"), request)
    return core


def _member(core: Core, organization: str, role: str) -> Actor:
    with core.reading() as s:
        org = s.scalar(select(Organization.id).where(Organization.key == organization))
    return Actor(name=f"{role}@{organization}", organization_id=org, roles=frozenset({(role, None)}))


def _race(work: Callable[[int], object]) -> list[object]:
    def attempt(i: int) -> object:
        try:
            return work(i)
        except TechbridgeError as exc:
            return exc

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(attempt, range(WORKERS)))


def _count(core: Core, table: type) -> int:
    with core.reading() as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def test_concurrent_shares_and_interests_are_stored_once(core: Core) -> None:
    owner, institute = _member(core, "acme", COMPANY_MEMBER), _member(core, "kimm", INSTITUTE_MEMBER)
    need_id = str(get_need(core, owner, "need-acme")["id"])
    shared = _race(lambda _: share_need(core, owner, ShareRequest("need-acme", "etri")))
    assert sum(isinstance(r, dict) for r in shared) == 1
    assert all(isinstance(r, ConflictError) for r in shared if not isinstance(r, dict))
    interested = _race(lambda _: express_interest(core, institute, InterestRequest(need_id, "관심")))
    assert sum(isinstance(r, dict) for r in interested) == 1
    assert all(isinstance(r, ConflictError) for r in interested if not isinstance(r, dict))
    assert _count(core, NeedShare) == 1 and _count(core, NeedInterest) == 1


def test_concurrent_changes_are_each_applied_whole(core: Core) -> None:
    owner = _member(core, "acme", COMPANY_MEMBER)
    _race(lambda i: update_need(core, owner, NeedChange("need-acme", field=f"field {i}", trl_target=1 + i)))
    need = get_need(core, owner, "need-acme")
    assert need["trl_target"] == int(need["field"].split()[1]) + 1  # one change's fields, not a mix


def test_a_share_is_taken_back_and_a_naming_summary_stores_nothing(core: Core) -> None:
    owner, partner = _member(core, "acme", COMPANY_MEMBER), _member(core, "etri", INSTITUTE_MEMBER)
    share_need(core, owner, ShareRequest("need-acme", "etri"))
    assert get_need(core, partner, "need-acme")["view"] == "full"
    unshare_need(core, owner, ShareRequest("need-acme", "etri"))
    assert list_shares(core, owner, "need-acme") == []
    with pytest.raises(NotFoundError, match="no need with id or key 'need-acme'"):
        get_need(core, partner, "need-acme")
    with pytest.raises(InvalidError, match="names the company"):
        update_need(core, owner, NeedChange("need-acme", title="새 제목", summary="애크미의 광학소재"))
    assert get_need(core, owner, "need-acme")["title"] == "광학소재"
    assert [(e["actor"], e["view"]) for e in access_log(core, owner, "need-acme")] == [
        ("institute_member@etri", "full")
    ]


def test_an_over_long_need_text_is_refused_and_nothing_is_stored(core: Core) -> None:
    """Issue 19: a 50 MB need description was accepted; the CLI and the web reach the same check."""

    def count() -> int:
        with core.reading() as s:
            return s.scalar(select(func.count()).select_from(Need)) or 0

    before = count()
    huge = NeedRequest("acme", "새 수요", description="x" * 20_001)
    with pytest.raises(InvalidError) as refused:
        create_need(core, operator("t"), huge)
    assert refused.value.problems == ("description: at most 20,000 characters (20,001 given)",)
    assert count() == before
    with pytest.raises(InvalidError):
        update_need(core, operator("t"), NeedChange("need-acme", title="t" * 2001))
    with core.reading() as s:
        assert s.scalar(select(Need.title).where(Need.key == "need-acme")) == "광학소재"
