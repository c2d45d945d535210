"""Tests for search.lexical: our top-k over bm25s's scores gives what bm25s's own retrieve gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search.lexical import LexicalIndex

CORPUS = [
    ["学习", "贯彻", "中国式现代化"],
    ["基层", "治理", "浦江经验", "基层"],
    ["千万工程", "乡村", "振兴", "治理"],
    ["学习", "党史", "新时代"],
    ["中国式现代化", "新时代", "治理", "现代化"],
    ["乡村", "基层", "党建"],
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LexicalIndex:
    folder: Path = tmp_path_factory.mktemp("bm25")
    LexicalIndex.build(CORPUS).save(folder)
    return LexicalIndex.load(folder)  # memory-mapped, as the engine loads it


@pytest.mark.parametrize(
    "query",
    [["治理"], ["基层", "治理"], ["治理", "治理"], ["没有的词", "乡村"], ["新时代", "学习", "现代化"]],
    ids=["one-term", "two-terms", "repeated-term", "unknown-term", "three-terms"],
)
def test_search_matches_bm25s_retrieve(index: LexicalIndex, query: list[str]) -> None:
    for mask in (None, np.array([1, 0, 1, 0, 1, 1], dtype=np.float32)):
        ours = index.search(query, 4, mask)
        theirs = index._retrieve(query, 4, mask)
        assert ours, "every query here has a term in the corpus"
        assert [round(s, 5) for _, s in ours] == [round(s, 5) for _, s in theirs]
        assert {p for p, _ in ours} == {p for p, _ in theirs}


def test_search_ranks_best_first_and_respects_the_mask(index: LexicalIndex) -> None:
    hits = index.search(["基层"], 10)
    assert [p for p, _ in hits] == [1, 5]  # passage 1 says it twice
    assert index.search(["基层"], 10, np.array([1, 0, 1, 1, 1, 1], dtype=np.float32)) == hits[1:]
    assert index.search([], 10) == [] and index.search(["基层"], 0) == []
