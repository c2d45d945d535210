"""End to end in a real browser: with `[map] tianditu_key` set, 学习地图's map asks 天地图's servers
for vector and annotation tiles with that key. Tile requests are answered by the test (a blank PNG),
so nothing leaves the machine."""

from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, _free_port, _studykb, _wait_for_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: apt-get install chromium"),
]

KEY = "0123456789abcdef0123456789abcdef"
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def test_tianditu_key_makes_the_map_load_tianditu_tiles_with_it(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    data = tmp_path / "data"
    loaded = subprocess.run(_studykb("demo", "load", "--visits", "50", "--data-dir", str(data)),
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert loaded.returncode == 0, loaded.stderr
    (data / "studykb.toml").write_text(f'[map]\ntianditu_key = "{KEY}"\n', encoding="utf-8")
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(_studykb("serve", "--data-dir", str(data), "--port", str(port)),
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    tiles: list[str] = []
    try:
        _wait_for_port(port, server)
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def answer(route: sync_api.Route) -> None:
                tiles.append(route.request.url)
                route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)

            page.route("**/*.tianditu.gov.cn/**", answer)
            page.goto(f"http://127.0.0.1:{port}/sites")
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and {"vec_w", "cva_w"} - {urlsplit(u).path[1:6] for u in tiles}:
                page.wait_for_timeout(500)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    assert {urlsplit(u).path for u in tiles} == {"/vec_w/wmts", "/cva_w/wmts"}
    assert {urlsplit(u).netloc for u in tiles} <= {f"t{n}.tianditu.gov.cn" for n in range(8)}
    for url in tiles:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["tk"] == KEY and query["TILEMATRIXSET"] == "w"
        assert all(query[name].isdigit() for name in ("TILEMATRIX", "TILEROW", "TILECOL"))
