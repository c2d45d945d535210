"""Re-ingest time after changing 1 of 1,000 documents, as a fraction of the full build.

Generates --docs short Chinese text documents (one or two generated paragraphs each, so the full
build with the real model stays in minutes), then runs `studykb ingest` as a subprocess three
times: the full build, a no-op re-run, and a re-run after appending a sentence to one document.
Each figure is the wall time of the command, as a maintainer sees it.

Usage: python bench/incremental.py [--docs 1000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import BENCH_MODEL, emit


def write_docs(folder: Path, n: int, seed: int = 11) -> None:
    """`n` short UTF-8 text documents of one or two generated paragraphs."""
    from synth import passages

    folder.mkdir(parents=True, exist_ok=True)
    stream = passages(n * 2, seed)
    for d in range(n):
        paras = [next(stream)[1] for _ in range(1 + d % 2)]
        (folder / f"note-{d:04d}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")


def run_ingest(corpus: Path, data: Path) -> tuple[float, dict[str, Any]]:
    """Wall time and JSON report of one `studykb ingest` subprocess."""
    cli = Path(sys.executable).parent / "studykb"
    t0 = time.perf_counter()
    out = subprocess.run(
        [str(cli), "ingest", str(corpus), "--data-dir", str(data), "--model", BENCH_MODEL, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if out.returncode not in (0, 3):
        raise SystemExit(f"studykb ingest failed ({out.returncode}): {out.stderr[-2000:]}")
    return wall, json.loads(out.stdout)


def measure(n_docs: int) -> dict[str, Any]:
    """Full build, no-op re-run and one-document change on a generated corpus."""
    with tempfile.TemporaryDirectory(prefix="studykb-bench-incr-") as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        write_docs(corpus, n_docs)
        full_s, full = run_ingest(corpus, data)
        noop_s, _ = run_ingest(corpus, data)
        target = corpus / "note-0500.txt" if n_docs > 500 else corpus / "note-0000.txt"
        with open(target, "a", encoding="utf-8") as fh:
            fh.write("这是为测量增量更新而补充的一句话。\n")
        incr_s, incr = run_ingest(corpus, data)
    return {
        "documents": n_docs,
        "chunks": full["n_chunks"],
        "full_build_s": full_s,
        "noop_rerun_s": noop_s,
        "one_changed_s": incr_s,
        "one_changed_fraction_of_full": incr_s / full_s,
        "one_changed_embedded": incr["embedded"],
        "one_changed_summary": incr["summary"],
        "full_stage_s": full["seconds"],
        "one_changed_stage_s": incr["seconds"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    emit(f"incremental re-ingest, {args.docs} documents", measure(args.docs), args.json)


if __name__ == "__main__":
    main()
