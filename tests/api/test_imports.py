"""File imports through the API (issue 19): ``POST /api/v1/imports`` answers 202 with a job at once,
the import runs in the job runner's process, and ``GET /api/v1/jobs/{id}`` shows its progress and then
its result, or its refusal with each problem. Only administrators and program managers import; a job
is seen by its owner and administrators, and is a missing job to everyone else."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from techbridge.storage.tables import Organization
from tests.api.conftest import World

ORGS = "name,kind,country\n(주)가져온회사,company,KR\n가져온연구원,research_institute,KR\n"
BAD = "name,kind,country\n,company,KR\n우주회사,spaceship,KR\n"


def _upload(client: TestClient, world: World, role: str, content: str, **form: str) -> Any:
    files = {"file": ("orgs.csv", content.encode(), "text/csv")}
    return client.post(
        "/api/v1/imports", headers=world.headers(role), files=files, data={"entity": "organization", **form}
    )


def finished(client: TestClient, world: World, role: str, location: str) -> dict[str, Any]:
    """Poll a job until it has finished (the bound only stops a broken run from hanging)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(location, headers=world.headers(role)).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        assert job["status"] in ("queued", "running")
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def _organizations(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Organization)) or 0


def test_an_import_answers_202_with_a_job_that_ends_with_the_counts(
    client: TestClient, world: World, engine: Engine
) -> None:
    before = _organizations(engine)
    answer = _upload(client, world, "admin", ORGS)
    assert answer.status_code == 202
    job = answer.json()
    assert answer.headers["location"] == f"/api/v1/jobs/{job['id']}"
    assert job["kind"] == "import" and job["title"] == "orgs.csv" and job["owner"] == "u-admin"
    assert job["status"] in ("queued", "running") and len(job["id"]) >= 24
    done = finished(client, world, "admin", answer.headers["location"])
    assert done["status"] == "succeeded", done
    assert done["result"]["counts"] == {"organization": {"created": 2, "updated": 0, "unchanged": 0}}
    assert done["progress"] == {"phase": "done", "done": 2, "total": 2}
    assert done["error"] is None and done["finished_at"] is not None
    assert _organizations(engine) == before + 2
    again = finished(client, world, "admin", _upload(client, world, "admin", ORGS).headers["location"])
    assert again["result"]["counts"]["organization"]["unchanged"] == 2


def test_a_refused_file_fails_its_job_with_each_problem_and_writes_nothing(
    client: TestClient, world: World, engine: Engine
) -> None:
    before = _organizations(engine)
    answer = _upload(client, world, "manager", BAD)
    assert answer.status_code == 202
    job = finished(client, world, "manager", answer.headers["location"])
    assert job["status"] == "failed" and job["result"] is None
    assert job["error"]["message"] == "orgs.csv: refused, 2 problems"
    assert job["error"]["problems"] == [
        "orgs.csv:2: name: required value is empty",
        "orgs.csv:3: kind: unknown organisation kind 'spaceship'; use one of company, research_institute, "
        "university, tech_holding, patent_firm, investor, public, other",
    ]
    assert _organizations(engine) == before


def test_those_who_may_not_import_are_refused_before_any_job(client: TestClient, world: World) -> None:
    for role in ("owner", "institute", "viewer"):
        answer = _upload(client, world, role, ORGS)
        assert answer.status_code == 403, role
        assert answer.json()["error"]["message"] == "only administrators and program managers import files"
        assert client.get("/api/v1/jobs", headers=world.headers(role)).json() == []
    assert _upload(client, world, "anonymous", ORGS).status_code == 401
    assert client.get("/api/v1/jobs", headers=world.headers("admin")).json() == []


def test_what_cannot_be_imported_is_refused_at_once(client: TestClient, world: World) -> None:
    preset = _upload(client, world, "admin", ORGS, mapping="kipris")
    assert preset.status_code == 422
    assert (
        preset.json()["error"]["message"] == "the kipris mapping imports technology records, not organization"
    )
    files = {"file": ("orgs.pdf", b"%PDF", "application/pdf")}
    unknown = client.post(
        "/api/v1/imports", headers=world.headers("admin"), files=files, data={"entity": "organization"}
    )
    assert unknown.status_code == 422 and "cannot tell the format" in unknown.json()["error"]["message"]


def test_a_job_is_seen_by_its_owner_and_administrators_only(client: TestClient, world: World) -> None:
    location = _upload(client, world, "manager", ORGS).headers["location"]
    finished(client, world, "manager", location)
    assert client.get(location, headers=world.headers("admin")).status_code == 200
    assert [job["owner"] for job in client.get("/api/v1/jobs", headers=world.headers("admin")).json()] == [
        "u-manager"
    ]
    missing = client.get("/api/v1/jobs/no-such-job-key-at-all-xyz", headers=world.headers("owner"))
    for role in ("owner", "viewer", "institute"):
        hidden = client.get(location, headers=world.headers(role))
        assert hidden.status_code == 404
        assert hidden.json()["error"]["message"].replace(location.rsplit("/", 1)[1], "X") == missing.json()[
            "error"
        ]["message"].replace("no-such-job-key-at-all-xyz", "X")
        assert client.get("/api/v1/jobs", headers=world.headers(role)).json() == []


def test_the_openapi_document_describes_imports_and_jobs(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    upload = paths["/api/v1/imports"]["post"]
    assert {"202", "401", "403", "413", "422"} <= set(upload["responses"])
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"200", "404", "413"} <= set(paths["/api/v1/jobs/{job_id}"]["get"]["responses"])
