"""Load benchmark of the served app on loopback: match requests and page views at rising concurrency.

Serves a demo database with ``techbridge serve`` (a real uvicorn process on 127.0.0.1), signs in as
an administrator, and for each concurrency level sends a bounded number of requests from that many
threads: ``POST /api/v1/matches`` (a demo need, top-10 institutes with explanations) and ``GET /needs``
(a server-rendered page). Prints throughput and p50/p99 latency per level, and the command.

With ``--technologies`` it serves the database of ``bench/technologies.py`` (the demo plus 100k
technologies) and adds what touches those rows: matches with target ``item`` (technologies and
projects), the ``/technologies`` page at pages spread over the list and searched for a word, and
``GET /api/v1/technologies`` at offsets spread over the list. The first request of each kind is a
warm-up (the first match loads the index and models) and its time is printed.

    .venv/bin/python bench/load.py                 # makes a demo database first (about 2 minutes)
    .venv/bin/python bench/load.py --db sqlite:///techbridge.db   # after `make demo`
    .venv/bin/python bench/technologies.py && .venv/bin/python bench/load.py --technologies

Loopback only, bounded in count and time: it stops by itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from pathlib import Path

import httpx2 as httpx

from techbridge.config import Settings
from techbridge.services.accounts import Grant, create_user
from techbridge.services.actor import operator
from techbridge.services.core import Core
from techbridge.services.database import database
from techbridge.services.demo.run import run_demo
from techbridge.storage.db import transaction

USER, PASSWORD = "loadbench", "load-bench-password-1"
LEVELS = (1, 2, 4, 8, 16)
NEED = "demo-2021-kodaco-diecasting"
TECHNOLOGIES_DB = f"sqlite:///{Path(__file__).resolve().parent / 'out' / 'load-100k.db'}"
WORDS = ("system", "안테나", "energy", "method", "배터리", "ocean", "센서", "data")  # page searches


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(url: str | None, folder: Path) -> str:
    if url is None:
        url = f"sqlite:///{folder / 'load.db'}"
        settings = Settings(database_url=url)
        with Core.open(settings) as core:
            run_demo(core, operator(settings.actor), folder / "out")
    with database(Settings(database_url=url)) as engine, transaction(engine) as session:
        from sqlalchemy import select

        from techbridge.storage.accounts import User

        if session.scalar(select(User.id).where(User.username == USER)) is None:
            create_user(session, USER, PASSWORD, grants=[Grant("administrator")], actor="bench")
    return url


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "techbridge", "--db", url, "serve", "--port", str(port)]
    env = {**os.environ, "TECHBRIDGE_LOG_LEVEL": "WARNING"}
    log = open(os.environ.get("TECHBRIDGE_LOAD_LOG", os.devnull), "wb")  # noqa: SIM115 (lives with the server)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


Call = Callable[[httpx.Client, int], int]


def _run(level: int, requests: int, call: Call) -> tuple[float, float, float, int]:
    numbers = count()

    def one(client: httpx.Client) -> tuple[float, int]:
        start = time.perf_counter()
        status = call(client, next(numbers))
        return time.perf_counter() - start, status

    clients = [httpx.Client(base_url=BASE, timeout=300, cookies=COOKIES) for _ in range(level)]
    started = time.perf_counter()
    with ThreadPoolExecutor(level) as pool:
        results = list(pool.map(lambda i: one(clients[i % level]), range(requests)))
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    latencies = sorted(r[0] for r in results)
    errors = sum(1 for r in results if r[1] >= 400)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return requests / elapsed, statistics.median(latencies) * 1000, p99 * 1000, errors


BASE = ""
COOKIES: dict[str, str] = {}
CSRF: dict[str, str] = {}


def _match(client: httpx.Client, _: int) -> int:
    body = {"need": NEED, "k": 10, "kinds": ["research_institute"], "countries": ["KR"]}
    headers = {"X-CSRF-Token": CSRF["token"]}
    return client.post("/api/v1/matches", json=body, headers=headers).status_code


def _match_item(client: httpx.Client, _: int) -> int:
    body = {"need": NEED, "k": 10, "target": "item"}
    headers = {"X-CSRF-Token": CSRF["token"]}
    return client.post("/api/v1/matches", json=body, headers=headers).status_code


def _page(client: httpx.Client, _: int) -> int:
    return client.get("/needs").status_code


# pages and offsets spread over the list (a prime stride), the same for every run
def _tech_page(client: httpx.Client, n: int) -> int:
    return client.get("/technologies", params={"page": 1 + (n * 997) % 1000}).status_code


def _tech_search(client: httpx.Client, n: int) -> int:
    return client.get("/technologies", params={"q": WORDS[n % len(WORDS)]}).status_code


def _api_list(client: httpx.Client, n: int) -> int:
    params = {"limit": 50, "offset": (n * 99_991) % 100_000}
    return client.get("/api/v1/technologies", params=params).status_code


KINDS: dict[str, Call] = {"match": _match, "page": _page}
TECHNOLOGY_KINDS: dict[str, Call] = {
    "match": _match,
    "match-item": _match_item,
    "page": _page,
    "tech-page": _tech_page,
    "tech-search": _tech_search,
    "api-list": _api_list,
}


def main() -> None:
    """Run the benchmark and print its table."""
    global BASE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL of a demo database (default: make one)")
    parser.add_argument("--requests", type=int, default=64, help="requests per level and kind")
    parser.add_argument(
        "--technologies", action="store_true", help="the demo plus 100k technologies (bench/technologies.py)"
    )
    parser.add_argument("--kinds", help="comma-separated request kinds to run (default: all)")
    args = parser.parse_args()
    kinds = TECHNOLOGY_KINDS if args.technologies else KINDS
    if args.kinds:
        kinds = {name: TECHNOLOGY_KINDS[name] for name in args.kinds.split(",")}
    if args.technologies and args.db is None:
        args.db = TECHNOLOGIES_DB
        if not Path(TECHNOLOGIES_DB.removeprefix("sqlite:///")).exists():
            raise SystemExit(f"no {TECHNOLOGIES_DB}: run .venv/bin/python bench/technologies.py first")
    with tempfile.TemporaryDirectory() as tmp:
        url = _prepare(args.db, Path(tmp))
        port = _free_port()
        BASE = f"http://127.0.0.1:{port}"
        server = _serve(url, port)
        try:
            login = httpx.post(f"{BASE}/api/v1/auth/login", json={"username": USER, "password": PASSWORD})
            login.raise_for_status()
            COOKIES.update(dict(login.cookies))
            CSRF["token"] = login.json()["csrf_token"]
            _report(args.requests, kinds)
            print(f"reproduce: .venv/bin/python bench/load.py {' '.join(sys.argv[1:])}".rstrip())
        finally:
            server.terminate()
            server.wait(timeout=30)


def _report(requests: int, kinds: dict[str, Call]) -> None:
    print(f"{'kind':<11} {'threads':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}", flush=True)
    for name, call in kinds.items():
        with httpx.Client(base_url=BASE, cookies=COOKIES, timeout=600) as client:
            started = time.perf_counter()
            status = call(client, 0)  # warm-up: the first match loads the index and models
            warm = time.perf_counter() - started
            print(f"{name:<11} warm-up {warm * 1000:.0f} ms, status {status}", flush=True)
        for level in LEVELS:
            rate, p50, p99, errors = _run(level, requests, call)
            print(f"{name:<11} {level:>7} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f} {errors:>6}", flush=True)


if __name__ == "__main__":
    main()
