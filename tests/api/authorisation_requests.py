"""How each endpoint of the authorisation matrix is called: its path values and body, made for the
calling role and record (``test_authorisation_matrix.py``), with what must exist first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from techbridge.services.accounts import Grant, create_token, create_user
from techbridge.services.actor import Actor, operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.licence import LicenceRequest, create_licence
from techbridge.services.cooperations.meeting import FollowUp, MeetingRequest, record_meeting
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import MoveRequest, add_cooperation, move_cooperation
from techbridge.services.cooperations.plan import PlanRequest, save_joint_plan
from techbridge.services.jobs.job import new_job
from techbridge.services.programs.assignment import run_assignment
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import (
    ParticipantsRequest,
    RoundRef,
    ScreenRequest,
    screen,
    set_participants,
)
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization
from tests import factories
from tests.api.conftest import World
from tests.factories import core_on

PASSWORD = "correct horse battery"


@dataclass
class Call:
    """One cell of the matrix: who asks about which record, with the world to build a request from."""

    world: World
    engine: Engine
    role: str
    record: str
    serial: int

    def need(self) -> str:
        return str(self.world.ids[self.record])


def _login(call: Call) -> dict[str, Any]:
    username = f"u-{call.role}" if call.role != "anonymous" else "nobody"
    return {"json": {"username": username, "password": PASSWORD}}


def _token_to_revoke(call: Call) -> dict[str, Any]:
    with transaction(call.engine) as session:
        token, _ = create_token(session, call.world.user_ids.get(call.role, 1), "to revoke")
    return {"path": {"token_id": token.id}}


def _new_partner(call: Call) -> dict[str, Any]:
    with transaction(call.engine) as session:
        partner = factories.organization(session, f"협력기관 {call.serial}", key=f"kr-partner-{call.serial}")
    return {"path": {"ident": call.need()}, "json": {"organization": partner.key}}


def _shared_partner(call: Call) -> dict[str, Any]:
    """A new partner the need is shared with."""
    from techbridge.storage.accounts import NeedShare

    ident = call.need()
    with transaction(call.engine) as session:
        partner = factories.organization(session, f"공유기관 {call.serial}", key=f"kr-shared-{call.serial}")
        share = NeedShare(
            need_id=int(ident), organization_id=partner.id, shared_by="t", at=dt.datetime.now(dt.UTC)
        )
        session.add(share)
    return {"path": {"ident": ident, "organization": partner.key}}


def _round_path(call: Call) -> dict[str, Any]:
    return {"path": {"program": "p2021", "round_key": "r1"}}


def _screened_round(call: Call, run: bool = False) -> dict[str, Any]:
    """Round r1 with an accepted need and a partner (and, with ``run``, proposed pairs)."""
    set_participants(
        core_on(call.engine), operator("test"), ParticipantsRequest(RoundRef("p2021", "r1"), {"kr-kimm": 5})
    )
    screen(
        core_on(call.engine),
        operator("test"),
        ScreenRequest(RoundRef("p2021", "r1"), "need-lms-published", True, None),
    )
    if run:  # scores loaded: the world has no matching index for the engine to score with
        scores = ScoresRequest(RoundRef("p2021", "r1"), {("need-lms-published", "kr-kimm"): 0.5})
        set_candidate_scores(core_on(call.engine), operator("test"), scores)
        run_assignment(core_on(call.engine), operator("test"), RoundRef("p2021", "r1"))
    return _round_path(call)


def _user_to_change(call: Call) -> dict[str, Any]:
    with transaction(call.engine) as session:
        user = create_user(session, f"changed-{call.serial}", None, grants=[Grant("viewer")])
    return {"path": {"user_id": user.id}, "json": {"roles": [{"role": "institute_member"}]}}


def _user_to_reset(call: Call) -> dict[str, Any]:
    with transaction(call.engine) as session:
        user = create_user(session, f"reset-{call.serial}", PASSWORD, grants=[Grant("viewer")])
    return {"path": {"user_id": user.id}}


def _new_need(call: Call) -> str:
    """A new accepted need of the company in round r1 (no pair accepted yet)."""
    key = f"need-swap-{call.serial}"
    with transaction(call.engine) as session:
        owner, round_id = call.world.ids["owner"], call.world.ids["round"]
        session.add(
            Need(key=key, organization_id=owner, round_id=round_id, title="교체 과제", status="accepted")
        )
    return key


def _new_task(call: Call) -> dict[str, Any]:
    """A task of a meeting of the managed program, serving no cooperation."""
    follow_up = FollowUp("자료 송부", "u-manager", dt.date(2027, 1, 1))
    held_on = dt.datetime.now(dt.UTC).date()
    request = MeetingRequest(
        "교류회", held_on, key=f"meet-task-{call.serial}", program="p2021", follow_ups=[follow_up]
    )
    recorded = record_meeting(core_on(call.engine), operator("test"), request)
    return {"path": {"key": recorded.tasks[0]}}


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _introduced_cooperation(call: Call) -> str:
    """A new cooperation like coop-1, already introduced (so that it may sign and record outcomes)."""
    key = f"coop-intro-{call.serial}"
    with transaction(call.engine) as session:
        members = [(call.world.ids["owner"], "demand"), (call.world.ids["kimm"], "supply")]
        add_cooperation(session, "u-manager", key, "광학소재 협력", members, round_id=call.world.ids["round"])
    move_cooperation(core_on(call.engine), operator("u-manager"), MoveRequest(key, "introduced"))
    return key


def _fresh_cooperation(call: Call) -> dict[str, Any]:
    """A new cooperation like coop-1 per call, so that each allowed move starts from ``matched``."""
    key = f"coop-move-{call.serial}"
    with transaction(call.engine) as session:
        members = [(call.world.ids["owner"], "demand"), (call.world.ids["kimm"], "supply")]
        add_cooperation(session, "u-manager", key, "광학소재 협력", members, round_id=call.world.ids["round"])
    override = call.record == "override"
    body = {"to_stage": "joint_planning" if override else "introduced", "override": override}
    return {"path": {"key": key}, "json": body | ({"reason": "skip"} if override else {})}


def _technology_pair(call: Call) -> dict[str, Any]:
    """Two new technologies of different owners per call, so that each allowed recording is new."""
    keys = [f"kr-fusion-{call.serial}-a", f"kr-fusion-{call.serial}-b"]
    with transaction(call.engine) as session:
        owners = [session.get(Organization, call.world.ids[o]) for o in ("kimm", "etri")]
        for key, owner in zip(keys, owners, strict=True):
            factories.technology(session, key, "광학 소재", [owner])
    return {"json": {"technologies": keys}}


def _signed_agreement(call: Call) -> dict[str, Any]:
    key = f"agr-read-{call.serial}"
    request = SignRequest(_introduced_cooperation(call), "mou", "업무협약", dt.date.today(), key=key)
    sign_agreement(core_on(call.engine), operator("test"), request)
    return {"path": {"key": key}}


def _recorded_outcome(call: Call) -> dict[str, Any]:
    key = f"out-read-{call.serial}"
    owner = {"cooperation": _introduced_cooperation(call)} if call.record == "cooperation" else {}
    item = OutcomeInput(key, "startup", dt.date.today(), organization="kr-kimm", **owner)
    record_outcome(core_on(call.engine), operator("test"), item)
    return {"path": {"key": key}}


def _licence_agreement(call: Call) -> str:
    key = f"agr-licence-{call.serial}"
    request = SignRequest(_introduced_cooperation(call), "license", "실시계약", dt.date.today(), key=key)
    sign_agreement(core_on(call.engine), operator("test"), request)
    return key


def _licence_body(agreement: str) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "technology": "kr-patent-1",
        "licensor": "kr-kimm",
        "licensee": "kr-lms",
        "royalty_kind": "fixed",
        "upfront_krw": 50_000_000,
    }


def _licence(call: Call) -> dict[str, Any]:
    request = LicenceRequest(**_licence_body(_licence_agreement(call)) | {"key": f"lic-{call.serial}"})
    create_licence(core_on(call.engine), operator("test"), request)
    return {"path": {"key": f"lic-{call.serial}"}}


def _planned_cooperation(call: Call) -> dict[str, Any]:
    key = _introduced_cooperation(call)
    request = PlanRequest(
        key, "양산 기술", dt.date(2026, 1, 1), dt.date(2027, 12, 31), key=f"plan-read-{call.serial}"
    )
    save_joint_plan(core_on(call.engine), operator("test"), request)
    return {"path": {"key": key}}


def _recorded_meeting(call: Call) -> dict[str, Any]:
    key = f"meet-read-{call.serial}"
    request = MeetingRequest("교류회", dt.date.today(), key=key, program="p2021")
    record_meeting(core_on(call.engine), operator("test"), request)
    return {"path": {"key": key}}


def _technology(call: Call) -> dict[str, Any]:
    key = f"kr-new-{call.serial}" if call.record.startswith("new") else "kr-patent-1"
    holder = {"organization": "kr-kimm"} if call.record.endswith("kr-kimm") else {}
    return {"json": {"key": key, "title": f"광학 렌즈 {call.serial}", "codes": ["G02B"], **holder}}


def _managers_job(call: Call) -> dict[str, Any]:
    manager = Actor("u-manager", user_id=call.world.user_ids["manager"])
    with transaction(call.engine) as session:
        return {"path": {"job_id": new_job(session, manager, "import", "orgs.csv").id}}


def _need_path(call: Call) -> dict[str, Any]:
    return {"path": {"ident": call.need()}}


REQUESTS: dict[tuple[str, str], Callable[[Call], dict[str, Any]]] = {
    ("POST", "/api/v1/auth/login"): _login,
    ("POST", "/api/v1/auth/tokens"): lambda c: {"json": {"name": "script"}},
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): _token_to_revoke,
    ("POST", "/api/v1/users"): lambda c: {
        "json": {"username": f"new-{c.serial}", "password": "long enough", "roles": [{"role": "viewer"}]}
    },
    ("POST", "/api/v1/organizations"): lambda c: {"json": {"name": f"새 기관 {c.serial}", "country": "KR"}},
    ("GET", "/api/v1/organizations/{ident}"): lambda c: {"path": {"ident": "kr-kimm"}},
    ("PATCH", "/api/v1/organizations/{ident}"): lambda c: {
        "path": {"ident": "kr-lms"},
        "json": {"description": f"광학소재 {c.serial}"},
    },
    ("GET", "/api/v1/people/{ident}"): lambda c: {"path": {"ident": "p-kim"}},
    ("GET", "/api/v1/technologies/{ident}"): lambda c: {"path": {"ident": "kr-patent-1"}},
    ("POST", "/api/v1/technologies"): _technology,
    ("GET", "/api/v1/projects/{ident}"): lambda c: {"path": {"ident": "proj-1"}},
    ("GET", "/api/v1/proposals/{ident}"): lambda c: {"path": {"ident": "prop-1"}},
    ("GET", "/api/v1/programs/{ident}"): lambda c: {"path": {"ident": "p2021"}},
    ("GET", "/api/v1/consortia/{ident}"): lambda c: {"path": {"ident": "cons-1"}},
    ("GET", "/api/v1/rounds/{ident}"): lambda c: {"path": {"ident": str(c.world.ids["round"])}},
    ("POST", "/api/v1/needs"): lambda c: {
        "json": {"key": f"need-new-{c.serial}", "organization": "kr-lms", "title": "새 과제"}
        | {"program": "p2021", "round": "r1"}
    },
    ("GET", "/api/v1/needs/{ident}"): _need_path,
    ("PATCH", "/api/v1/needs/{ident}"): lambda c: {**_need_path(c), "json": {"field": f"광학 {c.serial}"}},
    ("POST", "/api/v1/needs/{ident}/interests"): lambda c: {**_need_path(c), "json": {"message": "관심"}},
    ("GET", "/api/v1/needs/{ident}/interests"): _need_path,
    ("POST", "/api/v1/needs/{ident}/shares"): _new_partner,
    ("DELETE", "/api/v1/needs/{ident}/shares/{organization}"): _shared_partner,
    ("GET", "/api/v1/needs/{ident}/shares"): _need_path,
    ("GET", "/api/v1/needs/{ident}/access-log"): _need_path,
    ("POST", "/api/v1/matches"): lambda c: {
        "json": {"text": "광학 렌즈"} if c.record == "text" else {"need": c.need()}
    },
    ("GET", "/api/v1/exports/{entity}"): lambda c: {"path": {"entity": "needs"}},
    ("POST", "/api/v1/programs"): lambda c: {"json": {"key": f"p-new-{c.serial}", "name": "새 사업"}},
    ("POST", "/api/v1/programs/{program}/rounds"): lambda c: {
        "path": {"program": "p2021"},
        "json": {"key": f"r-new-{c.serial}", "name": "새 차수"},
    },
    ("GET", "/api/v1/programs/{program}/rounds/{round_key}"): _round_path,
    ("PUT", "/api/v1/programs/{program}/rounds/{round_key}/participants"): lambda c: {
        **_round_path(c),
        "json": {"capacities": {"kr-kimm": 2}},
    },
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/screening"): lambda c: {
        **_round_path(c),
        "json": {"item": "need-lms-published", "accept": True},
    },
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment"): _screened_round,
    ("GET", "/api/v1/programs/{program}/rounds/{round_key}/assignment"): lambda c: _screened_round(
        c, run=True
    ),
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment/accept"): lambda c: {
        **_screened_round(c, run=True),
        "json": {},
    },
    ("GET", "/api/v1/programs/{program}/kpis"): lambda c: {
        "path": {"program": "p2021"},
        "params": {"organization": "kr-lms"} if c.record == "organization" else {},
    },
    ("POST", "/api/v1/cooperations"): lambda c: {
        "json": {
            "key": f"coop-new-{c.serial}",
            "title": "협력",
            "members": {"kr-lms": "demand", "kr-etri": "supply"},
        }
    },
    ("GET", "/api/v1/cooperations/{key}"): lambda c: {"path": {"key": "coop-1"}},
    ("POST", "/api/v1/cooperations/{key}/transitions"): _fresh_cooperation,
    ("POST", "/api/v1/cooperations/{key}/agreements"): lambda c: {
        "path": {"key": _introduced_cooperation(c)},
        "json": {"key": f"agr-{c.serial}", "kind": "mou", "title": "업무협약", "signed_on": _today()}
        | {"parties": ["kr-lms", "kr-kimm"]},
    },
    ("POST", "/api/v1/outcomes"): lambda c: {
        "json": {"key": f"out-{c.serial}", "kind": "startup", "occurred_on": _today()}
        | (
            {"cooperation": _introduced_cooperation(c)}
            if c.record == "cooperation"
            else {"organization": "kr-kimm"}
        )
    },
    ("POST", "/api/v1/meetings"): lambda c: {
        "json": {"key": f"meet-{c.serial}", "title": "기술교류회", "held_on": _today()}
        | ({"program": "p2021"} if c.record == "program" else {})
    },
    ("GET", "/api/v1/programs/{program}/report"): lambda c: {"path": {"program": "p2021"}},
    ("GET", "/api/v1/programs/{program}/report.{extension}"): lambda c: {
        "path": {"program": "p2021", "extension": c.record}
    },
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/submissions"): lambda c: {
        **_round_path(c),
        "json": {"items": ["need-lms-secret"]},
    },
    ("PUT", "/api/v1/programs/{program}/rounds/{round_key}/assignment/scores"): lambda c: {
        **_round_path(c),
        "json": {"scores": [{"need": "need-lms-published", "organization": "kr-kimm", "score": 0.5}]},
    },
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment/pair-rules"): lambda c: {
        **_round_path(c),
        "json": {"need": "need-lms-published", "organization": "kr-kimm", "rule": "lock"},
    },
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment/swaps"): lambda c: {
        **_round_path(c),
        "json": {"need": _new_need(c), "old_organization": "kr-kimm", "new_organization": "kr-etri"}
        | {"reason": "다른 기관이 더 적합"},
    },
    ("GET", "/api/v1/cooperations/{key}/plan"): _planned_cooperation,
    ("PUT", "/api/v1/cooperations/{key}/plan"): lambda c: {
        "path": {"key": _introduced_cooperation(c)},
        "json": {"key": f"plan-{c.serial}", "objectives": "양산 기술", "starts_on": "2026-01-01"}
        | {"ends_on": "2027-12-31", "investment": [{"year": 2026, "amount_krw": 500_000_000}]},
    },
    ("POST", "/api/v1/needs/{ident}/reconfirmation"): _need_path,
    ("POST", "/api/v1/tasks/{key}/completion"): _new_task,
    ("PATCH", "/api/v1/users/{user_id}"): _user_to_change,
    ("POST", "/api/v1/users/{user_id}/password-reset"): _user_to_reset,
    ("POST", "/api/v1/auth/password"): lambda c: {
        "json": {"current_password": PASSWORD, "new_password": "short"}
    },
    ("POST", "/api/v1/consortia/proposals"): lambda c: {"json": {"need": "광학 렌즈 소재", "size": 5}},
    ("POST", "/api/v1/clusters"): lambda c: {"json": {}},
    ("GET", "/api/v1/agreements/{key}"): _signed_agreement,
    ("GET", "/api/v1/outcomes/{key}"): _recorded_outcome,
    ("GET", "/api/v1/meetings/{key}"): _recorded_meeting,
    ("POST", "/api/v1/licences"): lambda c: {"json": _licence_body(_licence_agreement(c))},
    ("GET", "/api/v1/licences/{key}"): _licence,
    ("POST", "/api/v1/licences/{key}/payments"): lambda c: (
        _licence(c) | {"json": {"instalment": 0, "amount_krw": 50_000_000, "paid_on": _today()}}
    ),
    ("GET", "/api/v1/programs/{program}/licences/due"): lambda c: {"path": {"program": "p2021"}},
    ("POST", "/api/v1/consortia/partners"): lambda c: {"json": {"members": ["kr-kimm"], "k": 2}},
    ("POST", "/api/v1/fusions/search"): lambda c: {"json": {"need": "광학 렌즈", "k": 2}},
    ("POST", "/api/v1/fusions"): _technology_pair,
    ("POST", "/api/v1/imports"): lambda c: {
        "files": {
            "file": ("orgs.csv", f"name,kind,country\n기관 {c.serial},company,KR\n".encode(), "text/csv")
        },
        "data": {"entity": "organization"},
    },
    ("GET", "/api/v1/jobs/{job_id}"): _managers_job,
}
