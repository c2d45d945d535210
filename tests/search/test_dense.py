"""Tests for search.dense: index choice by size, efSearch by size, save/load and filtered search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search.dense import EXACT_LIMIT, DenseIndex, ef_search_for, index_type_for


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1_000, 1024), (100_000, 1024), (500_000, 1024), (1_000_000, 1600), (10_000_000, 4096)],
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


def test_an_index_carried_over_hides_removed_passages_and_finds_new_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("search.dense.EXACT_LIMIT", 1000)  # HNSW from 1,000 passages, as from 50,000
    vectors = _clustered(3200, seed=2)
    old_ids = np.arange(0, 6000, 2, dtype=np.int64)  # 3000 passages, ids 0, 2, 4 …
    DenseIndex.build(vectors[:3000], "HNSW32,SQ8").save(tmp_path / "faiss.index")
    removed = old_ids[100:300]  # 200 passages gone (6.3 % of the new rows)
    new_ids = np.concatenate([np.setdiff1d(old_ids, removed), np.arange(6000, 6200, dtype=np.int64)])
    by_id = dict(zip(np.concatenate([old_ids, np.arange(6000, 6200)]), vectors, strict=True))
    new_vectors = np.stack([by_id[i] for i in new_ids])

    index = DenseIndex.updated(tmp_path / "faiss.index", old_ids, new_ids, new_vectors)
    assert index is not None and index.size == len(new_ids) == 3000 and index.hidden == 200
    out = tmp_path / "next"
    out.mkdir()
    index.save(out / "faiss.index")
    loaded = DenseIndex.load(out / "faiss.index")
    for pos in [0, 99, 100, 1500, 2799, 2800, 2999]:  # kept, kept, shifted, …, new, new
        assert loaded.search(new_vectors[pos], 1)[0][0] == pos
    hits = loaded.search(new_vectors[150], 3000)
    assert len({p for p, _ in hits}) == len(hits) and all(0 <= p < 3000 for p, _ in hits)
    allowed = np.arange(2800, 3000, dtype=np.int64)  # a filter on new passages only
    assert {p for p, _ in loaded.search(new_vectors[10], 20, allowed)} <= set(allowed.tolist())

    # Carried over again: the hidden rows accumulate until a fresh build is cheaper.
    again = DenseIndex.updated(out / "faiss.index", new_ids, new_ids[:2900], new_vectors[:2900])
    assert again is not None and again.hidden == 300 and again.size == 2900
    assert DenseIndex.updated(out / "faiss.index", new_ids, new_ids[:2000], new_vectors[:2000]) is None


def test_a_row_map_that_does_not_cover_the_positions_is_corrupt(tmp_path: Path) -> None:
    from search.dense import ROWS_FILE
    from studykb.errors import IndexCorruptError

    DenseIndex.build(_clustered(500), "HNSW32,SQ8").save(tmp_path / "faiss.index")
    np.save(tmp_path / ROWS_FILE, np.array([0, 1, 1] + list(range(3, 500)), dtype=np.int64))
    with pytest.raises(IndexCorruptError, match=ROWS_FILE):
        DenseIndex.load(tmp_path / "faiss.index")


def test_no_carry_over_below_the_exact_limit(tmp_path: Path) -> None:
    vectors = _clustered(300)
    DenseIndex.build(vectors, "HNSW32,SQ8").save(tmp_path / "faiss.index")
    ids = np.arange(300, dtype=np.int64)
    assert DenseIndex.updated(tmp_path / "faiss.index", ids, ids, vectors) is None  # 300 < EXACT_LIMIT
