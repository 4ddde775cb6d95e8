"""Every page (GET) x every role: the status written down here, so that a new page needs a row.

The rules come from ``services.access`` (needs, cooperations, programs); this table is what the
pages answer with them. Anonymous visitors are sent to the sign-in form (303).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

ROLES = ("anonymous", "admin", "manager", "company", "rival", "institute", "supplier", "viewer")
COOP = "coop-p2026-r1-need-kodaco-diecast"
# path template -> (URL asked, statuses in ROLES order)
MATRIX: dict[str, tuple[str, str]] = {
    "/login": ("/login", "200 200 200 200 200 200 200 200"),
    "/lang/{language}": ("/lang/en", "303 303 303 303 303 303 303 303"),
    "/auth/password": ("/auth/password", "303 200 200 200 200 200 200 200"),
    "/": ("/", "303 200 200 200 200 200 200 200"),
    "/needs": ("/needs", "303 200 200 200 200 200 200 200"),
    "/needs/new": ("/needs/new", "303 200 200 200 200 200 200 200"),
    "/needs/import": ("/needs/import", "303 200 200 403 403 403 403 403"),
    "/jobs/{job_id}": ("/jobs/no-such-job", "303 404 404 404 404 404 404 404"),
    "/needs/{ident}": ("/needs/{secret}", "303 200 200 200 404 404 404 404"),
    "/technologies": ("/technologies", "303 200 200 200 200 200 200 200"),
    "/pipeline": ("/pipeline", "303 200 200 200 200 200 200 200"),
    "/cooperations/{key}": (f"/cooperations/{COOP}", "303 200 200 404 200 404 200 404"),
    "/rounds": ("/rounds", "303 200 200 200 200 200 200 200"),
    "/rounds/{program}/{round_key}": ("/rounds/p2026/r1", "303 200 200 403 403 403 403 403"),
    "/kpis": ("/kpis", "303 200 200 200 200 200 200 200"),
    "/consortia": ("/consortia", "303 200 200 200 200 200 200 200"),
    "/clusters": ("/clusters", "303 200 200 200 200 200 200 200"),
}


def _pages(app: FastAPI) -> set[str]:
    # FastAPI keeps included routers lazily in ``app.routes``; iter_route_contexts flattens them.
    docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    return {
        route.path
        for route in iter_route_contexts(app.routes)
        if "GET" in (route.methods or ()) and route.path and not route.path.startswith("/api")
    } - docs


def test_every_page_has_a_row(web_app: FastAPI) -> None:
    assert sorted(_pages(web_app) ^ set(MATRIX)) == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_written_down_answer(
    role: str, client: TestClient, sign_in: Callable[[str], TestClient], ids: dict[str, int]
) -> None:
    if role != "anonymous":
        sign_in(role)
    column = ROLES.index(role)
    for path, (url, statuses) in MATRIX.items():
        expected = int(statuses.split()[column])
        got = client.get(url.format(secret=ids["secret"]), follow_redirects=False).status_code
        assert got == expected, f"{role} GET {path}: {got}, expected {expected}"
