"""Partner-completion evaluation: time rules on a tiny hand-made participants file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from techbridge.errors import InvalidError, NotFoundError
from techbridge.services.matching.consortium_eval import run_consortium_eval, split_point

HEADER = "projectID,projectAcronym,organisationID,name,SME,activityType,city,country,role,ecContribution\n"
# project: members, the first coordinates. D first appears in project 4; C's third tie with A is in 4.
PROJECTS = {1: "ABC", 2: "AB", 3: "AC", 4: "ACD", 5: "AC"}


def _write(tmp_path: Path, projects: dict[int, str] = PROJECTS) -> Path:
    lines = [
        f'{p},P{p},{o},"Org {o}, Ltd",false,PRC,Oslo,NO,{"coordinator" if i == 0 else "participant"},1\n'
        for p, members in projects.items()
        for i, o in enumerate(members)
    ]
    path = tmp_path / "participants.csv.gz"
    path.write_bytes(gzip.compress((HEADER + "".join(lines)).encode()))
    return path


def test_only_earlier_projects_are_used(tmp_path: Path) -> None:
    report = run_consortium_eval(_write(tmp_path), from_project=3)
    # q3: B has 2 joint projects, C 1 -> C at rank 2 (with project 4 or 5 it would be 1st)
    # q4: relevant C (2 earlier) and D? no: D never seen before 4 -> relevant C only, B ties C, B first
    # q5: C has 3 (1, 3, 4), B 2 -> rank 1
    baseline = report["methods"]["baseline"]
    assert report["projects"] == 3
    assert baseline["mrr"] == pytest.approx(round((0.5 + 0.5 + 1.0) / 3, 4))
    assert set(report["methods"]) == {"baseline", "techbridge"}
    json.dumps(report)


def test_new_organisations_are_not_relevant(tmp_path: Path) -> None:
    report = run_consortium_eval(_write(tmp_path, {1: "AB", 2: "AC"}), from_project=2)
    assert report["projects"] == 0  # C was never seen before project 2


def test_split_point_and_errors(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert split_point(path, 0.8) == 5
    with pytest.raises(NotFoundError):
        run_consortium_eval(tmp_path / "missing.csv", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("projectID,name\n1,x\n")
    with pytest.raises(InvalidError):
        run_consortium_eval(bad, 1)


@pytest.mark.slow
def test_real_cordis_tail_beats_the_baseline(shared_data: Path) -> None:
    path = shared_data / "cordis-he-participants-dev" / "participants.csv.gz"
    report = run_consortium_eval(path, split_point(path, 0.985))
    methods = report["methods"]
    assert report["projects"] > 50
    assert methods["techbridge"]["recall@10"] >= methods["baseline"]["recall@10"]
