"""Load test of the HTTP API: concurrent clients on 127.0.0.1 against `studykb api` over a synthetic index.

For each worker count (1, 2) a real `studykb api` server is started on a free port over the synthetic
corpus of bench/synth.py (the same cached build bench/latency.py uses); `--requests` searches are sent by
1, 8 and 32 concurrent clients (httpx async, each sending its next query as soon as the last answered),
and requests/s, p50/p95/p99 latency and errors are reported. A soak (`--soak-minutes`, default 10; 0
skips it) then runs 8 clients against 2 workers and samples the servers' RSS every 5 s: growth from the
first to the last minute is reported. The server's rate limit is switched off in the bench's data dir
(`[api] rate_limit_per_minute = 0`); the clients run on the same machine and share its cores.

Usage: python bench/load.py [--passages 100000] [--requests 400] [--concurrency 1,8,32] [--workers 1,2]
       [--soak-minutes 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import ROOT, emit, percentile

TARGET_P95_MS = 50.0  # search at 32 concurrent clients, 100k passages, 2 workers


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants (uvicorn's workers), in MiB, from /proc."""
    pids = [pid]
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    i = 0
    while i < len(pids):
        pids += children.get(pids[i], [])
        i += 1
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Server:
    """`studykb api` in a subprocess, stopped on exit."""

    def __init__(self, data_dir: Path, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from studykb_cli.main import main; main()",
                "api",
                "--data-dir",
                str(data_dir),
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
        )

    def __enter__(self) -> Server:
        import httpx

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"studykb api exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("studykb api did not become healthy within 300 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _run(
    url: str, queries: list[str], total: int | None, duration: float | None, concurrency: int
) -> dict[str, Any]:
    """`concurrency` closed-loop clients sending searches until `total` requests or `duration` seconds."""
    import httpx

    latencies: list[float] = []
    errors = 0
    sent = 0
    stop_at = time.perf_counter() + duration if duration else None
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one_client() -> None:
            nonlocal sent, errors
            while True:
                if (total is not None and sent >= total) or (stop_at and time.perf_counter() >= stop_at):
                    return
                q = queries[sent % len(queries)]
                sent += 1
                t0 = time.perf_counter()
                try:
                    r = await client.get("/v1/search", params={"q": q, "k": 10})
                    ok = r.status_code == 200 and "hits" in r.json()
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": wall,
        "rps": len(latencies) / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


def prepare(n: int, seed: int) -> tuple[Path, list[str]]:
    """The synthetic data dir of `n` passages (built or reused) with the rate limit off, and queries."""
    from latency import data_dir_for
    from synth import build_version, query_texts

    folder = data_dir_for(n)
    build_version(folder, n, seed)
    (folder / "studykb.toml").write_text("[api]\nrate_limit_per_minute = 0\n", encoding="utf-8")
    return folder, [q for _, q in query_texts(500, seed)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="searches per concurrency level")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    folder, queries = prepare(args.passages, args.seed)
    figures: dict[str, Any] = {"passages": args.passages, "cpus": os.cpu_count(), "runs": []}
    for workers in [int(w) for w in args.workers.split(",")]:
        with Server(folder, workers) as server:
            asyncio.run(_run(server.url, queries, 64 * workers, None, 4 * workers))  # warm every worker
            for conc in [int(c) for c in args.concurrency.split(",")]:
                res = asyncio.run(_run(server.url, queries, args.requests, None, conc))
                res |= {"workers": workers, "concurrency": conc}
                figures["runs"].append(res)
                print(
                    f"workers={workers} clients={conc}: {res['rps']:.1f} req/s, p50 {res['p50_ms']:.1f} ms, "
                    f"p95 {res['p95_ms']:.1f} ms, p99 {res['p99_ms']:.1f} ms, errors {res['errors']}",
                    flush=True,
                )
    goal = next((r for r in figures["runs"] if r["workers"] == 2 and r["concurrency"] == 32), None)
    if goal:
        figures["target_p95_ms"] = TARGET_P95_MS
        figures["target_met"] = goal["p95_ms"] <= TARGET_P95_MS
    if args.soak_minutes > 0:
        figures["soak"] = soak(folder, queries, args.soak_minutes * 60)
    emit("api load", {k: v for k, v in figures.items() if k not in ("runs", "soak")}, None)
    if args.json:
        import json

        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def soak(
    folder: Path, queries: list[str], seconds: float, workers: int = 2, clients: int = 8
) -> dict[str, Any]:
    """Run `clients` clients for `seconds` against `workers` workers, sampling the servers' RSS."""
    samples: list[tuple[float, float]] = []
    with Server(folder, workers) as server:
        asyncio.run(_run(server.url, queries, 64 * workers, None, 4 * workers))

        async def sampled() -> dict[str, Any]:
            async def sampler() -> None:
                t0 = time.perf_counter()
                while time.perf_counter() - t0 < seconds:
                    samples.append((time.perf_counter() - t0, rss_mb(server.proc.pid)))
                    await asyncio.sleep(5)

            task = asyncio.create_task(sampler())
            res = await _run(server.url, queries, None, seconds, clients)
            await task
            return res

        res = asyncio.run(sampled())
    window = max(1, min(12, len(samples) // 4))  # first and last minute (5 s samples)
    first = sum(r for _, r in samples[:window]) / window
    last = sum(r for _, r in samples[-window:]) / window
    res |= {
        "workers": workers,
        "concurrency": clients,
        "minutes": seconds / 60,
        "rss_first_mb": first,
        "rss_last_mb": last,
        "rss_max_mb": max(r for _, r in samples),
        "rss_growth_mb": last - first,
        "rss_growth_pct": 100 * (last - first) / first,
        "rss_samples": len(samples),
    }
    print(
        f"soak {seconds / 60:.1f} min, {workers} workers, {clients} clients: {res['rps']:.1f} req/s, "
        f"p95 {res['p95_ms']:.1f} ms, errors {res['errors']}, RSS {first:.0f} → {last:.0f} MB "
        f"({res['rss_growth_pct']:+.1f} %)",
        flush=True,
    )
    return res


if __name__ == "__main__":
    main()
