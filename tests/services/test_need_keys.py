"""Identifiers and a hidden need: whoever sees a key that names a need may already know its owner.

A cooperation's key carries its need's key (``coop-<program>-<round>-<need key>``); the audit in
``docs/security.md`` ("Identifiers") says why that tells nobody an owner they do not already see, and
these tests hold every reader to it: the cooperation is shown only to its members (the owner among
them) and managers, and nothing else anyone else can list, export or look up names the need.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError
from techbridge.services.access.cooperation import cooperation_for, visible_cooperation_ids
from techbridge.services.access.need import seen_need, visible_need
from techbridge.services.access.record import PUBLIC_KINDS
from techbridge.services.actor import COMPANY_MEMBER, INSTITUTE_MEMBER, VIEWER, Actor, operator
from techbridge.services.catalogue.exporting import readable_rows
from techbridge.services.needs.need import upsert_need
from techbridge.services.needs.register import NeedRequest, create_need
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import RoundRef, SubmitRequest, submit
from techbridge.storage.db import transaction
from techbridge.storage.tables import Cooperation, Need, Organization
from tests.factories import core_on
from tests.services.round_builders import COMPANIES, INSTITUTES, SCORES, world


@pytest.fixture
def paired(engine: Engine) -> Engine:
    """The small round, assigned and accepted: one cooperation per need, each with its partners."""
    world(engine)
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    accept_assignment(core_on(engine), operator("t"), AcceptRequest(RoundRef("p", "r1")))
    return engine


def _member(session: Session, organization: str, role: str) -> Actor:
    org_id = session.scalar(select(Organization.id).where(Organization.key == organization))
    return Actor(name=f"{role}@{organization}", organization_id=org_id, roles=frozenset({(role, None)}))


def _everyone(session: Session) -> list[Actor]:
    members = [_member(session, name, COMPANY_MEMBER) for name in (*COMPANIES, "small")]
    members += [_member(session, name, INSTITUTE_MEMBER) for name in INSTITUTES]
    return [*members, Actor(name="viewer", organization_id=None, roles=frozenset({(VIEWER, None)}))]


def _visible(session: Session, actor: Actor) -> set[str]:
    ids = visible_cooperation_ids(session, actor)
    return {coop.key for coop in session.scalars(select(Cooperation)) if coop.id in ids}


def _missing_answer(call: object, *args: object) -> str:
    with pytest.raises(NotFoundError) as refused:
        call(*args)  # type: ignore[operator]
    return str(refused.value)


def _submit(engine: Engine, actor: Actor, key: str) -> None:
    submit(core_on(engine), actor, SubmitRequest(RoundRef("p", "r1"), [key]))


def test_who_sees_a_cooperation_sees_the_owner_as_a_member_and_still_not_the_need(paired: Engine) -> None:
    with transaction(paired) as session:
        coops = {coop.key: coop for coop in session.scalars(select(Cooperation))}
        assert len(coops) == len(COMPANIES)
        partners_seen = 0
        for actor in _everyone(session):
            for key in _visible(session, actor):
                need = session.get(Need, coops[key].need_id)
                assert need is not None and need.key in key
                members = {member.organization_id for member in coops[key].members}
                assert need.organization_id in members and actor.organization_id in members
                if actor.organization_id != need.organization_id:
                    partners_seen += 1
                    assert visible_need(session, actor, need) == "none"
                    with pytest.raises(NotFoundError):
                        seen_need(session, actor, need.key)
        assert partners_seen >= len(COMPANIES)  # every cooperation was looked at by a partner


def test_nobody_outside_a_cooperation_can_list_export_or_probe_its_need(paired: Engine) -> None:
    with transaction(paired) as session:
        for coop in session.scalars(select(Cooperation)):
            need = session.get(Need, coop.need_id)
            assert need is not None
            members = {member.organization_id for member in coop.members}
            outsiders = [actor for actor in _everyone(session) if actor.organization_id not in members]
            assert outsiders
            for actor in outsiders:
                assert coop.key not in _visible(session, actor)
                # a hidden cooperation or need answers exactly like a missing one, key for key
                missing = _missing_answer(cooperation_for, session, actor, "nothing")
                hidden = _missing_answer(cooperation_for, session, actor, coop.key)
                assert hidden == missing.replace("'nothing'", repr(coop.key))
                missing = _missing_answer(_submit, paired, actor, "nothing")
                refused = _missing_answer(_submit, paired, actor, need.key)
                assert refused == missing.replace("'nothing'", repr(need.key))
                for entity in (*PUBLIC_KINDS, "need", "match"):
                    text = json.dumps(readable_rows(session, actor, entity), ensure_ascii=False, default=str)
                    for secret in (need.key, need.title, need.field or need.title, coop.key):
                        assert secret not in text, (actor.name, entity, secret)


def test_a_need_registered_without_a_key_gets_one_that_says_nothing(engine: Engine) -> None:
    world(engine)
    with transaction(engine) as session:
        acme = _member(session, "acme", COMPANY_MEMBER)
    values = {"title": "다이캐스팅 경량화", "field": "diecasting", "description": "secret recipe"}
    request = NeedRequest("acme", values["title"], field="diecasting", description="secret recipe")
    first = create_need(core_on(engine), acme, request)
    second = create_need(core_on(engine), acme, request)
    with transaction(engine) as session:
        for row in (first, second):
            assert re.fullmatch(r"need-[0-9a-f]{16}", row["key"]), row["key"]
            assert row["organization"] == "acme" and row["title"] == values["title"]
        assert first["key"] != second["key"]
        owner = session.get(Need, first["id"])
        assert owner is not None
        need, outcome = upsert_need(session, {"title": "x"}, "t", organization=owner.organization)
        assert outcome == "created" and need.key not in (first["key"], second["key"])


def test_a_manager_cannot_pull_a_hidden_need_into_their_round(engine: Engine) -> None:
    from techbridge.services.actor import ADMINISTRATOR, PROGRAM_MANAGER
    from techbridge.storage.tables import Program

    world(engine)
    with transaction(engine) as session:
        acme = session.scalar(select(Organization).where(Organization.key == "acme"))
        assert acme is not None
        session.add(Need(key="need-acme-secret", organization_id=acme.id, title="비공개 금형 과제"))
        program_id = session.scalar(select(Program.id).where(Program.key == "p"))
    manager = Actor(name="pm", roles=frozenset({(PROGRAM_MANAGER, program_id)}))
    with transaction(engine) as session:
        secret = session.scalar(select(Need).where(Need.key == "need-acme-secret"))
        assert secret is not None and visible_need(session, manager, secret) != "full"
        needs = session.scalars(select(Need))
        readable = [n.key for n in needs if visible_need(session, manager, n) == "full"]
    with pytest.raises(NotFoundError, match="need-acme-secret"):
        _submit(engine, manager, "need-acme-secret")
    # a need the manager already reads may still be submitted; so may anything by an admin
    assert readable
    submit(core_on(engine), manager, SubmitRequest(RoundRef("p", "r1"), readable))
    _submit(engine, Actor(name="admin", roles=frozenset({(ADMINISTRATOR, None)})), "need-acme-secret")
