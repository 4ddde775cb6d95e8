"""The app factory and its OpenAPI document."""

from __future__ import annotations

import importlib
import sys
from unittest import mock

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.config import Settings


def test_importing_the_app_module_builds_nothing() -> None:
    sys.modules.pop("techbridge.app", None)
    module = importlib.import_module("techbridge.app")
    assert not [name for name, value in vars(module).items() if isinstance(value, FastAPI | Settings)]


def test_every_operation_documents_a_body_for_every_status(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    missing = []
    for path, operations in document["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method, operation in operations.items():
            statuses = operation["responses"]
            if path != "/api/v1/auth/login":
                assert "401" in statuses, (method, path)
            for status, response in statuses.items():
                if status != "204" and not response.get("content"):
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


def test_errors_use_the_error_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    response = document["paths"]["/api/v1/needs/{ident}"]["get"]["responses"]["404"]
    schema = response["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorBody"}


def test_the_engine_is_disposed_when_the_app_stops(settings: Settings) -> None:
    from techbridge.app import create_app

    app = create_app(settings)
    engine = app.state.engine
    with mock.patch.object(engine, "dispose", wraps=engine.dispose) as dispose:
        with TestClient(app) as client:
            assert client.get("/openapi.json").status_code == 200
            dispose.assert_not_called()
        dispose.assert_called_once()
