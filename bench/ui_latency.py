"""What a reader waits for in the browser: Enter → result cards, and the first page, on a warm server.

Starts `studykb serve` on the sample corpus (ingested once with the default model into the bench cache,
or --data-dir), drives headless Chromium (Debian's `chromium`, Playwright) and times, in the page's own
clock (`performance.now()`), from the Enter key to:

- **cards**: the first card of the new results is on screen (a card key not on the page before);
- **settled**: the rerun is over (no stale element left, Streamlit's status widget gone).

Each query is new to the server (no cached answer). Also printed: the engine's own time for the same
queries (`Engine.search`, in this process), the app's script run for a search without a browser
(`streamlit.testing.v1.AppTest`), so that the browser figure splits into engine, Streamlit rerun and
transport + rendering; and the **first page**: a new tab opening `/?q=…` until its first card shows
(the server warm, the browser tab new).

Usage: python bench/ui_latency.py [--queries 40] [--data-dir DIR] [--app-root DIR] [--json out.json]
                                  [-- STREAMLIT OPTIONS]

Options after `--` go to `studykb serve` (e.g. `-- --runner.postScriptGC true` measures the app with
Streamlit's post-run garbage collection, which `ui/launch.py` turns off). `--app-root` serves another
checkout of studykb (e.g. an older commit from `git archive`) to compare versions on the same machine;
its result cards must carry the `card-…` container keys this bench looks for (ui/render.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common import ROOT, cache_dir, emit, percentile

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Targets of issue 16 (on a warm server): Enter → cards median, first page median.
TARGET_CARDS_MS = 150.0
TARGET_FIRST_PAGE_S = 1.5
#: Marks the cards on the page, then presses Enter in the search box, in the page itself (the clock
#: starts with the key, not with the test driver's round trip).
_ENTER = """() => { window.__old = new Set(Array.from(document.querySelectorAll('[class*="st-key-card-"]'))
  .map(e => [...e.classList].find(c => c.startsWith('st-key-card-'))));
  const box = document.querySelector("input[aria-label='检索']");
  window.__t0 = performance.now();
  box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true}));
}"""
#: True once a card not on the page before Enter is drawn with its buttons.
_NEW_CARD = """() => Array.from(document.querySelectorAll('[class*="st-key-card-"]')).some(e =>
  !window.__old.has([...e.classList].find(c => c.startsWith('st-key-card-'))) && e.querySelector('button'))
  && (window.__t1 = performance.now())"""
_SETTLED = """() => !document.querySelector('[data-stale=true]')
  && !document.querySelector('[data-testid=stStatusWidget]') && (window.__t2 = performance.now())"""


def questions(n: int) -> list[str]:
    """`n` different Chinese questions (bench/questions/paraphrase.jsonl, then keyword pairs)."""
    lines = (ROOT / "bench" / "questions" / "paraphrase.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(line)["question"] for line in lines if line.strip()]
    words = ["党建", "基层治理", "主题教育", "调查研究", "乡村振兴", "枫桥经验", "群众路线", "党课", "廉洁"]
    out += [f"{a} {b}" for a in words for b in words if a != b]
    return out[:n]


def sample_data_dir() -> Path:
    """The sample corpus ingested with the default model, kept in the bench cache."""
    data = cache_dir() / "ui-sample"
    if not (data / "CURRENT").exists():
        subprocess.run([sys.executable, "-m", "studykb_cli", "ingest", str(ROOT / "corpus"), "--data-dir",
                        str(data)], cwd=ROOT, check=True, capture_output=True)
    return data


@contextmanager
def serving(data: Path, options: list[str], root: Path = ROOT) -> Iterator[str]:
    """`studykb serve` of the checkout at `root` on a free port, with further Streamlit `options`;
    yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "studykb_cli", "serve", "--data-dir", str(data), "--port", str(port),
               *options]
    proc = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def browser_figures(url: str, queries: list[str], first_pages: list[str]) -> dict[str, Any]:
    """Enter → cards and → settled for each query (one tab), then first pages (a new tab each)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium on PATH: apt-get install chromium")
    cards: list[float] = []
    settled: list[float] = []
    first: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t0 = time.perf_counter()
            page.goto(url + "?q=" + quote("学习"))
            page.locator('[class*="st-key-card-"] button').first.wait_for(timeout=300_000)
            cold = time.perf_counter() - t0
            box = page.locator("input[aria-label='检索']")
            for i, query in enumerate(queries):
                page.wait_for_function(_SETTLED, timeout=60_000)
                box.fill(query)
                page.evaluate(_ENTER)
                page.wait_for_function(_NEW_CARD, polling="raf", timeout=60_000)
                page.wait_for_function(_SETTLED, polling="raf", timeout=60_000)
                t = page.evaluate("() => [window.__t1 - window.__t0, window.__t2 - window.__t0]")
                if i >= 2:  # the first two warm the browser side (fonts, code paths)
                    cards.append(t[0])
                    settled.append(t[1])
            page.close()
            for query in first_pages:
                tab = browser.new_page(viewport={"width": 1400, "height": 1000})
                t0 = time.perf_counter()
                tab.goto(url + "?q=" + quote(query))
                tab.locator('[class*="st-key-card-"] button').first.wait_for(timeout=60_000)
                first.append(time.perf_counter() - t0)
                tab.close()
        finally:
            browser.close()
    return {
        "first_load_cold_s": cold,
        "enter_to_cards_median_ms": statistics.median(cards),
        "enter_to_cards_p90_ms": percentile(cards, 90),
        "enter_to_settled_median_ms": statistics.median(settled),
        "enter_to_settled_p90_ms": percentile(settled, 90),
        "first_page_warm_median_s": statistics.median(first),
        "first_page_warm_max_s": max(first),
    }


def engine_ms(data: Path, queries: list[str]) -> float:
    """Median ms of `Engine.search(query, k=10)` over `queries`, after one warm-up query."""
    from search.engine import Engine

    engine = Engine.open(data)
    engine.search("学习")
    times = []
    for query in queries:
        t0 = time.perf_counter()
        engine.search(query, k=10)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def script_ms(data: Path, queries: list[str]) -> float:
    """Median ms of one run of the app's script for a search (AppTest: no browser, no websocket)."""
    from streamlit.testing.v1 import AppTest

    os.environ["STUDYKB_DATA_DIR"] = str(data)
    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=300)
    at.run()
    at.text_input(key="q").input("学习").run()
    times = []
    for query in queries:
        at.text_input(key="q").input(query)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    """Parse the command line, measure, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the studykb checkout to serve")
    parser.add_argument("options", nargs="*", help="Streamlit options for `studykb serve` (after --)")
    args = parser.parse_args()
    data = args.data_dir or sample_data_dir()
    every = questions(args.queries + 2 + 5 + 2 * args.queries)
    browse, first_pages = every[: args.queries + 2], every[args.queries + 2: args.queries + 7]
    others = every[args.queries + 7:]  # new to the engine and the app's cache alike
    with serving(data, args.options, args.app_root.resolve()) as url:
        figures = browser_figures(url, browse, first_pages)
    figures["engine_search_median_ms"] = engine_ms(data, others[: args.queries])
    figures["app_script_run_median_ms"] = script_ms(data, others[args.queries:])
    figures["queries"] = args.queries
    figures["app_root"] = str(args.app_root)
    figures["serve_options"] = " ".join(args.options) or "(defaults of ui/launch.py)"
    figures["target_enter_to_cards_ms"] = TARGET_CARDS_MS
    figures["target_first_page_s"] = TARGET_FIRST_PAGE_S
    figures["load_average_1min"] = os.getloadavg()[0]  # a shared machine: other work slows every figure
    emit("ui latency (browser, warm server)", figures, args.json)


if __name__ == "__main__":
    main()
