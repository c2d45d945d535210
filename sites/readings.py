"""Related readings of a site: library passages found for its name, related queries and themes, fused."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from studykb.errors import StudyKBError

from .records import SITE_TYPES, Site

if TYPE_CHECKING:
    from search.engine import Engine
    from search.records import Hit

__all__ = ["GENERIC_WORDS", "RRF_K", "WEIGHTS", "fuse", "name_queries", "reading_queries", "related_readings"]

RRF_K = 60
"""Reciprocal-rank-fusion constant: a hit at rank r of one query adds weight / (RRF_K + r). 60 is the
value of Cormack et al. (2009); it keeps one query's top hit from outweighing agreement between queries."""

WEIGHTS = {"name": 2.0, "related": 1.0, "theme": 0.5}
"""How much each kind of query counts: the site's own name most, broad themes (建党, 抗战) least."""

GENERIC_WORDS: tuple[str, ...] = (*SITE_TYPES, "陈列馆", "纪念室", "纪念碑", "博物馆", "会址", "旧居", "祖居")
"""Words that name what kind of place a site is; left out of the name query, since passages that
merely mention some 故居 or 纪念馆 are not readings about this site."""

_QUOTES = re.compile(r"[\"“”「」『』]")
_BRACKETS = re.compile(r"[（）()]")


def name_queries(name: str) -> tuple[str, ...]:
    """The distinctive parts of a site's name: each bracketed part on its own, generic words removed.

    Example: 南湖红船（中共一大南湖会址） → 南湖红船, 中共一大南湖; 秋瑾故居 → 秋瑾.
    """
    parts = []
    for part in _BRACKETS.split(name):
        for word in GENERIC_WORDS:
            part = part.replace(word, " ")
        part = " ".join(part.split())
        if len(part.replace(" ", "")) >= 2:
            parts.append(part)
    return tuple(parts)


def reading_queries(site: Site) -> tuple[tuple[str, float], ...]:
    """The (query, weight) pairs searched for a site: the distinctive parts of its name, its related
    queries, its themes; quotes removed (a quoted query would demand verbatim wording), duplicates
    dropped."""
    pairs: list[tuple[str, float]] = []
    seen: set[str] = set()
    kinds = [
        *((q, "name") for q in name_queries(site.name)),
        *((q, "related") for q in site.related_queries),
        *((t, "theme") for t in site.themes),
    ]
    for text, kind in kinds:
        query = _QUOTES.sub("", text).strip()
        if query and query not in seen:
            seen.add(query)
            pairs.append((query, WEIGHTS[kind]))
    return tuple(pairs)


def fuse(ranked: Sequence[tuple[Sequence[Hit], float]], k: int) -> list[Hit]:
    """Merge ranked hit lists (each with its weight) by chunk id with weighted reciprocal-rank fusion;
    return the best `k`, each passage once (ties keep first-seen order)."""
    scores: dict[int, float] = {}
    first: dict[int, Hit] = {}
    for hits, weight in ranked:
        for rank, hit in enumerate(hits, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight / (RRF_K + rank)
            first.setdefault(hit.chunk_id, hit)
    order = sorted(first, key=lambda chunk_id: -scores[chunk_id])
    return [first[chunk_id] for chunk_id in order[:k]]


def related_readings(engine: Engine, site: Site, k: int = 5, per_query: int = 8) -> list[Hit]:
    """The `k` library passages most related to `site`.

    Each query's hits are fetched with `engine.search`; when the index uses the English-only
    fallback model, only hits with keyword evidence (BM25 or phrase) count, since its dense hits on
    Chinese text are close to random.
    """
    lexical_only = bool(engine.status().get("model_fallback"))
    ranked: list[tuple[Sequence[Hit], float]] = []
    for query, weight in reading_queries(site):
        try:
            hits = engine.search(query, k=per_query).hits
        except StudyKBError:
            continue
        if lexical_only:
            hits = tuple(hit for hit in hits if {"bm25", "phrase"} & set(hit.legs))
        ranked.append((hits, weight))
    return fuse(ranked, k)
