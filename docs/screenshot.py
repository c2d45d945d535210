"""Take the README screenshot of the search page (docs/search.png) from a running `studykb serve`.

Example: python docs/screenshot.py --url http://127.0.0.1:8501/ --query 中国式现代化的本质要求
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


def screenshot(url: str, query: str, out: Path, width: int = 1400, height: int = 1000) -> Path:
    """Open `url` in headless Chromium, search for `query` and save the visible page as `out` (PNG)."""
    with browser_page(width, height) as page:
        page.goto(url)
        box = page.get_by_placeholder(re.compile("^输入关键词"))
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
    args = parser.parse_args()
    print(screenshot(args.url, args.query, args.out, args.width, args.height))


if __name__ == "__main__":
    main()
