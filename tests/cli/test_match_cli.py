"""``techbridge match`` and ``index``: the one match use case, with the caller's rights.

``--as`` a user who may not read a need gets the answer of a missing key (issue 18: the command matched
any stored need for anyone); ``match --json`` prints the answer of ``POST /api/v1/matches``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from techbridge.app import create_app
from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.matching.semantic import UseEncoder
from techbridge.services.models import Models
from tests.api.conftest import SECRET_TITLE, World, seed

runner = CliRunner()


@pytest.fixture
def world(engine: Engine) -> World:
    """The API tests' world (two companies, a confidential and a published need, a user per role)."""
    return seed(engine)


def _cli(settings: Settings, *args: str, user: str | None = None) -> Result:
    env = {"TECHBRIDGE_INDEX_DIR": str(settings.resolved_index_dir())}
    return runner.invoke(
        app, ["--db", settings.database_url, *(["--as", user] if user else []), *args], env=env
    )


def test_a_hidden_need_is_answered_as_a_missing_one(settings: Settings, world: World) -> None:
    for user in ("u-competitor", "u-institute", "u-viewer"):
        hidden = _cli(settings, "match", world.keys["confidential"], user=user)
        missing = _cli(settings, "match", "need-nobody-has-this", user=user)
        assert hidden.exit_code == missing.exit_code == 1
        assert hidden.stderr.replace(world.keys["confidential"], "<key>") == missing.stderr.replace(
            "need-nobody-has-this", "<key>"
        )
        assert "no need with id or key '<key>'" in missing.stderr.replace("need-nobody-has-this", "<key>")
    # the need's company is refused only for want of an index
    assert "techbridge index" in _cli(settings, "match", world.keys["confidential"], user="u-owner").stderr


def test_only_those_who_read_every_need_build_the_index(settings: Settings, world: World) -> None:
    refused = _cli(settings, "index", user="u-manager")
    assert refused.exit_code == 1 and "build the index" in refused.stderr


def _rounded(value: Any) -> Any:
    """Return ``value`` with its numbers to 5 places: a sentence pair's similarity is computed in
    float32 by an encoder, whose last digits depend on which texts it embedded in the same batch."""
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


@pytest.mark.slow  # builds the matching index and loads the language models twice (~40 s)
def test_match_json_is_the_rest_answer(settings: Settings, world: World, encoder: UseEncoder) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the index is the same on every database; built once, on SQLite")
    built = _cli(settings, "index")
    assert built.exit_code == 0, built.output
    served = create_app(settings)
    served.state.core.models = Models(settings, encoder=encoder)
    requests = [
        ({"text": SECRET_TITLE, "k": 5}, ["--text", SECRET_TITLE, "-k", "5"]),
        (
            {"need": world.keys["confidential"], "kinds": ["research_institute"]},
            [world.keys["confidential"], "--kind", "research_institute"],
        ),
        (
            {"text": "광학 렌즈", "target": "item", "since": "2000-01-01"},
            ["--text", "광학 렌즈", "--target", "item", "--since", "2000-01-01"],
        ),
    ]
    with TestClient(served) as client:
        for body, args in requests:
            rest = client.post("/api/v1/matches", headers=world.headers("owner"), json=body)
            cli = _cli(settings, "match", *args, "--json", user="u-owner")
            assert rest.status_code == 200 and cli.exit_code == 0, cli.output
            assert rest.json(), body
            assert _rounded(json.loads(cli.stdout)) == _rounded(rest.json()), body
    served.state.engine.dispose()
