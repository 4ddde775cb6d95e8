"""The world the edge matrix runs in: two programs, companies, institutes, needs, cooperations
(coop-1 matched, coop-2 introduced, with a licence agreement and its licence
lic-1), and one user per role with an API token and a browser session.

It is stored once per backend and copied for every run (a file copy on SQLite, ``CREATE DATABASE …
TEMPLATE`` on PostgreSQL), so that each write starts from the same state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import Engine

from techbridge.config import DEFAULT_SESSION_SECRET
from techbridge.services.cooperations.pipeline import add_cooperation
from techbridge.storage.accounts import ApiToken, NeedShare, RoleGrant, User, UserSession
from techbridge.storage.db import transaction
from techbridge.storage.licence import Licence, LicenceInstalment
from techbridge.storage.pipeline import StageChange
from techbridge.storage.tables import Agreement, Need, Program, Round, RoundParticipant
from tests import factories

# Every role the matrix runs each write as; "other_manager" manages the other program only.
ROLES = (
    "admin",
    "manager",
    "other_manager",
    "owner",
    "competitor",
    "institute",
    "partner",
    "viewer",
)
_GRANTS: dict[str, tuple[str | None, str, str | None]] = {
    # role: (organisation key, role granted, program key of the grant)
    "admin": (None, "administrator", None),
    "manager": (None, "program_manager", "p2021"),
    "other_manager": (None, "program_manager", "p-other"),
    "owner": ("kr-lms", "company_member", None),
    "competitor": ("kr-rival", "company_member", None),
    "institute": ("kr-etri", "institute_member", None),
    "partner": ("kr-kimm", "institute_member", None),
    "viewer": (None, "viewer", None),
}
NOW = dt.datetime.now(dt.UTC)


def api_token(role: str) -> str:
    """Return the API token of ``role``'s user (made up from the role: tests only)."""
    return f"tb_edge-matrix-token-of-{role}"


def session_cookie(role: str) -> str:
    """Return the browser session cookie of ``role``'s user."""
    return f"edge-matrix-session-of-{role}"


def csrf_of(cookie: str) -> str:
    """Return the CSRF token of a session (docs/security.md: an HMAC-SHA256 of the session token)."""
    return hmac.new(DEFAULT_SESSION_SECRET.encode(), cookie.encode(), hashlib.sha256).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seed(engine: Engine) -> None:
    """Store the world."""
    with transaction(engine) as s:
        program, other = (
            Program(key="p2021", name="중견기업-출연연 기술협력"),
            Program(key="p-other", name="다른 사업"),
        )
        s.add_all([program, other])
        s.flush()
        r1 = Round(program_id=program.id, key="r1", name="1차")
        r2 = Round(program_id=other.id, key="r2", name="다른 1차")
        s.add_all([r1, r2])
        s.flush()
        lms = factories.organization(s, "엘엠에스", key="kr-lms", name_en="LMS", size_class="mid-sized")
        rival = factories.organization(s, "경쟁사", key="kr-rival", size_class="mid-sized")
        kimm = factories.organization(s, "한국기계연구원", kind="research_institute", key="kr-kimm")
        etri = factories.organization(s, "한국전자통신연구원", kind="research_institute", key="kr-etri")
        lens = factories.technology(s, "kr-kimm-patent-1", "라이다 광학 렌즈 소재", [kimm])
        factories.technology(s, "kr-etri-patent-1", "초저지연 통신 모뎀", [etri])
        secret = Need(key="need-lms-secret", organization=lms, round_id=r1.id, title="비밀 과제: 광학소재",
                      description="confidential", visibility="confidential", status="accepted")  # fmt: skip
        rival_need = Need(key="need-rival-other", organization=rival, round_id=r2.id, title="다른 사업 과제",
                          description="other program", status="accepted")  # fmt: skip
        s.add_all([secret, rival_need])
        s.add_all([RoundParticipant(round_id=r1.id, organization_id=kimm.id, capacity=2),
                   RoundParticipant(round_id=r1.id, organization_id=etri.id, capacity=2)])  # fmt: skip
        s.flush()
        s.add(NeedShare(need_id=secret.id, organization_id=kimm.id, shared_by="u-owner", at=NOW))
        add_cooperation(s, "seed", "coop-1", "광학소재 협력", [(lms.id, "demand"), (kimm.id, "supply")],
                        round_id=r1.id, need=secret, at=NOW - dt.timedelta(days=30))  # fmt: skip
        pair = [(lms.id, "demand"), (kimm.id, "supply")]
        introduced = add_cooperation(s, "seed", "coop-2", "렌즈 협력", pair, round_id=r1.id,
                                     at=NOW - dt.timedelta(days=20))  # fmt: skip
        introduced.stage, introduced.stage_changed_at = "introduced", NOW - dt.timedelta(days=10)
        s.add(StageChange(cooperation_id=introduced.id, from_stage="matched", to_stage="introduced",
                          actor="seed", at=NOW - dt.timedelta(days=10)))  # fmt: skip
        # coop-2's licence agreement and its licence (lic-1): a 5천만원 up-front fee, unpaid
        signed = (NOW - dt.timedelta(days=5)).date()
        agreement = Agreement(key="agr-licence", cooperation_id=introduced.id, kind="license",
                              title="실시계약", signed_on=signed, parties=[lms, kimm])  # fmt: skip
        s.add(agreement)
        s.flush()
        s.add(Licence(key="lic-1", agreement_id=agreement.id, technology_id=lens.id, licensor_id=kimm.id,
                      licensee_id=lms.id, royalty_kind="fixed", starts_on=signed,
                      instalments=[LicenceInstalment(number=0, kind="upfront", due_on=signed,
                                                     amount_krw=50_000_000)]))  # fmt: skip
        add_cooperation(s, "seed", "coop-other", "다른 협력", [(rival.id, "demand"), (etri.id, "supply")],
                        round_id=r2.id, at=NOW - dt.timedelta(days=30))  # fmt: skip
        orgs = {"kr-lms": lms.id, "kr-rival": rival.id, "kr-kimm": kimm.id, "kr-etri": etri.id}
        programs = {"p2021": program.id, "p-other": other.id}
        for role, (org, granted, program_key) in _GRANTS.items():
            user = User(username=f"u-{role}", organization_id=orgs[org] if org else None)
            user.grants = [RoleGrant(role=granted, program_id=programs[program_key] if program_key else None)]
            s.add(user)
            s.flush()
            token = api_token(role)
            s.add(ApiToken(user_id=user.id, name="edges", token_hash=_sha256(token), prefix=token[:10]))
            s.add(UserSession(user_id=user.id, token_hash=_sha256(session_cookie(role)), created_at=NOW,
                              expires_at=NOW + dt.timedelta(days=2)))  # fmt: skip
