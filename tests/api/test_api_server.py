"""A real `studykb api` process on a free port: health, search, 401 for a keyless write, and 400 searches
from 16 concurrent clients all answered."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(workspace: tuple[Path, Path]) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from studykb_cli.main import main; main()",
            "api",
            "--data-dir",
            str(workspace[1]),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "studykb api did not start"
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def test_real_server_answers(server: str) -> None:
    assert httpx.get(server + "/v1/health").json()["status"] == "ok"
    assert "/v1/search" in httpx.get(server + "/openapi.json").json()["paths"]
    assert httpx.get(server + "/v1/search", params={"q": "浦江经验"}).json()["hits"]
    assert httpx.post(server + "/v1/lists", json={"title": "x"}).status_code == 401
    bad = httpx.get(server + "/v1/search", params={"q": "学习", "k": -3})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_parameter"
    with httpx.Client(base_url=server, timeout=60) as client, ThreadPoolExecutor(16) as pool:
        queries = [
            "浦江经验",
            "千万工程",
            "两个确立",
            "中国式现代化",
            "学习要求",
            "楓橋經驗",
            "基层治理",
            "red boat",
        ]
        codes = list(
            pool.map(lambda i: client.get("/v1/search", params={"q": queries[i % 8]}).status_code, range(400))
        )
    assert codes == [200] * 400
    metrics = httpx.get(server + "/metrics").text
    assert "studykb_api_requests_total" in metrics


def test_restore_is_refused_while_the_api_serves_the_data_dir(
    server: str, workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    data = workspace[1]
    archive = tmp_path / "b.tar"
    cli = [sys.executable, "-m", "studykb_cli"]
    assert subprocess.run([*cli, "backup", "-o", str(archive), "--data-dir", str(data)]).returncode == 0
    out = subprocess.run([*cli, "restore", str(archive), "--data-dir", str(data), "--force"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "is serving" in out.stderr and "Traceback" not in out.stderr
    assert httpx.get(server + "/v1/health", timeout=5).status_code == 200
