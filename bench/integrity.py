"""What checking an index version costs when it is opened (`search.index_format.check_version`).

On the synthetic corpus of bench/latency.py (built if missing): the size check every open makes,
the first open's sha256 pass over every file (with the files in the page cache, and after
dropping them from it where the kernel allows), the remembered verdict of a later open (in the
same process, and in a new one via data/verified.json), and `Engine.open` itself for comparison.
Wall seconds on this machine. Writes data/verified.json in the synthetic data dir.

Usage: python bench/integrity.py [--size 100000] [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from common import emit, folder_mb


def _drop_page_cache(folder: Path) -> bool:
    """Ask the kernel to forget the folder's pages (posix_fadvise DONTNEED); False if it cannot."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for p in folder.rglob("*"):
        if p.is_file():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def measure(n: int) -> dict[str, Any]:
    """Seconds of each kind of check of the published version of `n` synthetic passages."""
    from latency import data_dir_for
    from synth import build_version

    from search import index_format as integrity
    from search.engine import Engine
    from studykb.layout import DataDir

    data = DataDir(data_dir_for(n))
    build_version(data.root, n)
    name = data.current() or ""
    folder = data.version_path(name)
    figures: dict[str, Any] = {"passages": n, "version_mb": round(folder_mb(folder), 1)}

    def forget() -> None:  # a process that never opened this version
        integrity._verified.clear()
        (data.root / integrity.VERIFIED).unlink(missing_ok=True)

    def timed(**kw: Any) -> float:
        t = time.perf_counter()
        verdict = integrity.check_version(data, name, **kw)
        assert verdict.ok, verdict.problems
        return time.perf_counter() - t

    figures["sizes_only_s"] = timed(checksums=False)
    timed(checksums=True)  # read the files once: the page cache is warm from here
    forget()
    figures["first_open_checksums_warm_s"] = timed()
    figures["later_open_same_process_s"] = timed()
    integrity._verified.clear()
    figures["later_open_new_process_s"] = timed()  # the verdict kept in data/verified.json
    if _drop_page_cache(folder):
        forget()
        figures["first_open_checksums_cold_s"] = timed()
    forget()
    t = time.perf_counter()
    Engine.open(data.root)
    figures["engine_open_with_checks_s"] = time.perf_counter() - t
    t = time.perf_counter()
    Engine.open(data.root)
    figures["engine_open_checks_cached_s"] = time.perf_counter() - t
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    emit(f"integrity check at {args.size:,} passages", measure(args.size), args.json)


if __name__ == "__main__":
    main()
