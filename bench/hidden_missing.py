"""Benchmark: does a hidden key answer as fast as a missing one? (issue 19)

Serves a small database with ``techbridge serve`` (a real uvicorn process on 127.0.0.1) and, as a
member of another company, asks for records that company may not see and for keys nobody holds:
a confidential need by key and by id, a cooperation and its joint plan. Both answer 404;
the requests alternate (hidden, missing, hidden, …) so that drift in the machine's load falls on
both alike. Prints mean, p50 and p99 of each in milliseconds, and the difference of the means with
a bootstrap 95% interval, then the command that reproduces it.

    .venv/bin/python bench/hidden_missing.py                       # SQLite, 2,000 pairs per lookup
    .venv/bin/python bench/hidden_missing.py --db postgresql+psycopg://root@127.0.0.1:5432/bench

A PostgreSQL URL names a database this script empties and fills. Loopback only, bounded: it stops
by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import MetaData, select

from techbridge.config import Settings
from techbridge.services.accounts import Grant, create_token, create_user
from techbridge.services.cooperations.pipeline import add_cooperation
from techbridge.services.database import database
from techbridge.storage.db import migrate, transaction
from techbridge.storage.pipeline import JointPlan
from techbridge.storage.tables import Need, Organization, Program, Round

MISSING = "nobody-holds-this-key"


def _prepare(url: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """Store the world; return the competitor's API token and, per lookup, the hidden and missing path."""
    with database(Settings(database_url=url)) as engine:
        if not url.startswith("sqlite"):
            stored = MetaData()
            stored.reflect(engine)
            stored.drop_all(engine)
        migrate(engine)
        with transaction(engine) as s:
            program = Program(key="p2021", name="기술협력")
            s.add(program)
            s.flush()
            round_ = Round(program_id=program.id, key="r1", name="1차")
            owner = Organization(
                key="kr-owner", name="엘엠에스", name_key="엘엠에스", kind="company", country="KR"
            )
            rival = Organization(
                key="kr-rival", name="경쟁사", name_key="경쟁사", kind="company", country="KR"
            )
            institute = Organization(
                key="kr-kimm", name="기계연", name_key="기계연", kind="research_institute", country="KR"
            )
            s.add_all([round_, owner, rival, institute])
            s.flush()
            need = Need(key="need-secret", organization=owner, round_id=round_.id, title="비밀 과제",
                        description="confidential", visibility="confidential")  # fmt: skip
            s.add(need)
            s.flush()
            pair = [(owner.id, "demand"), (institute.id, "supply")]
            coop = add_cooperation(s, "bench", "coop-1", "협력", pair, round_id=round_.id, need=need)
            s.add(JointPlan(key="plan-1", cooperation_id=coop.id, objectives="양산"))
            user = create_user(s, "u-rival", None, organization="kr-rival", grants=[Grant("company_member")])
            token = create_token(s, user.id, "bench")[1]
            need_id = s.scalar(select(Need.id).where(Need.key == "need-secret"))
    paths = {
        "need by key": ("/api/v1/needs/need-secret", f"/api/v1/needs/{MISSING}"),
        "need by id": (f"/api/v1/needs/{need_id}", "/api/v1/needs/987654"),
        "cooperation": ("/api/v1/cooperations/coop-1", f"/api/v1/cooperations/{MISSING}"),
        "joint plan": ("/api/v1/cooperations/coop-1/plan", f"/api/v1/cooperations/{MISSING}/plan"),
    }
    return token, paths


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "techbridge", "--db", url, "serve", "--port", str(port)]
    env = {**os.environ, "TECHBRIDGE_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def _time(client: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    status = client.get(path).status_code
    elapsed = time.perf_counter() - start
    if status != 404:
        raise SystemExit(f"{path} answered {status}, not 404")
    return elapsed * 1000


def _measure(client: httpx.Client, hidden: str, missing: str, pairs: int) -> tuple[list[float], list[float]]:
    for _ in range(50):  # warm-up: connection, statement caches
        _time(client, hidden), _time(client, missing)
    of_hidden, of_missing = [], []
    for n in range(pairs):
        first, second = (hidden, missing) if n % 2 == 0 else (missing, hidden)
        a, b = _time(client, first), _time(client, second)
        of_hidden.append(a if first == hidden else b)
        of_missing.append(b if first == hidden else a)
    return of_hidden, of_missing


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _interval(of_hidden: list[float], of_missing: list[float]) -> tuple[float, float]:
    """Return a bootstrap 95% interval of mean(hidden) - mean(missing) (1,000 resamples, seed 0)."""
    pick = random.Random(0)
    n = len(of_hidden)
    diffs = sorted(
        statistics.fmean(pick.choices(of_hidden, k=n)) - statistics.fmean(pick.choices(of_missing, k=n))
        for _ in range(1000)
    )
    return diffs[25], diffs[974]


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL to fill (default: a temporary SQLite file)")
    parser.add_argument("--pairs", type=int, default=2000, help="hidden/missing request pairs per lookup")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'hidden.db'}"
        token, paths = _prepare(url)
        port = _free_port()
        server = _serve(url, port)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as client:
                _report(client, paths, args.pairs)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"reproduce: .venv/bin/python bench/hidden_missing.py {' '.join(sys.argv[1:])}".rstrip())


def _report(client: httpx.Client, paths: dict[str, tuple[str, str]], pairs: int) -> None:
    head = f"{'lookup':<12} {'answer':<8} {'mean ms':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(f"{head}   hidden - missing (mean, 95% interval)", flush=True)
    for name, (hidden, missing) in paths.items():
        of_hidden, of_missing = _measure(client, hidden, missing, pairs)
        for label, values in (("hidden", of_hidden), ("missing", of_missing)):
            mean, p50, p99 = statistics.fmean(values), _p(values, 0.5), _p(values, 0.99)
            print(f"{name:<12} {label:<8} {mean:>8.3f} {p50:>8.3f} {p99:>8.3f}", flush=True)
        low, high = _interval(of_hidden, of_missing)
        diff = statistics.fmean(of_hidden) - statistics.fmean(of_missing)
        print(f"{name:<12} {'diff':<8} {diff:>+8.3f} ms   [{low:+.3f}, {high:+.3f}]", flush=True)


if __name__ == "__main__":
    main()
