"""The web application in real headless Chromium (Debian's, never a downloaded one).

One server (uvicorn in a thread, loopback, a free port) on a seeded SQLite database with a matching
index, one browser, for the whole module. Set ``TECHBRIDGE_TOUR_DIR=docs/tour`` to refresh the
screenshots of the tour; otherwise they are written to a temporary folder.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")

import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.services.matching import build_index
from techbridge.storage.db import make_engine, migrate
from tests.web.world import PASSWORD, seed_world

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
TABLET: ViewportSize = {"width": 1024, "height": 1366}
COOP = "coop-p2026-r1-need-kodaco-diecast"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the seeded, indexed app on 127.0.0.1 from a background thread; yield its address."""
    folder = tmp_path_factory.mktemp("browser")
    settings = Settings(database_url=f"sqlite:///{folder / 'web.db'}", index_dir=folder / "index")
    engine = make_engine(settings)
    migrate(engine)
    seed_world(engine)
    engine.dispose()
    build_index(settings)
    app = create_app(settings)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``TECHBRIDGE_TOUR_DIR`` or a temporary folder."""
    named = os.environ.get("TECHBRIDGE_TOUR_DIR")
    folder = Path(named) if named else tmp_path_factory.mktemp("tour")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(browser: Browser, server: str, user: str, viewport: ViewportSize = LAPTOP) -> Page:
    context = browser.new_context(viewport=viewport, base_url=server, locale="ko-KR")
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    return page


def _shot(page: Page, tour: Path, name: str, full: bool = True) -> None:
    page.screenshot(path=str(tour / f"{name}.png"), full_page=full)


def test_each_role_signs_in_to_its_dashboard(browser: Browser, server: str, tour: Path) -> None:
    context = browser.new_context(viewport=LAPTOP, base_url=server)
    login = context.new_page()
    login.goto("/login")
    _shot(login, tour, "01-login", full=False)
    context.close()
    expected = {"admin": "관리자", "manager": "사업 관리자", "company": "기업 담당자",
                "institute": "기관 기술이전 담당자", "viewer": "열람자"}  # fmt: skip
    for user, label in expected.items():
        page = _page(browser, server, user)
        assert page.inner_text("[data-testid=role]") == label
        if user in ("manager", "institute", "company"):
            _shot(page, tour, f"02-dashboard-{user}")
        page.context.close()


def test_a_company_enters_a_need_and_sees_explained_matches(
    browser: Browser, server: str, tour: Path
) -> None:
    page = _page(browser, server, "company")
    page.click("text=+ 수요 등록")
    page.fill("input[name=key]", "need-lms-optics")
    page.fill("input[name=title]", "라이다 센서용 광학 렌즈 소재 공동개발")
    page.fill(
        "textarea[name=description]",
        "자율주행 라이다 센서에 쓰는 고굴절 광학 렌즈 소재를 개발하고 양산합니다.",
    )
    page.fill("input[name=codes]", "G02B")
    _shot(page, tour, "03-need-entry")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("[data-testid=match]")
    assert "한국기계연구원" in page.inner_text(".matches")
    assert page.locator(".why .bar").count() > 0
    assert page.locator(".evidence li").count() > 0
    _shot(page, tour, "04-need-matches")
    page.context.close()


def test_a_manager_moves_a_cooperation_through_the_pipeline(
    browser: Browser, server: str, tour: Path
) -> None:
    page = _page(browser, server, "manager")
    page.goto("/rounds/p2026/r1")
    _shot(page, tour, "05-assignment-board")
    page.goto("/pipeline")
    card = f"[data-testid=card-{COOP}]"
    for column in ("introduced", "joint_planning"):
        page.click(f"{card} button[type=submit]")
        page.wait_for_selector(f"[data-testid=column-{column}] {card}")
    _shot(page, tour, "06-pipeline")
    page.click(f"{card} .coop-title")
    form = page.locator("[data-testid=agreement-form]")
    form.locator("input[name=title]").fill("공동연구 협약")
    form.locator("input[name=amount]").fill("3.5억원")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=stage]:has-text('협약 체결')")
    _shot(page, tour, "07-cooperation")
    page.context.close()


def test_the_kpi_dashboard_in_both_languages(browser: Browser, server: str, tour: Path) -> None:
    page = _page(browser, server, "viewer")
    page.goto("/kpis?program=p2026")
    assert page.locator(".chart svg").count() >= 1
    _shot(page, tour, "08-kpis")
    page.click("text=EN")
    page.wait_for_selector("h1:has-text('Key performance indicators')")
    assert page.input_value("select[name=program]") == "p2026"
    _shot(page, tour, "09-kpis-english")
    page.context.close()


def test_tablet_layout_and_confidentiality(browser: Browser, server: str, tour: Path) -> None:
    page = _page(browser, server, "institute", TABLET)
    page.goto("/needs")
    text = page.inner_text("main")
    assert "다이캐스팅 알루미늄 차체 부품" in text and "라이다 광학소재 국산화" not in text
    _shot(page, tour, "10-tablet-needs-institute")
    page.context.close()
    page = _page(browser, server, "manager", TABLET)
    page.goto("/pipeline")
    _shot(page, tour, "11-tablet-pipeline")
    page.context.close()


def test_consortium_builder_and_cluster_map(browser: Browser, server: str, tour: Path) -> None:
    page = _page(browser, server, "institute")
    page.goto("/consortia")
    page.fill("textarea[name=need]", "라이다 광학소재 양산, 다이캐스팅 합금, 생산공정 최적화")
    page.fill("input[name=size]", "3")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("[data-testid=coverage]")
    assert "한국기계연구원" in page.inner_text("main")
    _shot(page, tour, "12-consortium-builder")
    page.goto("/clusters?show=true&k=2")
    assert page.locator(".chart svg circle").count() >= 4
    _shot(page, tour, "13-cluster-map")
    page.context.close()
