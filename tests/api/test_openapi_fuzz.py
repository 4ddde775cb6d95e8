"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis): whatever a
client sends, the API never answers 5xx, and every answer has a documented status, content type
and a body matching its schema. Bounded to a few examples per operation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from techbridge.app import create_app
from techbridge.config import Settings
from tests.api.conftest import World, seed

MAX_EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzzed(settings: Settings, engine: Engine) -> Iterator[tuple[FastAPI, World]]:
    """The app on a seeded database (SQLite, and PostgreSQL where configured: it refuses more inputs)."""
    app = create_app(settings)
    world = seed(app.state.engine)
    yield app, world
    app.state.engine.dispose()


def _operations(app: FastAPI) -> list[Any]:
    return [
        result.ok() for result in schemathesis.openapi.from_asgi("/openapi.json", app).get_all_operations()
    ]


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def answers_as_documented(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    answers_as_documented()


def test_api_answers_as_documented(fuzzed: tuple[FastAPI, World]) -> None:
    app, world = fuzzed
    operations = _operations(app)
    assert len(operations) >= 40
    for operation in operations:
        _fuzz(operation, world.headers("owner" if operation.path.startswith("/api/v1/needs") else "admin"))
