"""The dense leg: a FAISS inner-product index over normalised embeddings, chosen by corpus size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EXACT_LIMIT", "DenseIndex", "ef_search_for", "index_type_for"]

#: Below this many passages search is exact (IndexFlatIP); above it, HNSW over 8-bit scalar codes.
EXACT_LIMIT = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
#: efSearch grows with the corpus: neighbourhoods get denser, so the same recall needs a wider
#: search. Measured by bench/latency.py on embedding-shaped vectors (HNSW32,SQ8, efConstruction
#: 80), recall@10 against exact search: 100k passages 0.88 at efSearch 96, 0.98 at 256 (~1.4 ms a
#: query); 1M passages 0.78 at 256, 0.95 at 1,024, 0.97 at 1,600 (~4.4 ms). The 8-bit codes cap
#: recall at ~0.98 whatever the search width.
HNSW_EF_SEARCH = 256
HNSW_EF_PER_MILLION = 1600
HNSW_EF_MAX = 4096


def ef_search_for(n: int) -> int:
    """The HNSW efSearch used for an index of `n` passages (at least 256, 1,600 per million)."""
    return min(HNSW_EF_MAX, max(HNSW_EF_SEARCH, n * HNSW_EF_PER_MILLION // 1_000_000))


def index_type_for(n: int) -> str:
    """The FAISS factory string used for a corpus of `n` passages."""
    return "Flat" if n < EXACT_LIMIT else f"HNSW{HNSW_M},SQ8"


class DenseIndex:
    """A FAISS index whose row i is passage i of the version. Searching is thread-safe."""

    def __init__(self, index: Any) -> None:
        self._index = index

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

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

    def save(self, path: Path) -> None:
        """Write the index to one file."""
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        """Read an index written by `save` and set its search parameters."""
        import faiss

        faiss.omp_set_num_threads(1)  # single-query search is faster on one thread here
        index = faiss.read_index(str(path))
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = ef_search_for(int(index.ntotal))
        return cls(index)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (position, cosine) for one normalised query vector.

        `allowed` (sorted int64 positions) restricts the search to those rows (filters).
        """
        import faiss

        if self.size == 0 or k <= 0:
            return []
        k = min(k, self.size)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            selector = faiss.IDSelectorBatch(allowed.astype(np.int64))
            params = (
                faiss.SearchParametersHNSW(  # type: ignore[attr-defined]
                    sel=selector, efSearch=max(self._index.hnsw.efSearch, k)
                )
                if hasattr(self._index, "hnsw")
                else faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            )
        scores, ids = self._index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
