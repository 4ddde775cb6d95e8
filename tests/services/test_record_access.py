"""Who may change public records and act on accounts, as tables (services/access/record.py, account.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError, NotFoundError, PermissionDeniedError
from techbridge.services.access.account import lists_every_token, token_holder
from techbridge.services.access.record import (
    RecordAction,
    organization_for,
    technology_owner,
    technology_to_change,
)
from techbridge.services.accounts import Grant, create_user
from techbridge.services.actor import Actor, operator
from techbridge.storage.db import transaction
from tests import factories

# who: (organisation key, role)
WHO = {
    "admin": (None, "administrator"),
    "manager": (None, "program_manager"),
    "kimm": ("kr-kimm", "institute_member"),
    "etri": ("kr-etri", "institute_member"),
    "company": ("kr-lms", "company_member"),
    "viewer": (None, "viewer"),
}


def _world(session: Session) -> dict[str, Actor]:
    orgs = {
        "kr-lms": factories.organization(session, "엘엠에스", key="kr-lms"),
        "kr-kimm": factories.organization(session, "한국기계연구원", "research_institute", key="kr-kimm"),
        "kr-etri": factories.organization(session, "한국전자통신연구원", "research_institute", key="kr-etri"),
    }
    factories.technology(session, "kr-kimm-1", "렌즈 소재", [orgs["kr-kimm"]])
    actors = {}
    for name, (org, role) in WHO.items():
        user = create_user(session, f"u-{name}", None, organization=org, grants=[Grant(role)])
        org_id = orgs[org].id if org else None
        actors[name] = Actor(f"u-{name}", user.id, org_id, frozenset({(role, None)}))
    return actors


def _answer(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except PermissionDeniedError:
        return "403"
    except NotFoundError:
        return "404"
    except InvalidError:
        return "422"
    return "ok"


@pytest.mark.parametrize(
    ("who", "change_lms", "new_for_own", "new_for_kimm", "kimm_1"),
    [
        ("admin", "ok", "422", "ok", "ok"),
        ("manager", "ok", "422", "ok", "ok"),
        ("kimm", "403", "ok", "ok", "ok"),
        ("etri", "403", "ok", "403", "403"),
        ("company", "ok", "403", "403", "403"),
        ("viewer", "403", "403", "403", "403"),
    ],
)
def test_who_changes_organisations_and_technologies(
    engine: Engine, who: str, change_lms: str, new_for_own: str, new_for_kimm: str, kimm_1: str
) -> None:
    with transaction(engine) as session:
        actor = _world(session)[who]
        update = RecordAction.UPDATE
        assert _answer(lambda: organization_for(session, actor, "kr-lms", update)) == change_lms
        assert _answer(lambda: technology_owner(session, actor, None)) == new_for_own
        assert _answer(lambda: technology_owner(session, actor, "kr-kimm")) == new_for_kimm
        # changing a stored technology: only its holders' staff, managers and administrators
        allowed = _answer(lambda: technology_owner(session, actor, "kr-kimm"))
        held = _answer(lambda: technology_to_change(session, actor, "kr-kimm-1"))
        assert (held if allowed == "ok" else allowed) == kimm_1
        assert _answer(lambda: organization_for(session, actor, "kr-nowhere")) == "404"


def test_tokens_are_their_users_and_administrators(engine: Engine) -> None:
    with transaction(engine) as session:
        actors = _world(session)
        kimm, admin = actors["kimm"], actors["admin"]
        assert token_holder(session, kimm, None).username == "u-kimm"
        assert token_holder(session, kimm, "u-kimm").username == "u-kimm"
        assert _answer(lambda: token_holder(session, kimm, "u-etri")) == "403"
        assert _answer(lambda: token_holder(session, kimm, "nobody")) == "403"  # refused before looking
        assert token_holder(session, admin, "u-etri").username == "u-etri"
        assert _answer(lambda: token_holder(session, admin, "nobody")) == "404"
        assert _answer(lambda: token_holder(session, operator("ops"), None)) == "422"
        assert lists_every_token(admin, None) and not lists_every_token(kimm, None)
        assert not lists_every_token(admin, "u-kimm")
