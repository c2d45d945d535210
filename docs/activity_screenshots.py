"""Take the README screenshots of the study-activity pages (docs/heatmap.png, docs/dashboard.png)
from a running `studykb serve` over a data dir with the demo set (`studykb demo load`).

Example: python docs/activity_screenshots.py --url http://127.0.0.1:8501/
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from screenshot import CHROMIUM_ARGS, IDLE

HERE = Path(__file__).resolve().parent


def shoot(url: str, width: int = 1400, height: int = 1900) -> list[Path]:
    """Open 学习地图 and 学习统计 in headless Chromium and save each visible page as PNG."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium on PATH: apt-get install chromium")
    out: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            for path, marker, name in (("sites", "各区县学习活动排名", "heatmap.png"),
                                       ("stats", "调研课题主题分布", "dashboard.png")):
                page.goto(url.rstrip("/") + "/" + path)
                page.get_by_text(marker).first.wait_for(timeout=180_000)
                page.wait_for_function(IDLE, timeout=60_000)
                page.locator("canvas").first.wait_for(timeout=60_000)  # the map (or a chart) is drawn
                page.wait_for_timeout(6000)  # deck.gl and Vega draw after the page settles
                page.screenshot(path=str(HERE / name))
                out.append(HERE / name)
        finally:
            browser.close()
    return out


def main() -> None:
    """Parse the command line and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501/")
    args = parser.parse_args()
    for path in shoot(args.url):
        print(path)


if __name__ == "__main__":
    main()
