"""Names and keys stored before normalisation (issue 19): found, normalised, collisions left and listed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from techbridge.cli import app
from techbridge.config import Settings
from techbridge.errors import PermissionDeniedError
from techbridge.services.actor import COMPANY_MEMBER, Actor, operator
from techbridge.services.catalogue.normal_form import NameCollision, repair_names
from techbridge.storage.db import transaction
from techbridge.storage.tables import AuditEntry, Match, Organization, Person, Program, Technology
from tests import factories

ZWSP, SOFT_HYPHEN, FULLWIDTH_A = "\u200b", "\u00ad", "\uff21"


def _store_old_rows(engine: Engine) -> None:
    """Store rows as they were written before names and keys were normalised (storage layer only)."""
    with transaction(engine) as s:
        s.add_all(
            [
                # a look-alike of its competitor: a zero-width space, and a name key of the old kind
                Organization(
                    key="kr-kodaco", name="(주)코다코", name_key="코다코", kind="company", country="KR"
                ),
                Organization(
                    key="kr-kodaco-2",
                    name=f"(주)코{ZWSP}다코",
                    name_key=f"코{ZWSP}다코",
                    kind="company",
                    country="KR",
                ),
                # no other organisation is called this: normalised
                Organization(
                    key=f"kr-{FULLWIDTH_A}cme",
                    name=f"{FULLWIDTH_A}cme  Korea",
                    name_key="acmekorea",
                    kind="company",
                    country="KR",
                ),
                # two keys that become one: both left
                Organization(
                    key=f"kr-twin{SOFT_HYPHEN}",
                    name="쌍둥이 일",
                    name_key="쌍둥이일",
                    kind="company",
                    country="KR",
                ),
                Organization(
                    key="kr-twin", name="쌍둥이 이", name_key="쌍둥이이", kind="company", country="KR"
                ),
                Program(key=f"p{ZWSP}2021", name=f"기술{ZWSP}협력"),
            ]
        )
        s.flush()
        acme = s.scalars(select(Organization).where(Organization.key == f"kr-{FULLWIDTH_A}cme")).one()
        s.add(Person(key=f"p-kim{ZWSP}", name=f"김{ZWSP}연구", organization_id=acme.id))
        s.add(Technology(key="t-1", title="렌즈", owners=[acme]))
        s.add(Match(target_type="organization", target_key=f"kr-{FULLWIDTH_A}cme", rank=1, score=0.5))


def _fields(report: object) -> set[tuple[str, str, str, str, bool]]:
    return {(f.entity, f.key, f.field, f.normal, f.collides) for f in report.fixes}  # type: ignore[attr-defined]


def test_the_report_lists_every_name_and_key_not_in_normal_form_and_changes_nothing(
    settings: Settings, engine: Engine
) -> None:
    _store_old_rows(engine)
    report = repair_names(factories.core_on(engine, settings), operator("ops"))
    assert _fields(report) == {
        ("organization", "kr-kodaco-2", "name", "(주)코다코", True),
        ("organization", "kr-kodaco-2", "name_key", "코다코", True),
        ("organization", f"kr-{FULLWIDTH_A}cme", "key", "kr-Acme", False),
        ("organization", f"kr-{FULLWIDTH_A}cme", "name", "Acme Korea", False),
        ("organization", f"kr-twin{SOFT_HYPHEN}", "key", "kr-twin", True),
        ("program", f"p{ZWSP}2021", "key", "p2021", False),
        ("program", f"p{ZWSP}2021", "name", "기술협력", False),
        ("person", f"p-kim{ZWSP}", "key", "p-kim", False),
        ("person", f"p-kim{ZWSP}", "name", "김연구", False),
    }
    assert set(report.collisions) == {
        NameCollision("organization", "name", "코다코", ("kr-kodaco", "kr-kodaco-2")),
        NameCollision("organization", "key", "kr-twin", (f"kr-twin{SOFT_HYPHEN}", "kr-twin")),
    }
    assert (report.applied, report.changed) == (False, 6)
    with transaction(engine) as s:
        assert (
            s.scalar(select(Organization.name).where(Organization.key == "kr-kodaco-2"))
            == f"(주)코{ZWSP}다코"
        )
        assert s.scalar(select(Program.key)) == f"p{ZWSP}2021"


def test_apply_normalises_what_does_not_collide_in_one_unit_and_leaves_collisions(
    settings: Settings, engine: Engine
) -> None:
    _store_old_rows(engine)
    core = factories.core_on(engine, settings)
    report = repair_names(core, operator("ops"), apply=True)
    assert (report.applied, report.changed, len(report.collisions)) == (True, 6, 2)
    with transaction(engine) as s:
        orgs = dict(s.execute(select(Organization.key, Organization.name)).all())
        assert orgs == {
            "kr-kodaco": "(주)코다코",
            "kr-kodaco-2": f"(주)코{ZWSP}다코",  # a collision: left for the operator
            "kr-Acme": "Acme Korea",
            f"kr-twin{SOFT_HYPHEN}": "쌍둥이 일",
            "kr-twin": "쌍둥이 이",
        }
        assert s.scalar(select(Organization.name_key).where(Organization.key == "kr-Acme")) == "acmekorea"
        assert s.execute(select(Program.key, Program.name)).one() == ("p2021", "기술협력")
        assert s.execute(select(Person.key, Person.name)).one() == ("p-kim", "김연구")
        assert s.scalar(select(Match.target_key)) == "kr-Acme"
        audited = set(s.execute(select(AuditEntry.action, AuditEntry.entity_key)).all())
        assert {("normalise", "kr-Acme"), ("normalise", "p2021"), ("normalise", "p-kim")} <= audited
    again = repair_names(core, operator("ops"))
    assert (again.changed, len(again.collisions)) == (0, 2)  # only the collisions remain


def test_only_administrators_repair_names(settings: Settings, engine: Engine) -> None:
    member = Actor("u-member", organization_id=1, roles=frozenset({(COMPANY_MEMBER, None)}))
    with pytest.raises(PermissionDeniedError):
        repair_names(factories.core_on(engine, settings), member)


def test_the_command_shows_invisible_characters_and_applies(settings: Settings, engine: Engine) -> None:
    _store_old_rows(engine)
    runner = CliRunner()
    url = settings.database_url
    shown = runner.invoke(app, ["--db", url, "doctor", "names"])
    assert shown.exit_code == 0, shown.output
    assert "\\u200b" in shown.output and "6 names and keys would be normalised" in shown.output
    assert "collision: organization name 코다코: kr-kodaco, kr-kodaco-2" in shown.output
    applied = runner.invoke(app, ["--db", url, "doctor", "names", "--apply", "--json"])
    assert applied.exit_code == 0, applied.output
    assert '"changed": 6' in applied.output
    with transaction(engine) as s:
        assert s.scalar(select(Program.key)) == "p2021"
