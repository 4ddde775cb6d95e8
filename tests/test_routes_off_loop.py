"""docs/architecture.md: route functions are plain ``def``, so FastAPI runs them on its thread pool
and no use case (an import, a report, a match) ever blocks the event loop that serves everyone else.
A coroutine route would run the blocking core on the loop itself (issue 19: one 20k-row upload held
another user's ``GET /auth/me`` for 17.5 s)."""

from __future__ import annotations

import inspect

from fastapi.routing import APIRoute, iter_route_contexts

from techbridge.app import create_app
from techbridge.config import Settings


def test_every_route_of_the_api_and_the_web_is_a_plain_function() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:"))
    try:
        endpoints = [
            context.endpoint
            for context in iter_route_contexts(app.routes)
            if isinstance(context.route, APIRoute) and context.endpoint.__module__.startswith("techbridge.")
        ]
        assert len(endpoints) > 50
        coroutines = sorted(
            f"{endpoint.__module__}.{endpoint.__name__}"
            for endpoint in endpoints
            if inspect.iscoroutinefunction(endpoint)
        )
        assert coroutines == []
    finally:
        app.state.core.close()
