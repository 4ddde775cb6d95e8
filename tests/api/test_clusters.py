"""Patent clusters through the API: themed groups of public technologies, as JSON, map and workbook;
never a need, whoever asks."""

from __future__ import annotations

import io

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from techbridge.storage.db import transaction
from techbridge.storage.tables import Organization
from tests import factories
from tests.api.conftest import SECRET_TEXT, World
from tests.api.test_confidentiality import assert_nothing_leaks

# Two themes, two owners each: LiDAR optics and battery electrodes.
TECHNOLOGIES = {
    "kr-optic-1": ("라이다 광학 렌즈 소재", "LiDAR optical lens material", "G02B 1/04", "kr-kimm"),
    "kr-optic-2": ("라이다 광학 필터 코팅", "LiDAR optical filter coating", "G02B 5/20", "kr-etri"),
    "kr-battery-1": ("이차전지 양극 활물질", "battery cathode active material", "H01M 4/36", "kr-kimm"),
    "kr-battery-2": ("이차전지 전해질 첨가제", "battery electrolyte additive", "H01M 10/05", "kr-etri"),
}


def add_technologies(app: FastAPI) -> None:
    """Store the four technologies of ``TECHNOLOGIES``."""
    with transaction(app.state.engine) as session:
        orgs = {o.key: o for o in session.query(Organization)}
        for key, (title, title_en, code, owner) in TECHNOLOGIES.items():
            factories.technology(session, key, title, [orgs[owner]], title_en=title_en, codes=[code])


def test_clusters_group_technologies_by_theme(app: FastAPI, client: TestClient, world: World) -> None:
    add_technologies(app)
    body = {"organizations": ["kr-etri", "kr-kimm"], "k": 3}
    response = client.post("/api/v1/clusters", headers=world.headers("competitor"), json=body)
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["portfolio"] == {"kind": "technologies", "size": 5, "organizations": ["kr-etri", "kr-kimm"]}
    groups = [sorted(t["key"] for t in c["technologies"]) for c in found["clusters"]]
    assert ["kr-battery-1", "kr-battery-2"] in groups
    assert sorted(p["key"] for p in found["points"]) == sorted([*TECHNOLOGIES, "kr-patent-1"])
    assert_nothing_leaks(response.text)

    svg = client.post("/api/v1/clusters?format=svg", headers=world.headers("competitor"), json=body)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-disposition"] == 'attachment; filename="clusters.svg"'
    assert svg.text.startswith("<svg") and "이차전지 양극 활물질" in svg.text
    xlsx = client.post("/api/v1/clusters?format=xlsx", headers=world.headers("admin"), json=body)
    assert xlsx.headers["content-disposition"] == 'attachment; filename="clusters.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    assert sorted(row[1] for row in book["technologies"].iter_rows(min_row=2, values_only=True)) == sorted(
        [*TECHNOLOGIES, "kr-patent-1"]
    )


def test_clusters_never_draw_on_needs(app: FastAPI, client: TestClient, world: World) -> None:
    # The company kr-lms holds needs but no technology, project or profile: its scope is empty.
    scoped = client.post(
        "/api/v1/clusters", headers=world.headers("owner"), json={"organizations": ["kr-lms"]}
    )
    assert scoped.status_code == 422
    assert scoped.json()["error"] == {"type": "invalid", "message": "no technology or record in this scope"}
    # A field worded like the confidential need ranks public records only.
    anything = client.post(
        "/api/v1/clusters", headers=world.headers("institute"), json={"field": SECRET_TEXT}
    )
    assert anything.status_code == 200, anything.text
    assert {p["key"] for p in anything.json()["points"]} == {"kr-patent-1"}
    assert_nothing_leaks(anything.text.replace(SECRET_TEXT, ""))


def test_clusters_refuse_viewers_and_unknown_consortia(client: TestClient, world: World) -> None:
    viewer = client.post("/api/v1/clusters", headers=world.headers("viewer"), json={})
    assert viewer.status_code == 403
    missing = client.post("/api/v1/clusters", headers=world.headers("admin"), json={"consortium": "nope"})
    assert missing.status_code == 404
    assert missing.json()["error"] == {"type": "not_found", "message": "no consortium 'nope'"}
