"""Answer time of a small request while a 100k-row import runs beside it (issue 19).

Serves a fresh database with a real uvicorn process on 127.0.0.1, signs in an administrator (an API
token), measures ``GET /api/v1/auth/me`` alone for a few seconds, then starts importing a CSV of
100k organisations and keeps sending the same small request at a steady rate (every 50 ms, one at a
time) until the import has finished. Prints p50/p95/p99/max of the answer times alone and during
the import, the import's duration, and the command that reproduces the figures.

- default (``jobs``): ``techbridge serve``; the import goes through ``POST /api/v1/imports`` and runs
  as a job in the server's worker process; the job is polled until it ends.
- ``--inline``: the behaviour before jobs. The same app under uvicorn, with one route more that
  runs the import (``import_file``) in the server's own thread pool, as the web import did.

    .venv/bin/python bench/import_latency.py                    # jobs, SQLite, 100k rows
    .venv/bin/python bench/import_latency.py --inline           # the old way, for comparison
    .venv/bin/python bench/import_latency.py --db postgresql+psycopg://user@host/db

Small requests only read (the caller's session or token is looked up, never written), so on SQLite
they do not wait for the import's write lock. Loopback only; bounded: it stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx2 as httpx

from techbridge.config import Settings
from techbridge.services.accounts import Grant, create_token, create_user
from techbridge.services.database import database
from techbridge.storage.db import transaction

PROBE_EVERY = 0.05  # seconds between the starts of two small requests
BASELINE_SECONDS = 3.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(url: str) -> str:
    """Migrate the database, add a benchmark administrator, and return their API token."""
    with database(Settings(database_url=url)) as engine, transaction(engine) as session:
        user = create_user(session, f"bench-{uuid.uuid4().hex[:8]}", None, grants=[Grant("administrator")])
        return create_token(session, user.id, "import-latency")[1]


def _write_csv(path: Path, rows: int, run: str) -> None:
    kinds = ("company", "research_institute", "university")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "kind", "country", "region", "description"])
        for n in range(rows):
            description = f"벤치마크 기관 {n}: 정밀 가공, 센서, 소재 분야의 기술을 보유한 기관입니다."
            writer.writerow([f"벤치기관 {run} {n}", kinds[n % 3], "KR", "대전", description])


def _serve(command: list[str], url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TECHBRIDGE_LOG_LEVEL": "WARNING", "TECHBRIDGE_DATABASE_URL": url}
    log = open(os.environ.get("TECHBRIDGE_BENCH_LOG", os.devnull), "wb")  # noqa: SIM115 (lives with the server)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


class Probe:
    """Sends ``GET /api/v1/auth/me`` every ``PROBE_EVERY`` seconds, one at a time, and keeps the times."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600)
        self.times: list[float] = []
        self.errors = 0

    def run_until(self, done: threading.Event, at_most: float | None = None) -> None:
        """Probe until ``done`` is set (or ``at_most`` seconds have passed)."""
        started = time.monotonic()
        while not done.is_set() and (at_most is None or time.monotonic() - started < at_most):
            begin = time.perf_counter()
            status = self.client.get("/api/v1/auth/me").status_code
            took = time.perf_counter() - begin
            self.times.append(took)
            self.errors += status != 200
            time.sleep(max(0.0, PROBE_EVERY - took))


def _summary(times: list[float]) -> str:
    ordered = sorted(times)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    median = statistics.median(ordered) * 1000
    return f"{len(ordered):>6} {median:>8.1f} {at(0.95):>8.1f} {at(0.99):>8.1f} {ordered[-1] * 1000:>9.1f}"


def _import_as_job(base: str, token: str, path: Path) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client, path.open("rb") as handle:
        answer = client.post(
            "/api/v1/imports",
            files={"file": (path.name, handle, "text/csv")},
            data={"entity": "organization"},
        )
        answer.raise_for_status()
        location = answer.headers["location"]
        while True:
            job: dict[str, Any] = client.get(location).json()
            if job["status"] in ("succeeded", "failed"):
                return job
            time.sleep(0.5)


def _import_inline(base: str, token: str, path: Path) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=3600) as client:
        answer = client.post("/bench/inline-import", params={"path": str(path)})
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result


def serve_inline(port: int) -> None:
    """Serve the app with one route more that imports in the server's own thread pool (the old way)."""
    import uvicorn
    from fastapi import FastAPI

    from techbridge.app import create_app
    from techbridge.services.actor import operator
    from techbridge.services.ingest.importing import ImportRequest, import_file

    app: FastAPI = create_app(Settings())

    @app.post("/bench/inline-import")
    def inline_import(path: str) -> dict[str, Any]:  # a plain def: FastAPI's thread pool, as before jobs
        core = app.state.core
        return import_file(core, operator("bench"), ImportRequest("organization", Path(path))).to_dict()

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--rows", type=int, default=100_000, help="organisations in the imported CSV")
    parser.add_argument(
        "--inline", action="store_true", help="import in the server's own thread (before jobs)"
    )
    parser.add_argument("--serve-inline", type=int, help=argparse.SUPPRESS)  # the --inline server's port
    args = parser.parse_args()
    if args.serve_inline:
        serve_inline(args.serve_inline)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        token = _prepare(url)
        path = Path(tmp) / "organisations.csv"
        _write_csv(path, args.rows, uuid.uuid4().hex[:6])
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        if args.inline:
            command = [sys.executable, __file__, "--serve-inline", str(port)]
        else:
            command = [sys.executable, "-m", "techbridge", "serve", "--port", str(port)]
        server = _serve(command, url, port)
        try:
            _measure(base, token, path, args)
        finally:
            server.terminate()
            server.wait(timeout=60)


def _measure(base: str, token: str, path: Path, args: argparse.Namespace) -> None:
    probe = Probe(base, token)
    never = threading.Event()
    probe.run_until(never, BASELINE_SECONDS)
    alone = probe.times
    probe.times = []
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def run_import() -> None:
        started = time.perf_counter()
        try:
            outcome["result"] = (_import_inline if args.inline else _import_as_job)(base, token, path)
        finally:
            outcome["seconds"] = time.perf_counter() - started
            done.set()

    importer = threading.Thread(target=run_import, name="import")
    importer.start()
    probe.run_until(done)
    importer.join()
    mode = "inline (server thread)" if args.inline else "job (worker process)"
    database_kind = "PostgreSQL" if (args.db or "").startswith("postgresql") else "SQLite"
    result = outcome.get("result", {})
    status = result.get("status", "succeeded" if "counts" in result else "?")
    print(f"import of {args.rows:,} organisations, {mode}, {database_kind}: {status}")
    every = f"every {PROBE_EVERY * 1000:.0f} ms"
    print(f"import took {outcome['seconds']:.1f} s; small request GET /api/v1/auth/me {every}")
    print(f"{'':<22} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>9}")
    print(f"{'alone':<22} {_summary(alone)}")
    print(f"{'during the import':<22} {_summary(probe.times)}")
    print(f"errors: {probe.errors}")
    shown = " ".join("URL" if part.startswith("postgresql") else part for part in sys.argv[1:])
    print(f"reproduce: .venv/bin/python bench/import_latency.py {shown}".rstrip())


if __name__ == "__main__":
    main()
