"""Helpers shared by the benchmarks: paths, timing, percentiles, the machine, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
# The repository root goes first: bench/ingest.py must not shadow the `ingest` package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if p != str(ROOT)]

#: Where generated corpora and indexes are kept between runs (they take minutes to build).
CACHE_ENV = "STUDYKB_BENCH_CACHE"
#: The offline model every benchmark uses unless told otherwise (see studykb/models.py).
BENCH_MODEL = "minilm"

T = TypeVar("T")


def cache_dir() -> Path:
    """`$STUDYKB_BENCH_CACHE`, else `<tmp>/studykb-bench`; created if missing."""
    path = Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "studykb-bench")
    path.mkdir(parents=True, exist_ok=True)
    return path


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run `fn` once; return its result and the wall time in seconds."""
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def timed_cpu(fn: Callable[[], T]) -> tuple[T, float, float]:
    """Run `fn` once; return its result, wall time and CPU time of this process (all threads), in s.

    CPU time is what a query costs on an idle machine (the work is single-threaded and in memory);
    wall time also counts waiting for a core, which on this shared machine can be most of it.
    """
    c0, t0 = time.process_time(), time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0, time.process_time() - c0


def cpu_timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run `fn` once; return its result and the CPU seconds this process spent (see `timed_cpu`)."""
    result, _, seconds = timed_cpu(fn)
    return result, seconds


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, linearly interpolated."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    """The median of `values`."""
    return statistics.median(values)


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of a process (default: this one) in MiB."""
    import psutil

    return float(psutil.Process(pid or os.getpid()).memory_info().rss) / 2**20


def folder_mb(path: Path) -> float:
    """Total size of the files under `path` in MiB."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, memory, load, library versions."""
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in (
        "torch",
        "sentence-transformers",
        "faiss-cpu",
        "bm25s",
        "jieba",
        "rjieba",
        "onnxruntime",
        "tokenizers",
        "numpy",
        "pypdf",
        "pypdfium2",
    ):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "versions": versions,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def python_startup_s(repeat: int = 5) -> float:
    """Median wall time of `python -c pass` with this interpreter (the floor of any CLI run)."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        runs.append(time.perf_counter() - t0)
    return median(runs)


def emit(name: str, figures: dict[str, Any], json_path: Path | None) -> None:
    """Print `figures` as aligned lines and, if asked, write them as JSON for bench/report.py."""
    print(f"\n== {name} ==")
    for key, value in figures.items():
        if isinstance(value, float):
            value = f"{value:.4g}"
        print(f"{key:<44} {value}")
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def limit_threads(n: int = 1) -> None:
    """Pin BLAS/OpenMP/torch to `n` threads (set before the heavy imports where possible)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(n))
