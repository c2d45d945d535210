"""End to end in a real browser: `studykb serve` on the sample corpus, driven by headless Chromium."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from studykb.layout import DataDir
from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: apt-get install chromium"),
]


def _studykb(*args: str) -> list[str]:
    """The command line running `studykb ARGS` with this interpreter's installation."""
    return [sys.executable, "-m", "studykb_cli", *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"studykb serve exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"studykb serve did not open port {port} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the sample corpus `corpus/` indexed with the offline model."""
    data = tmp_path_factory.mktemp("browser") / "data"
    command = _studykb("ingest", str(ROOT / "corpus"), "--data-dir", str(data), "--model", "minilm")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    # A file the extractors cannot read yet fails alone (exit 3); the rest is published and searchable.
    assert DataDir(data).current() is not None, done.stdout + done.stderr
    return data


@pytest.fixture
def server(sample_index: Path, tmp_path: Path) -> Iterator[str]:
    """`studykb serve` on a free port; yields its URL and stops it afterwards."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(_studykb("serve", "--data-dir", str(sample_index), "--port", str(port)),
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)
        log.close()


def test_a_chinese_query_in_chromium_shows_a_result_with_a_page_citation(server: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server)
            box = page.get_by_placeholder(re.compile("^输入关键词"))
            box.wait_for(timeout=180_000)  # the first visit loads the index and the model
            box.fill("中国式现代化的本质要求")
            box.press("Enter")
            citation = page.get_by_text(re.compile(r"第\d+(–\d+)?页")).first
            citation.wait_for(timeout=120_000)
            card = citation.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
            # Streamlit streams a card's elements in: wait for its buttons, not only its citation.
            card.get_by_role("button", name=re.compile("阅读原文")).wait_for(timeout=60_000)
            assert "阅读原文" in card.inner_text()
            page.screenshot(path=str(tmp_path / "search.png"))
        finally:
            browser.close()
    assert (tmp_path / "search.png").stat().st_size > 10_000


PASSWORD = "correct-horse-42"


@pytest.fixture
def organiser(sample_index: Path) -> str:
    """An organiser account with a password in the served data dir (its name is returned)."""
    from studykb import auth
    from studykb.db import connect

    conn = connect(sample_index / "studykb.db")
    try:
        if auth.get_user(conn, "wangfang") is None:
            auth.add_user(conn, "wangfang", PASSWORD, "organiser", display_name="王芳")
    finally:
        conn.close()
    return "wangfang"


def _browser(pw):  # type: ignore[no-untyped-def]
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _box(page):  # type: ignore[no-untyped-def]
    """The search box (found by its label, which stays when the placeholder changes)."""
    box = page.locator("input[aria-label='检索']")
    box.wait_for(timeout=180_000)
    return box


def _search(page, query: str) -> None:  # type: ignore[no-untyped-def]
    box = _box(page)
    box.fill(query)
    box.press("Enter")
    page.get_by_role("button", name=re.compile("阅读原文")).first.wait_for(timeout=120_000)
    page.wait_for_load_state("networkidle")


def _settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app has finished its rerun (Streamlit shows a status widget while it runs)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=60_000)
    page.wait_for_timeout(300)


def _n_cards(page, expected: int | None = None) -> int:  # type: ignore[no-untyped-def]
    """The number of result cards, once Streamlit has streamed in `expected` of them (or 30 s passed)."""
    buttons = page.get_by_role("button", name=re.compile("阅读原文"))
    for _ in range(60):
        if expected is None or buttons.count() >= expected:
            break
        page.wait_for_timeout(500)
    return int(buttons.count())


def test_reader_next_page_and_back_keeps_the_query_and_more_keeps_the_results(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    query = "中国式现代化的本质要求"
    with sync_api.sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server)
            _search(page, query)
            first = _n_cards(page, 10)
            assert first == 10
            pdf_card = page.get_by_text(re.compile(r"第\d+(–\d+)?页")).first.locator(
                "xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
            pdf_card.get_by_role("button", name=re.compile("阅读原文")).click()
            page.get_by_role("button", name=re.compile("下一页")).click()
            _settled(page)
            page.get_by_role("button", name=re.compile("返回检索结果")).click()
            _settled(page)
            assert _box(page).input_value() == query
            assert _n_cards(page, first) == first
            page.get_by_role("button", name=re.compile("显示更多结果")).click()
            _settled(page)
            assert _box(page).input_value() == query
            assert _n_cards(page, first + 1) > first
        finally:
            browser.close()


def test_an_organiser_still_logged_in_after_a_reload_adds_two_passages_in_a_row(server: str,
                                                                                organiser: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server)
            _box(page)
            sidebar = page.locator("[data-testid='stSidebar']")
            sidebar.get_by_text("登录", exact=True).first.click()
            sidebar.get_by_label("用户名").fill(organiser)
            sidebar.get_by_label("密码").fill(PASSWORD)
            sidebar.get_by_role("button", name="登录").click()
            sidebar.get_by_text(re.compile("已登录")).wait_for(timeout=60_000)
            _settled(page)
            page.reload()  # the login survives a reload (the session cookie)
            _box(page)
            sidebar.get_by_text(re.compile("已登录：王芳")).wait_for(timeout=60_000)
            _search(page, "两个确立")
            adds = page.get_by_role("button", name="＋ 本段")
            toasts = page.locator("[data-testid='stToast']")
            said = []
            for i in (2, 3, 2):  # results 3 and 4, then result 3 again
                adds.nth(i).click()
                toasts.first.wait_for(timeout=30_000)
                said.append(toasts.first.inner_text())
                toasts.first.wait_for(state="detached", timeout=30_000)  # one toast at a time
            assert "已将该段落加入" in said[0] and "已将该段落加入" in said[1], said
            assert "已在清单" in said[2], said
            assert not any("输入有误" in s for s in said), said
        finally:
            browser.close()


@contextmanager
def _opened(url: str, width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A Chromium page of this viewport at `url`, once its first result card is drawn."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            page.get_by_role("button", name=re.compile("阅读原文")).first.wait_for(timeout=180_000)
            yield page
        finally:
            browser.close()


def test_the_url_holds_the_query_page_and_open_passage_across_reloads(server: str) -> None:
    with _opened(server + "?q=浦江经验") as page:  # a shared link opens with results
        assert _box(page).input_value() == "浦江经验"
        _search(page, "中国式现代化的本质要求")
        page.get_by_role("button", name=re.compile("显示更多结果")).click()
        _settled(page)
        assert _n_cards(page, 20) == 20
        assert "n=20" in page.url
        page.reload()
        page.get_by_role("button", name=re.compile("阅读原文")).first.wait_for(timeout=120_000)
        _settled(page)
        assert _box(page).input_value() == "中国式现代化的本质要求"
        assert _n_cards(page, 20) == 20
        page.get_by_role("button", name=re.compile("阅读原文")).first.click()
        page.get_by_role("button", name=re.compile("返回检索结果")).wait_for(timeout=60_000)
        _settled(page)
        assert "read=" in page.url
        page.reload()  # the reader reopens at the same passage
        page.get_by_role("button", name=re.compile("返回检索结果")).wait_for(timeout=120_000)
        _settled(page)
        page.get_by_role("button", name=re.compile("返回检索结果")).click()
        _settled(page)
        assert _box(page).input_value() == "中国式现代化的本质要求"
        assert _n_cards(page, 20) == 20 and "read=" not in page.url


def test_on_a_phone_the_header_is_one_bar_and_the_filters_open_from_its_button(server: str) -> None:
    with _opened(server + "?q=浦江经验&f_from=2023", 390, 844) as page:
        _settled(page)
        button = page.locator("[data-testid='stExpandSidebarButton']")
        label = button.evaluate("b => getComputedStyle(b, '::after').content")
        assert label == '"筛选 · 1"'  # one filter (the date) is set
        at = button.bounding_box()
        title = page.get_by_role("heading", name="学习资料检索").bounding_box()
        assert at and title and at["y"] < 60 and title["y"] < 60  # one bar: button and title
        assert title["x"] >= at["x"] + at["width"]  # the title beside the button, not under it
        assert _box(page).bounding_box()["y"] < 90  # the search box right below the bar
        card = page.get_by_text(re.compile("浦江经验")).nth(1).locator(
            "xpath=ancestor::div[@data-testid='stVerticalBlock'][1]").bounding_box()
        assert card and card["width"] >= 340  # a card uses the width of the phone
        button.click()
        dates = page.locator("[data-testid='stSidebar']").get_by_text("日期", exact=True)
        dates.wait_for(timeout=30_000)
        where = dates.bounding_box()
        assert where and 0 < where["y"] < 844  # the filters are on the first screen of the panel
