"""Tests for search.context: keyword evidence from a passage's neighbours in its document."""

from __future__ import annotations

import numpy as np
import pytest

from search.context import with_neighbours
from search.engine import Engine


def test_neighbour_of_a_match_becomes_a_candidate() -> None:
    doc_of = np.array([1, 1, 1, 2, 2])
    # Row 1 matched; rows 0 and 2 are its neighbours in document 1; row 3 starts document 2.
    out = dict(with_neighbours([(1, 10.0), (4, 2.0)], doc_of, 0.1))
    assert out == pytest.approx({1: 10.0, 0: 1.0, 2: 1.0, 4: 2.0, 3: 0.2})


def test_neighbour_evidence_adds_to_a_passage_own_score_and_keeps_document_bounds() -> None:
    doc_of = np.array([7, 7, 8])
    ranked = with_neighbours([(0, 4.0), (1, 3.0), (2, 5.0)], doc_of, 0.5)
    # Row 0 gains half of row 1's 3.0 and row 1 half of row 0's 4.0; row 2 is in another document
    # and gains nothing from row 1. Ties go by position.
    assert ranked == [(0, 5.5), (1, 5.0), (2, 5.0)]


def test_zero_weight_or_no_matches_changes_nothing() -> None:
    doc_of = np.array([1, 1])
    assert with_neighbours([(0, 1.0)], doc_of, 0.0) == [(0, 1.0)]
    assert with_neighbours([], doc_of) == []


def test_engine_brings_in_the_passage_next_to_the_match(engine: Engine) -> None:
    # zhejiang.txt: 浦江经验 is one passage, 千万工程 (none of the query's words) the next one.
    hits = engine.search("浦江经验", k=10, legs=("bm25",)).hits
    assert hits[0].document.path == "zhejiang.txt" and "bm25" in hits[0].legs
    nearby = [h for h in hits if h.legs == ("context",)]
    assert nearby and all(h.document.path == "zhejiang.txt" for h in nearby)
    assert any("千万工程" in h.text for h in nearby)
    assert all(h.weak for h in nearby)  # no words of the query: never counted as relevant


def test_engine_adds_no_neighbours_to_a_query_without_chinese(engine: Engine) -> None:
    hits = engine.search("Fengqiao experience", k=10, legs=("bm25",)).hits
    assert hits and all(h.legs == ("bm25",) for h in hits)
