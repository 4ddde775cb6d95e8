"""Every write use case through the CLI, the API and the web form, for every role: one matrix.

The same action must have the same rules and results on every edge (issue 18). For each write and
each edge that offers it, every role runs it on a fresh copy of the world (``tests/edges/world.py``):
- the API's status is the one written down for the role;
- the web form and the CLI (``--as u-ROLE``) succeed exactly where the API does, and where they
  refuse, they say the same message;
- a refused write leaves the database as it was, and an accepted one stores the same facts on every
  edge.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.storage.accounts import ApiToken, NeedShare, User, UserSession
from techbridge.storage.licence import Licence, LicencePayment
from techbridge.storage.pipeline import InvestmentLine, JointPlan, StageChange
from techbridge.storage.tables import (
    Agreement,
    Cooperation,
    CooperationMember,
    Meeting,
    Need,
    Organization,
    Outcome,
    Technology,
)
from tests.edges.matrix import Worlds, Write, check_every_edge
from tests.edges.world import NOW

DAY = NOW.date().isoformat()  # a step dated today follows every step of the world


def _new_needs(session: Session) -> Any:
    rows = session.execute(
        select(Need.title, Need.organization_id, Need.round_id, Need.visibility).where(
            Need.title == "새 과제"
        )
    )
    return sorted(rows)


def _shares(session: Session) -> Any:
    return sorted(session.execute(select(NeedShare.need_id, NeedShare.organization_id)))


def _coop_history(session: Session, key: str = "coop-1") -> Any:
    coop = session.scalar(select(Cooperation).where(Cooperation.key == key))
    if coop is None:
        return None
    steps = session.scalars(
        select(StageChange).where(StageChange.cooperation_id == coop.id).order_by(StageChange.id)
    )
    return coop.stage, [(s.from_stage, s.to_stage, s.actor, s.reason, s.is_override) for s in steps]


def _new_cooperation(session: Session) -> Any:
    coop = session.scalar(select(Cooperation).where(Cooperation.key == "coop-new"))
    if coop is None:
        return None
    members = session.execute(
        select(CooperationMember.organization_id, CooperationMember.role).where(
            CooperationMember.cooperation_id == coop.id
        )
    )
    return coop.title, coop.stage, sorted(members), coop.program_id, coop.consortium_id, coop.started_on


def _agreements(session: Session) -> Any:
    rows = session.scalars(select(Agreement).order_by(Agreement.id))
    return [(a.kind, a.title, a.signed_on, a.amount_krw, sorted(p.key for p in a.parties)) for a in rows]


def _outcomes(session: Session) -> Any:
    rows = session.scalars(select(Outcome).order_by(Outcome.id))
    return [(o.kind, o.occurred_on, o.amount_krw, o.description, o.cooperation_id) for o in rows]


def _licences(session: Session) -> Any:
    rows = session.scalars(select(Licence).order_by(Licence.id))
    return [
        (lic.agreement_id, lic.technology_id, lic.licensor_id, lic.licensee_id, lic.royalty_kind,
         lic.starts_on, [(i.number, i.kind, i.due_on, i.amount_krw) for i in lic.instalments])
        for lic in rows
    ]  # fmt: skip


def _licence_payments(session: Session) -> Any:
    rows = session.scalars(select(LicencePayment).order_by(LicencePayment.id))
    payments = [(p.licence_id, p.instalment.number, p.paid_on, p.amount_krw, p.recorded_by) for p in rows]
    return payments, _outcomes(session)


def _program_results(session: Session) -> Any:
    rows = session.scalars(select(Outcome).where(Outcome.program_id.is_not(None)).order_by(Outcome.id))
    return [(o.kind, o.quantity, o.amount_krw, o.source, o.program_id, o.occurred_on) for o in rows]


def _meetings(session: Session) -> Any:
    rows = session.scalars(select(Meeting).order_by(Meeting.id))
    return [(m.title, m.held_on, m.program_id, sorted(m.attendees)) for m in rows]


def _plans(session: Session) -> Any:
    plans = session.scalars(select(JointPlan).order_by(JointPlan.id))
    lines = session.execute(
        select(InvestmentLine.year, InvestmentLine.amount_krw).order_by(InvestmentLine.year)
    )
    return [(p.objectives, p.starts_on, p.ends_on) for p in plans], list(lines)


def _new_user(session: Session) -> Any:
    user = session.scalar(select(User).where(User.username == "u-new"))
    return None if user is None else (user.organization_id, [g.role for g in user.grants], user.is_active)


def _viewer_password(session: Session) -> Any:
    """Whether u-viewer must change their password, their live sessions and API tokens."""
    user = session.scalar(select(User).where(User.username == "u-viewer"))
    assert user is not None
    sessions = session.scalar(select(func.count()).where(UserSession.user_id == user.id))
    live = select(func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    return user.must_change_password, user.password_hash is not None, sessions, session.scalar(live)


def _kimm_patent(session: Session) -> Any:
    found = session.scalar(select(Technology).where(Technology.key == "kr-kimm-patent-1"))
    assert found is not None
    return found.title, found.abstract, found.codes, sorted(o.key for o in found.owners)


def _organization_names(session: Session) -> Any:
    return sorted(session.execute(select(Organization.key, Organization.name, Organization.name_key)))


WRITES = [
    Write(
        "register a need into a round",
        "201 201 403 201 403 403 403 403",
        (
            "POST",
            "/api/v1/needs",
            {"organization": "kr-lms", "title": "새 과제", "program": "p2021", "round": "r1"},
        ),
        ("/needs", {"organization": "kr-lms", "title": "새 과제", "round": "p2021/r1"}),
        None,
        _new_needs,
    ),
    Write(
        "share a need with a partner",
        "201 201 404 201 404 404 403 404",
        ("POST", "/api/v1/needs/need-lms-secret/shares", {"organization": "kr-etri"}),
        ("/needs/need-lms-secret/share", {"organization": "kr-etri"}),
        None,
        _shares,
    ),
    Write(
        "move a cooperation",
        "200 200 404 200 404 404 200 404",
        ("POST", "/api/v1/cooperations/coop-1/transitions", {"to_stage": "introduced"}),
        ("/cooperations/coop-1/move", {"stage": "introduced"}),
        ("cooperation", "move", "coop-1", "introduced"),
        _coop_history,
    ),
    Write(
        "override the pipeline",
        "200 200 404 403 404 404 403 404",
        (
            "POST",
            "/api/v1/cooperations/coop-1/transitions",
            {"to_stage": "rnd_under_way", "override": True, "reason": "signed on paper"},
        ),
        (
            "/cooperations/coop-1/move",
            {"stage": "rnd_under_way", "override": "true", "reason": "signed on paper"},
        ),
        ("cooperation", "move", "coop-1", "rnd_under_way", "--override", "--reason", "signed on paper"),
        _coop_history,
    ),
    Write(
        "move from a stage it has left",
        "409 409 404 409 404 404 409 404",
        (
            "POST",
            "/api/v1/cooperations/coop-1/transitions",
            {"to_stage": "joint_planning", "from_stage": "introduced"},
        ),
        ("/cooperations/coop-1/move", {"stage": "joint_planning", "from_stage": "introduced"}),
        ("cooperation", "move", "coop-1", "joint_planning", "--from", "introduced"),
        _coop_history,
    ),
    Write(
        "open a cooperation by hand",
        "201 403 403 403 403 403 403 403",
        (
            "POST",
            "/api/v1/cooperations",
            {"key": "coop-new", "title": "새 협력", "members": {"kr-lms": "demand", "kr-etri": "supply"}},
        ),
        None,
        (
            "cooperation",
            "create",
            "coop-new",
            "--title",
            "새 협력",
            "--member",
            "kr-lms=demand",
            "--member",
            "kr-etri=supply",
        ),
        _new_cooperation,
    ),
    Write(
        "open a cooperation in a program, with its start",
        "201 201 403 403 403 403 403 403",
        (
            "POST",
            "/api/v1/cooperations",
            {
                "key": "coop-new",
                "title": "새 협력",
                "members": {"kr-lms": "demand", "kr-etri": "supply"},
                "program": "p2021",
                "started_on": DAY,
            },
        ),
        None,
        (
            "cooperation",
            "create",
            "coop-new",
            "--title",
            "새 협력",
            "--member",
            "kr-lms=demand",
            "--member",
            "kr-etri=supply",
            "--program",
            "p2021",
            "--started-on",
            DAY,
        ),
        _new_cooperation,
    ),
    Write(
        "sign an agreement",
        "201 201 404 201 404 404 201 404",
        (
            "POST",
            "/api/v1/cooperations/coop-2/agreements",
            {"kind": "mou", "title": "업무협약", "signed_on": DAY, "amount_krw": 500_000_000},
        ),
        (
            "/cooperations/coop-2/agreements",
            {"kind": "mou", "title": "업무협약", "signed_on": DAY, "amount": "5억"},
        ),
        (
            "cooperation",
            "sign",
            "coop-2",
            "--kind",
            "mou",
            "--title",
            "업무협약",
            "--date",
            DAY,
            "--amount",
            "5억",
        ),
        _agreements,
    ),
    Write(
        "sign before introduction, with a reason",
        "201 201 404 403 404 404 403 404",
        (
            "POST",
            "/api/v1/cooperations/coop-1/agreements",
            {"kind": "mou", "title": "조기 협약", "signed_on": DAY, "override_reason": "signed on paper"},
        ),
        None,
        (
            "cooperation",
            "sign",
            "coop-1",
            "--kind",
            "mou",
            "--title",
            "조기 협약",
            "--date",
            DAY,
            "--override-reason",
            "signed on paper",
        ),
        _agreements,
    ),
    Write(
        "record an outcome",
        "201 201 404 201 404 404 201 404",
        (
            "POST",
            "/api/v1/outcomes",
            {
                "kind": "technology_transfer",
                "occurred_on": DAY,
                "amount_krw": 120_000_000,
                "description": "기술이전",
                "cooperation": "coop-2",
            },
        ),
        (
            "/cooperations/coop-2/outcomes",
            {"kind": "technology_transfer", "occurred_on": DAY, "amount": "1.2억", "description": "기술이전"},
        ),
        (
            "cooperation",
            "outcome",
            "coop-2",
            "--kind",
            "technology_transfer",
            "--date",
            DAY,
            "--amount",
            "1.2억",
            "--description",
            "기술이전",
        ),
        _outcomes,
    ),
    Write(
        "record a program's reported total",
        "201 201 404 403 403 403 403 403",
        (
            "POST",
            "/api/v1/outcomes",
            {"kind": "startup", "occurred_on": DAY, "quantity": 21, "program": "p2021", "source": "보도자료"},
        ),
        None,
        (
            "program",
            "result",
            "p2021",
            "--kind",
            "startup",
            "--count",
            "21",
            "--date",
            DAY,
            "--source",
            "보도자료",
        ),
        _program_results,
    ),
    Write(
        "record a meeting",
        "201 201 404 403 404 404 403 404",
        ("POST", "/api/v1/meetings", {"title": "기술교류회", "held_on": DAY, "cooperation": "coop-1"}),
        ("/cooperations/coop-1/meetings", {"title": "기술교류회", "held_on": DAY}),
        ("program", "meeting", "p2021", "--title", "기술교류회", "--date", DAY, "--cooperation", "coop-1"),
        _meetings,
    ),
    Write(
        "write the joint plan",
        "200 200 404 200 404 404 200 404",
        (
            "PUT",
            "/api/v1/cooperations/coop-1/plan",
            {
                "objectives": "라이다 렌즈 공동기획",
                "starts_on": "2027-01-01",
                "ends_on": "2027-12-31",
                "investment": [{"year": 2027, "amount_krw": 300_000_000}],
            },
        ),
        None,
        (
            "cooperation",
            "plan",
            "coop-1",
            "--objectives",
            "라이다 렌즈 공동기획",
            "--start",
            "2027-01-01",
            "--end",
            "2027-12-31",
            "--investment",
            "2027=3억",
        ),
        _plans,
    ),
    Write(
        "create a user",
        "201 403 403 403 403 403 403 403",
        (
            "POST",
            "/api/v1/users",
            {"username": "u-new", "password": "long enough", "roles": [{"role": "viewer"}]},
        ),
        None,
        ("user", "create", "u-new", "--password", "long enough", "--role", "viewer"),
        _new_user,
    ),
    Write(
        # u-viewer is the world's last user (id 8); no web page administers users.
        "reset a user's password",
        "200 403 403 403 403 403 403 403",
        ("POST", "/api/v1/users/8/password-reset", {}),
        None,
        ("user", "reset-password", "u-viewer"),
        _viewer_password,
    ),
    Write(
        "register a technology under another institute's key",
        "422 422 422 403 403 403 200 403",
        (
            "POST",
            "/api/v1/technologies",
            {"key": "kr-kimm-patent-1", "title": "가로챈 제목", "abstract": "가로챈 초록", "codes": ["X99"]},
        ),
        (
            "/technologies",
            {"key": "kr-kimm-patent-1", "title": "가로챈 제목", "abstract": "가로챈 초록", "codes": "X99"},
        ),
        None,
        _kimm_patent,
    ),
    Write(
        "rename an organisation to another's name",
        "409 409 409 409 403 403 403 403",
        ("PATCH", "/api/v1/organizations/kr-lms", {"name": "(주)경쟁사"}),
        None,
        None,
        _organization_names,
    ),
    Write(
        "create a licence",
        "201 201 404 201 404 404 201 404",
        (
            "POST",
            "/api/v1/licences",
            {
                "agreement": "agr-licence",
                "technology": "kr-kimm-patent-1",
                "licensor": "kr-kimm",
                "licensee": "kr-lms",
                "royalty_kind": "fixed",
                "upfront_krw": 30_000_000,
            },
        ),
        None,
        (
            "licence",
            "create",
            "--agreement",
            "agr-licence",
            "--technology",
            "kr-kimm-patent-1",
            "--licensor",
            "kr-kimm",
            "--licensee",
            "kr-lms",
            "--kind",
            "fixed",
            "--upfront",
            "3000만원",
        ),
        _licences,
    ),
    Write(
        "record a licence payment",
        "201 201 404 201 404 404 201 404",
        (
            "POST",
            "/api/v1/licences/lic-1/payments",
            {"instalment": 0, "amount_krw": 20_000_000, "paid_on": DAY},
        ),
        (
            "/cooperations/coop-2/licences/lic-1/payments",
            {"instalment": "0", "amount": "2000만원", "paid_on": DAY},
        ),
        ("licence", "pay", "lic-1", "--instalment", "0", "--amount", "2000만원", "--date", DAY),
        _licence_payments,
    ),
    Write(
        "record a fusion technology",
        "201 201 201 403 403 403 403 403",
        ("POST", "/api/v1/fusions", {"technologies": ["kr-kimm-patent-1", "kr-etri-patent-1"]}),
        None,
        ("fusion", "record", "kr-kimm-patent-1", "kr-etri-patent-1"),
        _outcomes,
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_every_edge_gives_every_role_the_same_answer(worlds: Worlds, served: FastAPI, write: Write) -> None:
    check_every_edge(worlds, served, write)
