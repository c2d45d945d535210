"""The dense leg: a FAISS inner-product index over normalised embeddings, chosen by corpus size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EXACT_LIMIT", "MAX_HIDDEN_SHARE", "ROWS_FILE", "DenseIndex", "ef_search_for", "index_type_for"]

#: Below this many passages search is exact (IndexFlatIP); above it, HNSW over 8-bit scalar codes.
EXACT_LIMIT = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
#: efSearch grows with the corpus: neighbourhoods get denser, so the same recall needs a wider
#: search. Measured by bench/latency.py on embedding-shaped vectors (HNSW32,SQ8, efConstruction
#: 80), recall@10 against exact search: 100k passages 0.88 at efSearch 96, 0.98 at 256 (~1.4 ms a
#: query); 1M passages 0.78 at 256, 0.95 at 1,024, 0.97 at 1,600 (~4.4 ms). The 8-bit codes cap
#: recall at ~0.98 whatever the search width. The multilingual USE's 512-d vectors need more: at 100k
#: passages 0.889 at 256, 0.979 at 1,024 (2.1 instead of 0.6 CPU-ms a query; docs/performance.md),
#: so the floor is 1,024 whatever the model.
HNSW_EF_SEARCH = 1024
#: An HNSW index is carried over to the next version (removed passages hidden, new ones added)
#: while hidden rows stay below this share; past it the next version builds afresh.
MAX_HIDDEN_SHARE = 0.1
#: Beside `faiss.index` when its rows are not the version's positions: FAISS row -> position (-1: hidden).
ROWS_FILE = "faiss_rows.npy"
HNSW_EF_PER_MILLION = 1600
HNSW_EF_MAX = 4096


def ef_search_for(n: int) -> int:
    """The HNSW efSearch used for an index of `n` passages (at least 1,024, 1,600 per million)."""
    return min(HNSW_EF_MAX, max(HNSW_EF_SEARCH, n * HNSW_EF_PER_MILLION // 1_000_000))


def index_type_for(n: int) -> str:
    """The FAISS factory string used for a corpus of `n` passages."""
    return "Flat" if n < EXACT_LIMIT else f"HNSW{HNSW_M},SQ8"


class DenseIndex:
    """A FAISS index over the passages of one version, searched by version position. Thread-safe.

    Row i of the FAISS index is position i, except in an index carried over from the previous
    version (`updated`): there `rows` maps each FAISS row to its position, -1 for a passage the
    version no longer has (hidden from every search).
    """

    def __init__(self, index: Any, rows: np.ndarray | None = None) -> None:
        self._index = index
        self._rows = rows
        self._size = int(index.ntotal)
        self._row_of: np.ndarray | None = None
        self._visible: Any = None
        if rows is not None:
            live = np.flatnonzero(rows >= 0)
            self._size = len(live)
            self._row_of = np.full(self._size, -1, dtype=np.int64)
            positions = rows[live]
            if len(positions) and (positions.max() >= self._size or len(np.unique(positions)) != self._size):
                raise ValueError("FAISS row map does not cover each position exactly once")
            self._row_of[positions] = live
            hidden = np.flatnonzero(rows < 0)
            if len(hidden):
                import faiss

                self._hidden_ids = faiss.IDSelectorBatch(hidden.astype(np.int64))
                self._visible = faiss.IDSelectorNot(self._hidden_ids)

    @property
    def size(self) -> int:
        """The number of passages (FAISS rows not hidden)."""
        return self._size

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def hidden(self) -> int:
        """FAISS rows of passages no longer in the version."""
        return int(self._index.ntotal) - self._size

    @classmethod
    def build(cls, vectors: np.ndarray, index_type: str | None = None) -> DenseIndex:
        """Build from an (n, dim) float32 array of L2-normalised vectors."""
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        factory = index_type or index_type_for(n)
        index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
        if factory.startswith("HNSW"):
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION  # type: ignore[attr-defined]
        if not index.is_trained:
            sample = vectors[np.random.default_rng(0).choice(n, min(n, 100_000), replace=False)]
            index.train(sample)
        if n:
            index.add(vectors)
        return cls(index)

    @classmethod
    def updated(
        cls, previous: Path, previous_ids: np.ndarray, chunk_ids: np.ndarray, vectors: np.ndarray
    ) -> DenseIndex | None:
        """The previous version's HNSW index (file `previous`, rows for the sorted passage ids
        `previous_ids`) carried over to passages `chunk_ids` with `vectors`: passages gone are
        hidden, new ones added. None when a fresh build is due: the size calls for another index
        type, the dimension differs, or hidden rows would pass MAX_HIDDEN_SHARE.

        A passage id always has the same text and vector (passage rows are never edited, and a
        model change rebuilds), so rows kept from the previous index stay valid.
        """
        if index_type_for(len(chunk_ids)) == "Flat":
            return None
        old = cls.load(previous)
        if not hasattr(old._index, "hnsw") or old.dim != vectors.shape[1] or old.size != len(previous_ids):
            return None
        old_rows = old._rows if old._rows is not None else np.arange(old._index.ntotal, dtype=np.int64)
        ids = np.where(old_rows >= 0, previous_ids[np.clip(old_rows, 0, None)], -1)
        pos = np.clip(np.searchsorted(chunk_ids, ids), 0, max(len(chunk_ids) - 1, 0))
        kept = (ids >= 0) & (chunk_ids[pos] == ids) if len(chunk_ids) else np.zeros(len(ids), dtype=bool)
        rows = np.where(kept, pos, -1)
        present = np.zeros(len(chunk_ids), dtype=bool)
        present[rows[kept]] = True
        added = np.flatnonzero(~present)
        if (len(rows) - int(kept.sum())) > MAX_HIDDEN_SHARE * (len(rows) + len(added)):
            return None
        if len(added):
            old._index.add(np.ascontiguousarray(vectors[added], dtype=np.float32))
        return cls(old._index, np.concatenate([rows, added]).astype(np.int64))

    def save(self, path: Path) -> None:
        """Write the index to `path` (and its row map beside it, when rows are not positions)."""
        import faiss

        faiss.write_index(self._index, str(path))
        if self._rows is not None:
            np.save(path.parent / ROWS_FILE, self._rows)

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        """Read an index written by `save` and set its search parameters."""
        import faiss

        faiss.omp_set_num_threads(1)  # single-query search is faster on one thread here
        index = faiss.read_index(str(path))
        rows_file = path.parent / ROWS_FILE
        rows = np.load(rows_file) if rows_file.exists() else None
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = ef_search_for(int(index.ntotal))
        try:
            return cls(index, rows)
        except ValueError as exc:
            from studykb.errors import IndexCorruptError

            raise IndexCorruptError(f"{rows_file}: {exc}") from exc

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (position, cosine) for one normalised query vector.

        `allowed` (sorted int64 positions) restricts the search to those rows (filters).
        """
        import faiss

        if self.size == 0 or k <= 0:
            return []
        k = min(k, self.size)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        selector = self._visible
        if allowed is not None:
            if len(allowed) == 0:
                return []
            rows = allowed if self._row_of is None else self._row_of[allowed]
            selector = faiss.IDSelectorBatch(rows.astype(np.int64))
        params = None
        if selector is not None:
            params = (
                faiss.SearchParametersHNSW(  # type: ignore[attr-defined]
                    sel=selector, efSearch=max(self._index.hnsw.efSearch, k)
                )
                if hasattr(self._index, "hnsw")
                else faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            )
        scores, ids = self._index.search(q, k, params=params)
        found = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        if self._rows is None:
            return found
        return [(int(self._rows[i]), s) for i, s in found if self._rows[i] >= 0]
