"""Resident memory of a search process per million passages, and the on-disk size of a version.

For each corpus size (the synthetic corpora of bench/latency.py, built if missing), a fresh
process imports the engine, loads the model, loads jieba's dictionary and OpenCC, opens
`search.engine.Engine` and runs 20 queries; its RSS is sampled after each step (psutil; PSS/USS
too). The index's share is the RSS after the queries minus the RSS before opening the engine;
"per million passages" is the growth of the RSS between the two largest sizes measured (the
share itself includes fixed costs: SQLite's cache, per-query buffers).
Target: ≤ 1.5 GB for the whole process at 1M passages with a 384-dimension model.

Usage: python bench/memory.py [--scale small|100k|1m] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import emit, folder_mb, machine, rss_mb

TARGET_MB_AT_1M = 1536.0


def child(folder: Path) -> dict[str, Any]:
    """Run in a fresh process: RSS after imports, model, Engine.open and queries."""
    import psutil
    from synth import query_texts

    from search.engine import Engine
    from search.index_format import read_manifest
    from studykb.layout import DataDir
    from studykb.models import load_encoder, spec_for_index

    proc = psutil.Process()
    figures: dict[str, Any] = {"rss_imports_mb": rss_mb()}
    data = DataDir(folder)
    spec = spec_for_index(read_manifest(data, data.current() or "").model)
    load_encoder(spec, purpose="query").encode(["预热"], show_progress_bar=False)  # as the engine loads it
    figures["rss_model_mb"] = rss_mb()
    from studykb.text import segment, tokenize

    tokenize("预热分词词典")  # jieba's dictionary and OpenCC: fixed costs, not the index's
    segment("预热分词词典")
    figures["rss_text_tools_mb"] = rss_mb()
    engine = Engine.open(folder)
    figures["rss_open_mb"] = rss_mb()
    for _, q in query_texts(20, 1):
        engine.search(q)
    figures["rss_after_queries_mb"] = rss_mb()
    full = proc.memory_full_info()
    figures["pss_mb"] = getattr(full, "pss", 0) / 2**20
    figures["uss_mb"] = getattr(full, "uss", 0) / 2**20
    figures["passages"] = len(engine.snapshot().chunk_ids)
    return figures


def measure(n: int) -> dict[str, Any]:
    """Memory and disk figures for the synthetic corpus of `n` passages."""
    from latency import data_dir_for
    from synth import build_version

    from search.index_format import CHUNK_IDS_FILE, DENSE_FILE, LEXICAL_DIR
    from studykb.layout import DataDir

    folder = data_dir_for(n)
    build_version(folder, n)
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)], capture_output=True, text=True, check=True
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    index_mb = figures["rss_after_queries_mb"] - figures["rss_text_tools_mb"]
    figures["index_rss_mb"] = index_mb
    figures["index_rss_mb_per_million"] = index_mb / n * 1_000_000
    figures["target_mb_at_1m"] = TARGET_MB_AT_1M
    version = DataDir(folder).version_path(DataDir(folder).current() or "")
    figures["version_disk_mb"] = folder_mb(version)
    figures["version_disk_mb_per_million"] = figures["version_disk_mb"] / n * 1_000_000
    for part in (DENSE_FILE, LEXICAL_DIR, CHUNK_IDS_FILE):
        path = version / part
        figures[f"disk_{part}_mb"] = folder_mb(path) if path.is_dir() else path.stat().st_size / 2**20
    figures["sqlite_mb"] = sum(p.stat().st_size for p in folder.glob("studykb.db*")) / 2**20
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=("small", "100k", "1m"), default="small")
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    from latency import SIZES

    results = []
    for n in SIZES[args.scale]:
        figures = measure(n)
        emit(f"memory at {n:,} passages", figures, None)
        results.append(figures)
    summary: dict[str, Any] = {}
    if len(results) >= 2:  # growth between the two largest sizes: fixed costs cancel out
        a, b = results[-2], results[-1]
        slope = (b["rss_after_queries_mb"] - a["rss_after_queries_mb"]) / (b["passages"] - a["passages"])
        summary = {
            "rss_mb_per_million_passages": slope * 1_000_000,
            "projected_rss_mb_at_1m": b["rss_after_queries_mb"] + slope * (1_000_000 - b["passages"]),
        }
        emit("memory growth", summary, None)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": machine(), "sizes": results, **summary}, indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
