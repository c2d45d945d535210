"""Tests for search.fuse: reciprocal-rank and convex fusion as pure functions."""

from __future__ import annotations

import pytest

from search.fuse import RRF_K, convex, hybrid, min_max, rrf


def test_rrf_rewards_agreement() -> None:
    bm25 = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    dense = [("c", 0.9), ("b", 0.8), ("d", 0.7)]
    fused = rrf([bm25, dense])
    assert {k for k, _ in fused[:2]} == {"b", "c"}  # found by both legs, ahead of a and d
    assert dict(fused)["b"] == pytest.approx(2 / (RRF_K + 2))
    assert dict(fused)["c"] == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))


def test_rrf_weight_zero_reproduces_first_leg() -> None:
    bm25 = [("a", 3.0), ("b", 2.0), ("c", 1.0)]
    dense = [("c", 0.9), ("b", 0.5), ("a", 0.1)]
    assert [k for k, _ in rrf([bm25, dense], [1.0, 0.0])] == ["a", "b", "c"]


def test_small_dense_weight_breaks_ties_only() -> None:
    bm25 = [("a", 3.0), ("b", 2.0)]
    dense = [("b", 0.9), ("a", 0.1)]
    # a leads b by 1/61 - 1/62 ≈ 0.00026 from BM25; a dense vote of 0.01 × (1/61 - 1/62) cannot flip it.
    assert [k for k, _ in rrf([bm25, dense], [1.0, 0.01])] == ["a", "b"]


def test_rrf_is_deterministic_on_ties() -> None:
    assert [k for k, _ in rrf([[("x", 1.0)], [("y", 1.0)]])] == ["x", "y"]


def test_rrf_needs_one_weight_per_list() -> None:
    with pytest.raises(ValueError, match="one weight"):
        rrf([[("a", 1.0)]], [1.0, 2.0])


def test_min_max_and_convex() -> None:
    assert min_max([("a", 2.0), ("b", 4.0)]) == [("a", 0.0), ("b", 1.0)]
    assert min_max([("a", 2.0), ("b", 2.0)]) == [("a", 1.0), ("b", 1.0)]
    assert min_max([]) == []
    fused = convex([[("a", 10.0), ("b", 0.0)], [("b", 1.0), ("a", 0.0)]], [0.7, 0.3])
    assert fused == [("a", pytest.approx(0.7)), ("b", pytest.approx(0.3))]


def test_hybrid_weak_leg_only_breaks_near_ties() -> None:
    bm25 = [("a", 20.0), ("b", 8.0), ("c", 7.9), ("z", 1.0)]
    dense = [("c", 0.9), ("d", 0.8), ("b", 0.1), ("a", 0.0)]
    fused = hybrid(bm25, dense, 0.1, rerank_only=True)
    assert [k for k, _ in fused] == ["a", "c", "b", "z"]  # confident a stays first; b/c near-tie flips
    assert "d" not in dict(fused)  # the weak leg adds nothing of its own


def test_hybrid_peer_legs_and_empty_legs() -> None:
    bm25 = [("a", 2.0), ("b", 1.8), ("c", 0.0)]
    dense = [("b", 0.9), ("d", 0.2)]
    assert [k for k, _ in hybrid(bm25, dense, 0.5)][:2] == ["b", "a"]  # both legs agree on b
    assert hybrid([], dense, 0.1, rerank_only=True) == [("b", 1.0), ("d", 0.0)]
    assert [k for k, _ in hybrid(bm25, [], 0.5)] == ["a", "b", "c"]
    with pytest.raises(ValueError):
        hybrid(bm25, dense, 1.5)
