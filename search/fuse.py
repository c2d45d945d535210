"""Fusing ranked lists from several retrieval legs: pure functions over [(id, score)] lists.

Reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009) scores an item by Σ wᵢ / (k + rankᵢ).
The constant k = 60 is the paper's: it damps the difference between the first ranks so that one
leg's top hit cannot dominate, while items found by several legs rise. Weights let a weak leg act
as a tie-breaker (the English-only fallback model on a Chinese query) instead of a peer.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = ["RRF_K", "convex", "min_max", "rrf"]

RRF_K = 60
K = TypeVar("K", bound=Hashable)


def rrf(
    ranked: Sequence[Sequence[tuple[K, float]]], weights: Sequence[float] | None = None, k: int = RRF_K
) -> list[tuple[K, float]]:
    """Weighted reciprocal-rank fusion of ranked lists (best first); returns [(id, fused)] best first.

    Ties keep the order in which ids first appeared (list by list), so fusion is deterministic.
    """
    weights = list(weights) if weights is not None else [1.0] * len(ranked)
    if len(weights) != len(ranked):
        raise ValueError("one weight per ranked list is needed")
    scores: dict[K, float] = {}
    for items, weight in zip(ranked, weights, strict=True):
        for rank, (key, _) in enumerate(items, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def min_max(items: Sequence[tuple[K, float]]) -> list[tuple[K, float]]:
    """Scale scores to [0, 1] within the list (all 1.0 when every score is equal)."""
    if not items:
        return []
    lo = min(s for _, s in items)
    hi = max(s for _, s in items)
    if hi == lo:
        return [(key, 1.0) for key, _ in items]
    return [(key, (s - lo) / (hi - lo)) for key, s in items]


def convex(
    ranked: Sequence[Sequence[tuple[K, float]]], weights: Sequence[float]
) -> list[tuple[K, float]]:
    """Σ wᵢ · min-max-normalised scoreᵢ (an id missing from a list contributes 0 for that list)."""
    if len(weights) != len(ranked):
        raise ValueError("one weight per ranked list is needed")
    scores: dict[K, float] = {}
    for items, weight in zip(ranked, weights, strict=True):
        for key, s in min_max(items):
            scores[key] = scores.get(key, 0.0) + weight * s
    return sorted(scores.items(), key=lambda kv: -kv[1])
