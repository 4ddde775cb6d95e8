"""Patent clusters and fusion discovery over a small stored portfolio (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.domain.cluster import adjusted_mutual_info, kmeans, layout
from techbridge.domain.complement import co_occurrence, rank_fusions, rank_groups, subclasses
from techbridge.errors import ConflictError, NotFoundError
from techbridge.matching.record import Record
from techbridge.matching.semantic import UseEncoder
from techbridge.services.actor import operator
from techbridge.services.consortia.cluster import cluster_records, write_cluster_files
from techbridge.services.consortia.fusion import FusionSearch, search_fusions, store_fusion
from techbridge.services.consortia.portfolio import PortfolioScope, scoped_portfolio, select_portfolio
from techbridge.services.programs.kpi import Scope, scope_kpis
from techbridge.storage.db import transaction
from techbridge.storage.tables import Outcome
from tests import factories
from tests.factories import core_on

DAY = dt.date(2024, 1, 3)


def _split(texts: list[str]) -> list[list[str]]:
    return [t.split() for t in texts]


RECORDS = [
    Record(f"r{i}", title, "", codes=(code,), organizations=(owner,))
    for i, (title, code, owner) in enumerate(
        [
            ("로봇 팔 robot arm gripper", "B25J 9/16", "a"),
            ("로봇 팔 robot arm joint", "B25J 13/08", "b"),
            ("로봇 팔 robot gripper joint", "B25J 15/00", "a"),
            ("배터리 battery electrode cell", "H01M 4/13", "c"),
            ("배터리 battery cell separator", "H01M 50/40", "b"),
            ("배터리 battery electrode separator", "H01M 10/05", "c"),
        ]
    )
]


def test_kmeans_ami_and_layout_are_deterministic() -> None:
    x = np.vstack([np.random.default_rng(0).normal(c, 0.1, (10, 3)) for c in (0, 5, 10)])
    labels = kmeans(x, 3)
    assert labels.tolist() == kmeans(x, 3).tolist()
    truth = [i // 10 for i in range(30)]
    assert adjusted_mutual_info(labels.tolist(), truth) == pytest.approx(1.0)
    assert abs(adjusted_mutual_info([0, 1] * 15, truth)) < 0.1
    assert np.allclose(layout(x), layout(x))


def test_clusters_group_themes_across_owners(tmp_path: Path, encoder: UseEncoder) -> None:
    clustering = cluster_records(RECORDS, k=2, encoder=encoder, tokenizer=_split)
    groups = sorted(sorted(c.records) for c in clustering.clusters)
    assert groups == [["r0", "r1", "r2"], ["r3", "r4", "r5"]]
    robot = next(c for c in clustering.clusters if "r0" in c.records)
    assert robot.codes == ["B25J"] and robot.owners == ["a", "b"]
    assert "로봇" in robot.terms_ko and "robot" in robot.terms_en
    paths = write_cluster_files(clustering, tmp_path, "map")
    again = write_cluster_files(cluster_records(RECORDS, 2, encoder, _split), tmp_path / "2", "map")
    assert paths["svg"].read_bytes() == again["svg"].read_bytes()
    assert paths["json"].read_bytes() == again["json"].read_bytes()
    assert json.loads(paths["json"].read_text())["clusters"][0]["size"] == 3
    book = load_workbook(paths["xlsx"], read_only=True)
    assert book.sheetnames == ["clusters", "technologies"]
    book.close()


def test_fusion_pairs_need_different_owners_and_explain(encoder: UseEncoder) -> None:
    vectors = encoder.encode([r.title for r in RECORDS]).astype(np.float64)
    found = rank_fusions(vectors, [r.codes for r in RECORDS], [r.organizations for r in RECORDS], k=20)
    assert found and all(
        set(RECORDS[f.a].organizations).isdisjoint(RECORDS[f.b].organizations) for f in found
    )
    assert found == sorted(found, key=lambda f: (-f.score, f.a, f.b))
    assert subclasses(["G06N 3/08", "G06N 5/00"]) == {"G06N"}
    groups = rank_groups(vectors, [r.codes for r in RECORDS], [r.organizations for r in RECORDS], k=3)
    assert groups and all(len({RECORDS[i].organizations for i in g}) == 3 for g, _ in groups)
    assert co_occurrence([frozenset({"A", "B"}), frozenset({"A"})]) == {("A", "B"): 1.0}


@pytest.fixture
def stored(engine: Engine) -> Engine:
    """Four technologies of three owners."""
    with transaction(engine) as s:
        a = factories.organization(s, "Robot Lab", "university", key="a")
        b = factories.organization(s, "Vision Lab", "research_institute", key="b")
        c = factories.organization(s, "Care Co", "company", key="c")
        factories.technology(s, "t1", "robot arm control", [a], codes=["B25J 9/16", "G06N 3/08"])
        factories.technology(s, "t2", "robot vision camera", [b], codes=["G06T 7/00", "G06N 3/08"])
        factories.technology(s, "t3", "patient care robot", [c], codes=["A61G 7/10"])
        factories.technology(s, "t4", "robot arm gripper", [a], codes=["B25J 15/00"])
    return engine


def test_fusion_service_ranks_and_records(stored: Engine, encoder: UseEncoder) -> None:
    with Session(stored) as session:
        result = search_fusions(session, operator("t"), FusionSearch(need="robot arm vision"), encoder)
        assert result["portfolio"]["kind"] == "technologies"
        assert result["fusions"][0]["key"] in {"fusion:t1+t2", "fusion:t2+t4"}
        assert all("t1" not in f["key"] or "t4" not in f["key"] for f in result["fusions"])
        assert "Related" in result["fusions"][0]["why"]
        group = [t["key"] for t in result["groups"][0]["technologies"]]
        assert len(group) == 3 and {"t1", "t4"} - set(group)  # three owners: never both of a's
    with transaction(stored) as session:
        outcome = store_fusion(session, "tester", "t2", "t1", "", None, dt.date(2024, 1, 2))
        assert outcome.key == "fusion:t1+t2" and outcome.kind == "fusion_technology"
    with transaction(stored) as session, pytest.raises(ConflictError):
        store_fusion(session, "tester", "t1", "t2", "", None, DAY)
    with transaction(stored) as session, pytest.raises(NotFoundError):
        store_fusion(session, "tester", "t1", "nope", "", None, DAY)
    with Session(stored) as session:
        assert session.scalar(select(Outcome.kind)) == "fusion_technology"
    assert (
        scope_kpis(core_on(stored), operator("t"), Scope(organization="b")).fusion_technologies == 1
    )  # t2's holder


def test_portfolio_by_organisation(stored: Engine, encoder: UseEncoder) -> None:
    with Session(stored) as session:
        portfolio = select_portfolio(session, ["a"], encoder=encoder)
        assert [r.id for r in portfolio.records] == ["t1", "t4"]
        with pytest.raises(NotFoundError, match="no consortium 'missing'"):
            scoped_portfolio(session, operator("t"), PortfolioScope(consortium="missing"), encoder)


@pytest.mark.slow
def test_real_patent_clusters_agree_with_ipc_better_than_chance(
    shared_data: Path, encoder: UseEncoder
) -> None:
    text = (shared_data / "kipris-inu-experts-dev" / "items.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()[:200]]
    records = [Record(r["id"], r["title"], r["text"], codes=tuple(r["codes"])) for r in rows if r["codes"]]
    clustering = cluster_records(records, 10, encoder, _split)
    truth = [r.codes[0][:4] for r in records]
    assert adjusted_mutual_info(clustering.labels, truth) > 0.25  # USE-m3 gives 0.33; chance is 0
