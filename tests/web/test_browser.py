"""The web application in real headless Chromium (Debian's, never a downloaded one).

One server (uvicorn in a thread, loopback, a free port) on a seeded SQLite database with a matching
index, one browser, for the whole module. Set ``TECHBRIDGE_TOUR_DIR=docs/tour`` to refresh the
screenshots of the tour; otherwise they are written to a temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.domain.cooperation import PIPELINE, Stage
from techbridge.services.accounts import Grant, create_user
from techbridge.services.actor import operator
from techbridge.services.cooperations.pipeline import CooperationView, get_cooperation
from techbridge.services.core import Core
from techbridge.services.matching.match import build_index
from techbridge.services.models import Models
from techbridge.storage.db import make_engine, migrate, transaction
from tests.serving import serving
from tests.web.world import PASSWORD, seed_world

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
TABLET: ViewportSize = {"width": 1024, "height": 1366}
COOP = "coop-p2026-r1-need-kodaco-diecast"
_REFUSED: list[str] = []  # what the pages' Content-Security-Policy refused (web/headers.py)


@pytest.fixture(autouse=True)
def _nothing_refused_by_the_policy() -> Iterator[None]:
    """Every test fails if the browser refused a script, style or other resource of a page."""
    _REFUSED.clear()
    yield
    assert _REFUSED == []


def _watched(page: Page) -> Page:
    def note(message: ConsoleMessage) -> None:
        if "Security Policy" in message.text:
            _REFUSED.append(message.text)

    page.on("console", note)
    return page


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of the served database: seeded, with a matching index (tests read it back)."""
    folder = tmp_path_factory.mktemp("browser")
    settings = Settings(database_url=f"sqlite:///{folder / 'web.db'}", index_dir=folder / "index")
    engine = make_engine(settings)
    migrate(engine)
    seed_world(engine)
    build_index(Core(settings, engine, Models(settings)), operator("test"))
    engine.dispose()
    return settings


@pytest.fixture(scope="module")
def server(served: Settings) -> Iterator[str]:
    """Serve the seeded, indexed app on 127.0.0.1 from a background thread; yield its address."""
    app = create_app(served)
    try:
        with serving(app) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        app.state.core.close()


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


def _page(
    browser: Browser, server: str, user: str, viewport: ViewportSize = LAPTOP, touch: bool = False
) -> Page:
    context = browser.new_context(viewport=viewport, base_url=server, locale="ko-KR", has_touch=touch)
    page = _watched(context.new_page())
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
    login = _watched(context.new_page())
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


def test_a_given_password_is_changed_first_then_the_dashboard_opens(
    browser: Browser, server: str, served: Settings
) -> None:
    engine = make_engine(served)
    with transaction(engine) as session:
        grant = [Grant("viewer")]
        create_user(session, "newcomer", PASSWORD, grants=grant, must_change_password=True)
    engine.dispose()
    page = _watched(browser.new_context(viewport=LAPTOP, base_url=server, locale="ko-KR").new_page())
    page.goto("/login")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/auth/password")
    assert page.is_visible("[data-testid=must-change]")
    page.goto("/needs")
    page.wait_for_url(f"{server}/auth/password")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "새로 정한 비밀번호 2026")
    page.fill("input[name=repeated_password]", "새로 정한 비밀번호 2026")
    page.click("form[action='/auth/password'] button[type=submit]")
    page.wait_for_url(f"{server}/")
    assert page.inner_text("[data-testid=role]") == "열람자"
    page.goto("/needs")
    assert page.url == f"{server}/needs"


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
    bar = page.locator("[data-testid=match] .score .bar span").first.bounding_box()
    assert bar is not None and bar["width"] > 0  # sized by its w… class, not a style attribute
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


def _centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 40)


def _drag(page: Page, card: str, stage: str, shot: Path | None = None) -> None:
    """Drag ``card`` by mouse (press, move in steps, release) onto the column of ``stage``."""
    page.mouse.move(*_centre(page, f"{card} .members"))
    page.mouse.down()
    page.mouse.move(*_centre(page, f"[data-testid=column-{stage}] h2"), steps=8)
    if shot is not None:
        page.screenshot(path=str(shot))
    page.mouse.up()


def _touch_drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag with one finger, as a tablet does (Chromium turns touches into pointer events)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]}
    )
    for step in range(1, 11):
        x = start[0] + (end[0] - start[0]) * step / 10
        y = start[1] + (end[1] - start[1]) * step / 10
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def _stored(settings: Settings, key: str) -> CooperationView:
    with Core.open(settings, create=False) as core:
        return get_cooperation(core, operator("test"), key)


HOUSING = "coop-lms-housing"  # the company's own cooperation, seeded at "introduced"
HOUSING_CARD = f"[data-testid=card-{HOUSING}]"


def test_a_member_drags_a_card_to_the_next_stage_and_an_illegal_drop_is_refused(
    browser: Browser, server: str, served: Settings, tour: Path
) -> None:
    page = _page(browser, server, "company")
    page.goto("/pipeline")
    assert page.locator(f"[data-testid=column-introduced] {HOUSING_CARD}").count() == 1
    _drag(page, HOUSING_CARD, "joint_planning", shot=tour / "06b-pipeline-drag.png")
    page.wait_for_selector(f"[data-testid=column-joint_planning] {HOUSING_CARD}:not(.pending)")
    assert "센서 하우징 경량 소재" in page.inner_text("[data-testid=board-status]")
    assert page.url == f"{server}/pipeline"  # moved in place, no page load
    stored = _stored(served, HOUSING)
    assert stored.stage == "joint_planning" and stored.history[-1].actor == "company"
    assert page.inner_text("[data-testid=column-joint_planning] .count") == "1"

    _drag(page, HOUSING_CARD, "rnd_under_way")  # two stages ahead: only a manager may, with a reason
    error = page.locator("[data-testid=board-error]")
    error.wait_for(state="visible")
    assert "cannot move from joint_planning to rnd_under_way" in error.inner_text()
    page.wait_for_selector(f"[data-testid=column-joint_planning] {HOUSING_CARD}:not(.pending)")
    assert page.locator(f"[data-testid=column-rnd_under_way] {HOUSING_CARD}").count() == 0
    after = _stored(served, HOUSING)
    assert after.stage == "joint_planning" and len(after.history) == len(stored.history)
    page.context.close()


def test_a_manager_drag_asks_for_a_reason_to_override_or_drop(
    browser: Browser, server: str, served: Settings
) -> None:
    page = _page(browser, server, "manager")
    page.goto("/pipeline")
    before = _stored(served, HOUSING)
    dialog = page.locator("[data-testid=move-dialog]")
    _drag(page, HOUSING_CARD, "dropped")
    dialog.wait_for(state="visible")
    dialog.locator("button[value=cancel]").click()  # thought better of it: the card goes back
    page.wait_for_selector(f"[data-testid=column-{before.stage}] {HOUSING_CARD}:not(.pending)")
    assert _stored(served, HOUSING).history == before.history

    back = PIPELINE[PIPELINE.index(Stage(before.stage)) - 1]  # one stage back: an override
    _drag(page, HOUSING_CARD, back)
    dialog.wait_for(state="visible")
    dialog.locator("button[value=move]").click()  # an empty reason is not sent
    assert dialog.is_visible()
    dialog.locator("input[name=reason]").fill("기획서 보완 필요")
    dialog.locator("button[value=move]").click()
    page.wait_for_selector(f"[data-testid=column-{back}] {HOUSING_CARD}:not(.pending)")
    step = _stored(served, HOUSING).history[-1]
    assert (step.to_stage, step.actor, step.reason, step.is_override) == (
        back,
        "manager",
        "기획서 보완 필요",
        True,
    )
    page.context.close()


def test_a_card_is_dragged_by_touch_on_a_tablet(browser: Browser, server: str, served: Settings) -> None:
    page = _page(browser, server, "company", TABLET, touch=True)
    page.goto("/pipeline")
    before = _stored(served, HOUSING)
    after = page.get_attribute(HOUSING_CARD, "data-next-stage")
    assert after and after == PIPELINE[PIPELINE.index(Stage(before.stage)) + 1]
    target = _centre(page, f"[data-testid=column-{after}] h2")
    # A finger elsewhere on the card is the browser's (a pan, here a swipe back in history): no move.
    _touch_drag(page, _centre(page, f"{HOUSING_CARD} .members"), target)
    page.wait_for_timeout(300)
    assert _stored(served, HOUSING).history == before.history
    page.goto("/pipeline")
    _touch_drag(page, _centre(page, f"{HOUSING_CARD} .drag-handle"), target)  # on the handle it drags
    page.wait_for_selector(f"[data-testid=column-{after}] {HOUSING_CARD}:not(.pending)")
    assert _stored(served, HOUSING).stage == after
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


def test_an_import_s_job_page_refreshes_itself_until_the_summary(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    """The upload leads to the job's page, which reloads itself (no script) until the job has ended."""
    page = _page(browser, server, "manager")
    page.goto("/needs/import")
    page.select_option("select[name=entity]", "organization")
    path = tmp_path / "기관.csv"
    path.write_text("name,kind,country\n브라우저기관,company,KR\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(path))
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{server}/jobs/*")
    page.wait_for_selector("[data-testid=import-summary]", timeout=120_000)
    assert page.locator("[data-testid=job]").get_attribute("data-status") == "succeeded"
    assert page.locator("[data-testid=job-status]").inner_text() == "완료"
    page.context.close()
