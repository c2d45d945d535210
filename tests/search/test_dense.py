"""Tests for search.dense: index choice by size, efSearch by size, save/load and filtered search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search.dense import EXACT_LIMIT, DenseIndex, ef_search_for, index_type_for


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1_000, 256), (100_000, 256), (500_000, 800), (1_000_000, 1600), (10_000_000, 4096)],
    ids=["tiny", "100k", "500k", "1m", "capped"],
)
def test_ef_search_grows_with_the_corpus(n: int, expected: int) -> None:
    assert ef_search_for(n) == expected


def test_exact_below_the_limit_and_hnsw_above() -> None:
    assert index_type_for(EXACT_LIMIT - 1) == "Flat"
    assert index_type_for(EXACT_LIMIT).startswith("HNSW")


def _clustered(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, dim))
    x = centres[rng.integers(0, 20, n)] + 0.3 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_loaded_hnsw_index_uses_the_size_rule_and_finds_stored_vectors(tmp_path: Path) -> None:
    vectors = _clustered(3000)
    DenseIndex.build(vectors, "HNSW32,SQ8").save(tmp_path / "faiss.index")
    index = DenseIndex.load(tmp_path / "faiss.index")
    assert index._index.hnsw.efSearch == ef_search_for(3000)
    top = [index.search(vectors[i], 1)[0][0] for i in range(0, 3000, 300)]
    assert top == list(range(0, 3000, 300))


def test_filtered_search_returns_only_allowed_rows(tmp_path: Path) -> None:
    vectors = _clustered(3000, seed=1)
    DenseIndex.build(vectors, "HNSW32,SQ8").save(tmp_path / "faiss.index")
    index = DenseIndex.load(tmp_path / "faiss.index")
    allowed = np.arange(1, 3000, 2, dtype=np.int64)
    hits = index.search(vectors[10], 20, allowed)
    assert hits and all(pos % 2 == 1 for pos, _ in hits)
