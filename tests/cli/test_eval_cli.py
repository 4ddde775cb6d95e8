"""``techbridge eval``: one use case (``services.matching.benchmark.evaluate_bench``) scores a bench
folder, prints one JSON report, and with ``--tune --save`` writes the tuned config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from techbridge.cli.app import app
from tests.test_evaluation import write_bench

runner = CliRunner()


@pytest.mark.slow  # loads the encoder the settings name (~10 s)
def test_eval_prints_the_report_and_saves_the_tuned_config(tmp_path: Path) -> None:
    folder = write_bench(tmp_path / "bench", "q\tuni\t1\n")
    saved = tmp_path / "tuned.json"
    args = ["--db", f"sqlite:///{tmp_path / 'unused.db'}", "eval", str(folder), "--method", "bm25"]
    result = runner.invoke(app, [*args, "--tune", "--save", str(saved)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["bench"] == "tiny" and {"bm25", "hybrid-tuned"} <= set(report["methods"])
    assert "tuned: " in result.stderr and saved.exists()
    assert "organization" in json.loads(saved.read_text())["targets"]
    assert not (tmp_path / "unused.db").exists()  # a bench is files: no database is made
