"""The authorisation matrix: every endpoint × every role × a confidential and a public record.

Each row is written down by hand: the statuses of the roles in ``ROLES`` order
(anonymous admin manager owner competitor institute partner viewer). The test enumerates
``app.routes`` and fails if an endpoint has no row here, or a row names no endpoint.

The world (``conftest.seed``): the company kr-lms (``owner``) has a confidential need, shared with
the institute kr-kimm (``partner``), and a need with a published summary; ``competitor`` is another
company's member, ``institute`` a member of kr-etri (no share); ``manager`` manages the needs'
program; ``viewer`` only views. There is no matching index, so an allowed match answers 409.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from techbridge.services.accounts import hash_password
from techbridge.storage.accounts import User
from techbridge.web import mount_web
from tests.api.authorisation_requests import PASSWORD, REQUESTS, Call
from tests.api.conftest import ROLES, World
from tests.api.test_imports import finished

ALL_OK = "200 200 200 200 200 200 200 200"
SIGNED_IN_OK = "401 200 200 200 200 200 200 200"
NEED_READ = {"confidential": "401 200 200 200 404 404 200 404", "public": "401 200 200 200 404 200 200 200"}
NEED_MANAGE = {"confidential": "401 200 200 200 404 404 403 404", "public": "401 200 200 200 404 403 403 403"}
PUBLIC_READ = {"public": SIGNED_IN_OK}
MANAGERS_OK = "401 200 200 403 403 403 403 403"
MANAGERS_CREATE = "401 201 201 403 403 403 403 403"
# Consortia, clusters and fusion searches: everyone signed in but plain viewers.
BUILDERS_OK = "401 200 200 200 200 200 200 403"
# coop-1 joins the company (owner) and kr-kimm (partner) in the managed program's round.
COOPERATION_READ = "401 200 200 200 404 404 200 404"
COOPERATION_WRITE = "401 201 201 201 404 404 201 404"

MATRIX: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/openapi.json"): {"public": ALL_OK},
    ("GET", "/docs"): {"public": ALL_OK},
    ("GET", "/docs/oauth2-redirect"): {"public": ALL_OK},
    ("GET", "/redoc"): {"public": ALL_OK},
    ("POST", "/api/v1/auth/login"): {"public": SIGNED_IN_OK},
    ("POST", "/api/v1/auth/logout"): {"public": "401 204 204 204 204 204 204 204"},
    ("GET", "/api/v1/auth/me"): {"public": SIGNED_IN_OK},
    ("POST", "/api/v1/auth/tokens"): {"public": "401 201 201 201 201 201 201 201"},
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): {"public": "401 204 204 204 204 204 204 204"},
    # A too short new password: refused before anything is checked (a change would revoke the token).
    ("POST", "/api/v1/auth/password"): {"public": "401 422 422 422 422 422 422 422"},
    ("POST", "/api/v1/users/{user_id}/password-reset"): {"public": "401 200 403 403 403 403 403 403"},
    ("GET", "/api/v1/users"): {"public": "401 200 403 403 403 403 403 403"},
    ("POST", "/api/v1/users"): {"public": "401 201 403 403 403 403 403 403"},
    ("PATCH", "/api/v1/users/{user_id}"): {"public": "401 200 403 403 403 403 403 403"},
    ("GET", "/api/v1/organizations"): PUBLIC_READ,
    ("POST", "/api/v1/organizations"): {"public": "401 201 201 403 403 403 403 403"},
    ("GET", "/api/v1/organizations/{ident}"): PUBLIC_READ,
    ("PATCH", "/api/v1/organizations/{ident}"): {"public": "401 200 200 200 403 403 403 403"},
    ("GET", "/api/v1/people"): PUBLIC_READ,
    ("GET", "/api/v1/people/{ident}"): PUBLIC_READ,
    ("GET", "/api/v1/technologies"): PUBLIC_READ,
    ("GET", "/api/v1/technologies/{ident}"): PUBLIC_READ,
    # kr-patent-1 is kr-kimm's (the partner's): others may not take it over; managers name the holder.
    ("POST", "/api/v1/technologies"): {
        "new, for kr-kimm": "401 201 201 403 403 403 201 403",
        "kr-patent-1, for kr-kimm": "401 200 200 403 403 403 200 403",
        "kr-patent-1, for one's own": "401 422 422 403 403 403 200 403",
    },
    ("GET", "/api/v1/projects"): PUBLIC_READ,
    ("GET", "/api/v1/projects/{ident}"): PUBLIC_READ,
    ("GET", "/api/v1/proposals"): PUBLIC_READ,
    ("GET", "/api/v1/proposals/{ident}"): PUBLIC_READ,
    ("GET", "/api/v1/programs"): PUBLIC_READ,
    ("GET", "/api/v1/programs/{ident}"): PUBLIC_READ,
    ("POST", "/api/v1/programs"): {"public": "401 201 403 403 403 403 403 403"},
    ("POST", "/api/v1/programs/{program}/rounds"): {"public": MANAGERS_CREATE},
    ("GET", "/api/v1/programs/{program}/rounds/{round_key}"): PUBLIC_READ,
    ("PUT", "/api/v1/programs/{program}/rounds/{round_key}/participants"): {"public": MANAGERS_OK},
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/screening"): {"public": MANAGERS_OK},
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment"): {"public": MANAGERS_OK},
    ("GET", "/api/v1/programs/{program}/rounds/{round_key}/assignment"): {"public": MANAGERS_OK},
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment/accept"): {"public": MANAGERS_OK},
    # One organisation's KPIs count its needs: for its members and the program's managers.
    ("GET", "/api/v1/programs/{program}/kpis"): {
        "public": SIGNED_IN_OK,
        "organization": "401 200 200 200 403 403 403 403",
    },
    ("GET", "/api/v1/cooperations"): PUBLIC_READ,
    ("POST", "/api/v1/cooperations"): {"public": "401 201 403 403 403 403 403 403"},
    ("GET", "/api/v1/cooperations/{key}"): {"cooperation": COOPERATION_READ},
    ("POST", "/api/v1/cooperations/{key}/transitions"): {
        "cooperation": COOPERATION_READ,
        "override": "401 200 200 403 404 404 403 404",
    },
    ("POST", "/api/v1/cooperations/{key}/agreements"): {"cooperation": COOPERATION_WRITE},
    ("POST", "/api/v1/outcomes"): {"cooperation": COOPERATION_WRITE, "organization": MANAGERS_CREATE},
    # A meeting of no program is for managers of every program (the manager here manages one).
    ("POST", "/api/v1/meetings"): {"program": MANAGERS_CREATE, "none": "401 201 403 403 403 403 403 403"},
    ("GET", "/api/v1/programs/{program}/report"): {"public": MANAGERS_OK},
    ("GET", "/api/v1/programs/{program}/report.{extension}"): {
        "html": MANAGERS_OK,
        "pdf": MANAGERS_OK,
        "xlsx": MANAGERS_OK,
    },
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/submissions"): {
        "own need": "401 200 200 200 404 404 404 404"
    },
    ("PUT", "/api/v1/programs/{program}/rounds/{round_key}/assignment/scores"): {"public": MANAGERS_OK},
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment/pair-rules"): {"public": MANAGERS_OK},
    ("POST", "/api/v1/programs/{program}/rounds/{round_key}/assignment/swaps"): {"public": MANAGERS_OK},
    ("GET", "/api/v1/cooperations/stale"): {"public": "401 200 200 403 403 403 403 403"},
    ("PUT", "/api/v1/cooperations/{key}/plan"): {"cooperation": COOPERATION_READ},
    ("GET", "/api/v1/cooperations/{key}/plan"): {"cooperation": COOPERATION_READ},
    ("POST", "/api/v1/needs/{ident}/reconfirmation"): NEED_MANAGE,
    # Everyone lists the tasks they may read (their cooperations'; managers: their programs').
    ("GET", "/api/v1/tasks"): {"public": SIGNED_IN_OK},
    # A task of the managed program's meeting: hidden from everyone who does not manage it.
    ("POST", "/api/v1/tasks/{key}/completion"): {"public": "401 204 204 404 404 404 404 404"},
    ("GET", "/api/v1/consortia"): PUBLIC_READ,
    # Only two organisations have records, so an allowed request for five members answers 422.
    ("POST", "/api/v1/consortia/proposals"): {"public": "401 422 422 422 422 422 422 403"},
    ("GET", "/api/v1/consortia/{ident}"): PUBLIC_READ,
    ("POST", "/api/v1/clusters"): {"public": BUILDERS_OK},
    ("POST", "/api/v1/fusions/search"): {"public": BUILDERS_OK},
    ("POST", "/api/v1/fusions"): {"public": MANAGERS_CREATE},
    ("GET", "/api/v1/fusions"): PUBLIC_READ,
    ("GET", "/api/v1/agreements"): PUBLIC_READ,
    ("GET", "/api/v1/audit"): {"public": "401 200 403 403 403 403 403 403"},
    ("GET", "/api/v1/agreements/{key}"): {"cooperation": COOPERATION_READ},
    ("GET", "/api/v1/outcomes"): PUBLIC_READ,
    # A licence is read and written with its cooperation; what is due per program, by its managers.
    ("GET", "/api/v1/licences"): PUBLIC_READ,
    ("POST", "/api/v1/licences"): {"cooperation": COOPERATION_WRITE},
    ("GET", "/api/v1/licences/{key}"): {"cooperation": COOPERATION_READ},
    ("POST", "/api/v1/licences/{key}/payments"): {"cooperation": COOPERATION_WRITE},
    ("GET", "/api/v1/programs/{program}/licences/due"): {"public": MANAGERS_OK},
    ("GET", "/api/v1/outcomes/{key}"): {"cooperation": COOPERATION_READ, "organization": SIGNED_IN_OK},
    ("GET", "/api/v1/meetings"): {"public": MANAGERS_OK},
    ("GET", "/api/v1/meetings/{key}"): {"public": MANAGERS_OK},
    ("POST", "/api/v1/consortia/partners"): {"public": BUILDERS_OK},
    ("GET", "/api/v1/rounds"): PUBLIC_READ,
    ("GET", "/api/v1/rounds/{ident}"): PUBLIC_READ,
    ("GET", "/api/v1/needs"): PUBLIC_READ,
    ("POST", "/api/v1/needs"): {"public": "401 201 201 201 403 403 403 403"},
    ("GET", "/api/v1/needs/{ident}"): NEED_READ,
    ("PATCH", "/api/v1/needs/{ident}"): NEED_MANAGE,
    ("POST", "/api/v1/needs/{ident}/interests"): {
        "confidential": "401 422 422 422 404 404 201 404",
        "public": "401 422 422 422 404 201 201 422",
    },
    ("GET", "/api/v1/needs/{ident}/interests"): NEED_MANAGE,
    ("POST", "/api/v1/needs/{ident}/shares"): {
        "confidential": "401 201 201 201 404 404 403 404",
        "public": "401 201 201 201 404 403 403 403",
    },
    ("DELETE", "/api/v1/needs/{ident}/shares/{organization}"): {
        "confidential": "401 204 204 204 404 404 403 404",
        "public": "401 204 204 204 404 403 403 403",
    },
    ("GET", "/api/v1/needs/{ident}/shares"): NEED_MANAGE,
    ("GET", "/api/v1/needs/{ident}/access-log"): NEED_MANAGE,
    ("POST", "/api/v1/matches"): {
        "confidential": "401 409 409 409 404 404 409 404",
        "public": "401 409 409 409 404 404 404 404",
        "text": "401 409 409 409 409 409 409 409",
    },
    ("GET", "/api/v1/matches"): PUBLIC_READ,
    ("GET", "/api/v1/exports/{entity}"): {"public": SIGNED_IN_OK},
    # Imports: administrators and program managers; a job is its owner's (the manager's) and admins'.
    ("POST", "/api/v1/imports"): {"public": "401 202 202 403 403 403 403 403"},
    ("GET", "/api/v1/jobs"): {"public": SIGNED_IN_OK},
    ("GET", "/api/v1/jobs/{job_id}"): {"manager's job": "401 200 200 404 404 404 404 404"},
}


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _paths(routes: list[Any]) -> set[tuple[str, str]]:
    # FastAPI keeps included routers lazily in ``app.routes``; iter_route_contexts flattens them.
    return {
        (method, route.path)
        for route in iter_route_contexts(routes)
        for method in route.methods or ()
        if method != "HEAD" and route.path is not None
    }


def _endpoints(app: FastAPI) -> set[tuple[str, str]]:
    # The web pages have a matrix of their own (tests/web/test_page_matrix.py).
    pages = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    mount_web(pages, app.state.settings)
    return _paths(app.routes) - _paths(pages.routes)


def test_every_endpoint_has_a_row_and_every_row_an_endpoint(app: FastAPI) -> None:
    endpoints = _endpoints(app)
    assert sorted(endpoints - set(MATRIX)) == [], "endpoints without a row in the authorisation matrix"
    assert sorted(set(MATRIX) - endpoints) == [], "rows of the matrix that name no endpoint"
    for row in MATRIX.values():
        assert all(len(statuses.split()) == len(ROLES) for statuses in row.values())


def test_every_role_gets_the_written_down_answer(app: FastAPI, world: World, client: TestClient) -> None:
    engine: Engine = app.state.engine
    with engine.begin() as conn:
        conn.execute(update(User).values(password_hash=_password_hash()))
    serial = itertools.count()
    wrong = []
    for (method, path), row in sorted(MATRIX.items()):
        for record, statuses in row.items():
            for role, expected in zip(ROLES, statuses.split(), strict=True):
                call = Call(world, engine, role, record, next(serial))
                request = REQUESTS.get((method, path), lambda c: {})(call)
                url = path.format(**request.get("path", {}))
                response = client.request(
                    method,
                    url,
                    headers=world.headers(role),
                    json=request.get("json"),
                    params=request.get("params"),
                    files=request.get("files"),
                    data=request.get("data"),
                )
                if response.status_code == 202:  # an import job: let it end before the next row writes
                    finished(client, world, role, response.headers["location"])
                client.cookies.clear()
                if str(response.status_code) != expected:
                    wrong.append(f"{method} {path} [{record}] {role}: {response.status_code} != {expected}")
    assert wrong == []
