"""Publishing a new index version after one document changed, in a large library: built afresh
against the previous HNSW index carried over (`DenseIndex.updated`).

Uses the synthetic corpora of bench/latency.py (built there, or here when missing). The change is
one document of PASSAGES_PER_DOC passages replaced by as many new ones, as an edit does. The
vectors are the index's own (decoded from its 8-bit codes: timing does not depend on them), the
BM25 terms those stored with the passages. Both runs call `ingest.version.write_version` into a
scratch data dir whose previous version is the synthetic one (linked, not copied). Times are wall
seconds of the call on this machine; the BM25 build (done afresh either way) is timed alone too.

Usage: python bench/carry.py [--size 1000000] [--json out.json]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import emit


def measure(n: int) -> dict[str, Any]:
    """Fresh and carried-over publish times after one document's passages are replaced."""
    import faiss
    from latency import data_dir_for
    from synth import PASSAGES_PER_DOC, build_version

    from ingest.version import write_version
    from search.index_format import CHUNK_IDS_FILE, DENSE_FILE, read_manifest
    from search.lexical import LexicalIndex
    from studykb.db import connect
    from studykb.index_store import IndexStore
    from studykb.layout import DataDir

    source = DataDir(data_dir_for(n))
    build_version(source.root, n)
    previous = source.current()
    assert previous is not None
    folder = source.version_path(previous)
    old_ids = np.load(folder / CHUNK_IDS_FILE)
    index = faiss.read_index(str(folder / DENSE_FILE))
    vectors = index.reconstruct_n(0, index.ntotal)  # decoded from the 8-bit codes
    conn = connect(source.db_path)
    tokens = [t.split(" ") if t else [] for (t,) in IndexStore(conn).all_chunks("tokens")]
    conn.close()

    # One document (the middle one) edited: its passages replaced by as many new ones.
    middle = len(old_ids) // 2 // PASSAGES_PER_DOC * PASSAGES_PER_DOC
    gone = np.arange(middle, middle + PASSAGES_PER_DOC)
    keep = np.setdiff1d(np.arange(len(old_ids)), gone)
    new_ids = np.concatenate([old_ids[keep], old_ids.max() + 1 + np.arange(PASSAGES_PER_DOC)])
    new_vectors = np.vstack([vectors[keep], vectors[gone]])  # the edit's texts: any vectors will do
    new_tokens = [tokens[i] for i in keep] + [tokens[i] for i in gone]
    info = {"model": read_manifest(source, previous).model, "dim": int(vectors.shape[1])}

    figures: dict[str, Any] = {"passages": n, "changed_passages": PASSAGES_PER_DOC}
    with tempfile.TemporaryDirectory(prefix="studykb-bench-carry-", dir=source.root.parent) as tmp:
        scratch = DataDir(Path(tmp))
        scratch.versions.mkdir(parents=True)
        (scratch.versions / previous).symlink_to(folder, target_is_directory=True)
        t = time.perf_counter()
        write_version(scratch, "fresh", new_ids, new_tokens, new_vectors, info)
        figures["fresh_publish_s"] = time.perf_counter() - t
        t = time.perf_counter()
        carried = write_version(scratch, "carried", new_ids, new_tokens, new_vectors, info, previous=previous)
        figures["carried_publish_s"] = time.perf_counter() - t
        figures["carried_over"] = carried["dense_carried_from"] == previous
        figures["hidden_rows"] = carried["dense_hidden_rows"]
    t = time.perf_counter()
    LexicalIndex.build(new_tokens)
    figures["bm25_build_s"] = time.perf_counter() - t
    figures["speedup"] = figures["fresh_publish_s"] / figures["carried_publish_s"]
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    emit(f"publish after one changed document, {args.size:,} passages", measure(args.size), args.json)


if __name__ == "__main__":
    main()
