"""Take the README screenshots (docs/search.png; with --all every page, desktop and phone) from a running
`studykb serve`.

Example: python docs/screenshot.py --url http://127.0.0.1:8501/ --query 中国式现代化的本质要求 --all

For --all, serve a data dir made from the sample corpus (`studykb ingest corpus --data-dir DIR`) and
prepared once with `--prepare DIR` (demo activity, a published reading list).
"""

from __future__ import annotations

import argparse
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = "() => !document.querySelector('[data-stale=true]')"


@contextmanager
def browser_page(width: int, height: int) -> Iterator[Any]:
    """A Playwright page of the given viewport in Debian's headless Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium on PATH: apt-get install chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def save_when_idle(page: Any, out: Path) -> Path:
    """Wait until Streamlit has finished rerunning, let fonts settle, and save the viewport as `out`."""
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_timeout(1500)  # let fonts and badges settle
    page.screenshot(path=str(out))
    return out


#: (name, viewport) of the screenshots taken with --all.
VIEWPORTS = {"desktop": (1400, 1000), "phone": (390, 844)}


def prepare(data_dir: Path, query: str) -> None:
    """Give a freshly ingested data dir what the screenshots show: the labelled demo activity
    (【示例】 units and visits, `studykb demo load`) and a published reading list of the first three
    passages found for `query`."""
    from activity.demo import load_demo
    from lists.records import anchor_for_hit
    from lists.store import add_item, create_list, get_list, publish
    from search.engine import Engine
    from sites.store import ensure_loaded
    from studykb.auth import User
    from studykb.db import connect

    conn = connect(data_dir / "studykb.db")
    ensure_loaded(conn)
    load_demo(conn)
    operator = User(0, "cli:screenshots", "maintainer")
    made = create_list(conn, operator, "【示例】二十大精神专题学习", description="三段原文，两周内读完。",
                       audience="第三党支部全体党员")
    for hit in Engine.open(data_dir).search(query, k=3).hits:
        add_item(conn, operator, made.id, anchor_for_hit(hit))
    publish(conn, operator, made.id, get_list(conn, operator, made.id).revision)


def every_page(url: str, query: str, out_dir: Path) -> list[Path]:
    """Search results, the PDF reader, the whole-document reader, reading lists, the map, 原文核对 and
    学习统计, each at desktop and phone width, saved as `out_dir/<page>-<viewport>.png`. Views open by
    their links."""
    from urllib.parse import quote

    from quotes_screenshot import DRAFT

    shots: list[Path] = []
    for view, (width, height) in VIEWPORTS.items():
        with browser_page(width, height) as page:
            targets = [("search", f"{url}?q={quote(query)}", "阅读原文"),
                       ("lists", f"{url}lists", "阅读清单"), ("sites", f"{url}sites", "学习地图"),
                       ("stats", f"{url}stats", "月度趋势")]
            for name, target, ready in targets:
                page.goto(target)
                page.get_by_text(ready).first.wait_for(timeout=180_000)
                page.wait_for_timeout(3000 if name in ("sites", "stats") else 1000)  # maps and charts
                shots.append(save_when_idle(page, out_dir / f"{name}-{view}.png"))
                if name == "search":  # the readers: the first PDF hit, then a whole Markdown document
                    glossary = f"{url}?q={quote('中国式现代化')}"
                    readers = (("reader-pdf", target, r"第\d+(–\d+)?页"),
                               ("reader-document", glossary, "时政术语学习小词典"))
                    for reader, where, pick in readers:
                        page.goto(where)
                        card = page.get_by_text(re.compile(pick)).first
                        card.wait_for(timeout=120_000)
                        box = card.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
                        box.get_by_role("button", name=re.compile("阅读原文")).first.click()
                        page.get_by_text("返回检索结果").first.wait_for(timeout=60_000)
                        page.wait_for_timeout(1000)
                        shots.append(save_when_idle(page, out_dir / f"{reader}-{view}.png"))
            page.goto(f"{url}quotes")
            page.get_by_label("文稿", exact=True).fill(DRAFT)
            page.get_by_role("button", name="核对引文").click()
            page.get_by_text("在阅读器中打开原文").first.wait_for(timeout=120_000)
            shots.append(save_when_idle(page, out_dir / f"quotes-{view}.png"))
    return shots


def screenshot(url: str, query: str, out: Path, width: int = 1400, height: int = 1000) -> Path:
    """Open `url` in headless Chromium, search for `query` and save the visible page as `out` (PNG)."""
    with browser_page(width, height) as page:
        page.goto(url)
        box = page.locator("input[aria-label='检索']")
        box.wait_for(timeout=180_000)
        box.fill(query)
        box.press("Enter")
        page.get_by_text(re.compile(r"第\d+(–\d+)?页")).first.wait_for(timeout=120_000)
        return save_when_idle(page, out)


def main() -> None:
    """Parse the command line and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501/")
    parser.add_argument("--query", default="中国式现代化的本质要求")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("search.png"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--all", action="store_true", help="every page, desktop and phone, into docs/")
    parser.add_argument("--prepare", type=Path, metavar="DATA_DIR",
                        help="first add the demo activity and a published reading list to DATA_DIR")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.query)
    if args.all:
        for shot in every_page(args.url, args.query, args.out.parent):
            print(shot)
        return
    print(screenshot(args.url, args.query, args.out, args.width, args.height))


if __name__ == "__main__":
    main()
