"""Every text and list a request body carries has a documented limit (issue 19: a 50 MB need
description and a 20 MB organisation description were accepted).

The limits come from one set (``domain/limits.py``); the OpenAPI document shows each as
``maxLength`` (texts) or ``maxItems`` (lists), so a client can read them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.storage.tables import Need, Program, Round
from tests.api.conftest import World


def _unbounded(
    schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]
) -> Iterator[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from _unbounded(components[name], components, name, seen)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _unbounded(option, components, where, seen)
    kind = schema.get("type")
    # a file (``contentMediaType``) is bounded by the upload limit (``max_upload_bytes``, 413 past it)
    if kind == "string" and not {"maxLength", "enum", "const", "format", "contentMediaType"} & schema.keys():
        yield where
    if kind == "array":
        if "maxItems" not in schema:
            yield f"{where}[]"
        yield from _unbounded(schema.get("items", {}), components, f"{where}[]", seen)
    if kind == "object":
        for name, field in schema.get("properties", {}).items():
            yield from _unbounded(field, components, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                yield f"{where}{{}}"
            yield from _unbounded(extra, components, f"{where}{{}}", seen)


def test_every_text_and_list_of_a_request_body_has_a_documented_limit(sqlite_settings: Settings) -> None:
    app = create_app(sqlite_settings)
    try:
        document = app.openapi()
    finally:
        app.state.engine.dispose()
    components = document["components"]["schemas"]
    unbounded: set[str] = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                where = f"{method.upper()} {path}"
                unbounded.update(_unbounded(media.get("schema", {}), components, where, set()))
    assert not unbounded, "\n".join(sorted(unbounded))


def test_an_over_long_need_description_is_422_and_nothing_is_stored(
    app: FastAPI, client: TestClient, world: World
) -> None:
    """Issue 19: a 50 MB need description was accepted; 20,000 characters is the limit."""

    def needs() -> int:
        with Session(app.state.engine) as session:
            return session.scalar(select(func.count()).select_from(Need)) or 0

    before = needs()
    body = {"organization": "kr-lms", "title": "새 과제", "description": "x" * 20_001}
    response = client.post("/api/v1/needs", headers=world.headers("owner"), json=body)
    assert response.status_code == 422
    assert needs() == before
    response = client.post("/api/v1/needs", headers=world.headers("owner"), json=body | {"description": "x"})
    assert response.status_code == 201, response.json()
    assert needs() == before + 1


def test_program_and_round_keys_are_documented_with_their_columns_limit(sqlite_settings: Settings) -> None:
    """The schema allowed 200-character program and round keys where the columns hold 100."""
    app = create_app(sqlite_settings)
    try:
        components = app.openapi()["components"]["schemas"]
    finally:
        app.state.engine.dispose()
    assert (
        components["ProgramCreate"]["properties"]["key"]["maxLength"] == Program.__table__.c.key.type.length
    )
    assert components["RoundCreate"]["properties"]["key"]["maxLength"] == Round.__table__.c.key.type.length


def test_an_over_long_program_key_is_refused_by_the_schema(
    app: FastAPI, client: TestClient, world: World
) -> None:
    body = {"key": "p" * 101, "name": "긴 키 사업"}
    response = client.post("/api/v1/programs", headers=world.headers("admin"), json=body)
    assert response.status_code == 422
    assert "100" in response.text
