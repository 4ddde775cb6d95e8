"""The consortium, fusion and cluster commands and eval-consortia, on the real USE-m3 encoder and Korean
analyser."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from techbridge.cli import consortia
from techbridge.cli.output import Invocation
from techbridge.config import Settings
from techbridge.matching.semantic import UseEncoder
from techbridge.services.consortia.cluster import Tokenizer, korean_terms
from techbridge.services.database import open_database
from techbridge.storage.db import transaction
from tests import factories

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context, db: Annotated[str, typer.Option("--db")]) -> None:
        ctx.obj = Invocation(Settings(database_url=db))

    consortia.register(app)
    return app


@pytest.fixture(scope="module")
def models(encoder: UseEncoder) -> tuple[UseEncoder, Tokenizer]:
    """The real USE-m3 encoder (the run's) and Korean term analyser, loaded once for this module."""
    return encoder, korean_terms()


@pytest.fixture(autouse=True)
def _models_loaded_once(models: tuple[UseEncoder, Tokenizer], monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand every command the models loaded above: a command loads its own (a process runs one
    command), which here would load them again for each of the tests' commands."""
    encoder, terms = models
    # ``Core.models`` builds both on first use: the encoder settings name, and the Korean terms.
    monkeypatch.setattr("techbridge.services.models.encoder_from", lambda *_, **__: encoder)
    monkeypatch.setattr("techbridge.services.consortia.cluster.korean_terms", lambda: terms)


def _stock(settings: Settings) -> None:
    engine = open_database(settings)
    with transaction(engine) as s:
        a = factories.organization(s, "Robot Lab", "university", key="a")
        b = factories.organization(s, "Vision Lab", "research_institute", key="b")
        c = factories.organization(s, "Care Co", "company", key="c")
        factories.technology(s, "t1", "robot arm control", [a], codes=["B25J 9/16"])
        factories.technology(s, "t2", "robot vision camera", [b], codes=["G06T 7/00"])
        factories.technology(s, "t3", "patient care robot", [c], codes=["A61G 7/10"])
        factories.project(s, "p1", "robot vision", [a, b], "2020-01-01")
    engine.dispose()


def test_consortium_build_partners_and_save(settings: Settings) -> None:
    _stock(settings)
    db = ["--db", settings.database_url]
    args = [*db, "consortium", "build", "robot arm, vision camera, patient care", "--size", "3"]
    built = runner.invoke(_app(), [*args, "--role", "company=1", "--json", "--save", "k1"])
    assert built.exit_code == 0, built.output
    assert {m["key"] for m in json.loads(built.stdout)["consortia"][0]["members"]} == {"a", "b", "c"}
    table = runner.invoke(_app(), [*args, "--lead", "a"])
    assert table.exit_code == 0 and "worked together" in table.stdout
    bad = runner.invoke(_app(), [*args, "--role", "company"])
    assert bad.exit_code == 1 and "KIND=COUNT" in bad.output
    found = runner.invoke(_app(), [*db, "consortium", "partners", "a", "--json"])
    assert json.loads(found.stdout)[0]["key"] == "b"
    missing = runner.invoke(_app(), [*db, "consortium", "partners", "nobody"])
    assert missing.exit_code == 1


def test_fusion_and_cluster_commands(settings: Settings, tmp_path: Path) -> None:
    _stock(settings)
    db = ["--db", settings.database_url]
    found = runner.invoke(_app(), [*db, "fusion", "find", "--need", "robot", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["fusions"]
    recorded = runner.invoke(_app(), [*db, "fusion", "record", "t1", "t2"])
    assert recorded.exit_code == 0 and "fusion:t1+t2" in recorded.stdout
    again = runner.invoke(_app(), [*db, "fusion", "record", "t1", "t2"])
    assert again.exit_code == 1
    clustered = runner.invoke(_app(), [*db, "cluster", "build", "-k", "2", "--out", str(tmp_path)])
    assert clustered.exit_code == 0, clustered.output
    assert (tmp_path / "clusters.svg").is_file() and (tmp_path / "clusters.xlsx").is_file()


def test_eval_consortia_prints_one_json_object(tmp_path: Path) -> None:
    rows = [f"{p},X,{o},N,false,PRC,c,NO,{'coordinator' if o == 'A' else 'participant'},1" for p, o in
            [(1, "A"), (1, "B"), (2, "A"), (2, "B")]]  # fmt: skip
    path = tmp_path / "participants.csv.gz"
    header = "projectID,projectAcronym,organisationID,name,SME,activityType,city,country,role,ecContribution"
    path.write_bytes(gzip.compress("\n".join([header, *rows]).encode()))
    result = runner.invoke(_app(), ["--db", "sqlite://", "eval-consortia", str(path), "--from-project", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["projects"] == 1 and report["methods"]["baseline"]["mrr"] == 1.0
