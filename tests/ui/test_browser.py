"""End to end in a real browser: `studykb serve` on the sample corpus, driven by headless Chromium."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

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
