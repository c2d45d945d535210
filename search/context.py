"""Evidence from a passage's context: the keywords of its neighbours, and the meaning of its document.

Neighbours: the words of a question and its answer are often cut into adjacent passages of one
document.

Passages are at most 320 characters, so a question that names its subject ("盾柱木的羽片有什么特点？")
often matches the passage that introduces 盾柱木 while the answer (羽片8~14对…) sits in the next one,
which BM25 scores low or not at all. `with_neighbours` adds to each passage's BM25 score a share
NEIGHBOUR_WEIGHT of the best score of the passages on either side of it in the same document, and
brings those neighbours in as candidates. Rows of an index version are sorted by passage id and a
document's passages are stored in order, so the neighbours of row p are rows p − 1 and p + 1 when
they belong to the same document.

Measured with bench/retrieval.py (docs/retrieval.md, "Neighbour context"): on the CMRC trial, answer
recall@5 0.968 → 0.972 and MRR 0.977 → 0.978 at 0.1 (0.05–0.15 alike); at 0.2 the paraphrase set
lost (MRR 0.978 → 0.956). The engine applies it to Chinese queries only: an English query's BM25
matches are stray Latin words in Chinese text (with it, the English set lost 0.893 → 0.882).

Document: `with_document` adds to each dense candidate's cosine DOCUMENT_WEIGHT × the cosine of the
query to its document's mean vector (search/doc_vectors.py). On the English questions (where the
dense leg is nearly all the evidence) MRR 0.893 → 0.905 at 0.3 (R@1 0.800 → 0.844; 0.2–0.4 gave
0.903–0.906, 0.1 gave 0.883, 0.5 0.888); CMRC answer recall@5 0.972 → 0.976, MRR 0.978 → 0.979; the
paraphrase set unchanged (0.978).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["DOCUMENT_WEIGHT", "NEIGHBOUR_WEIGHT", "with_document", "with_neighbours"]

#: Share of the best neighbour's BM25 score added to a passage's own.
NEIGHBOUR_WEIGHT = 0.1
#: Share of the query's cosine to the passage's document added to the passage's own cosine.
DOCUMENT_WEIGHT = 0.3


def with_neighbours(
    items: Sequence[tuple[int, float]], doc_of: np.ndarray, weight: float = NEIGHBOUR_WEIGHT
) -> list[tuple[int, float]]:
    """BM25 (position, score) list → the same with neighbour evidence, best first (ties by position).

    Every position of `items` and its same-document neighbours (rows p ± 1 with equal `doc_of`) is a
    candidate scoring own score (0 if not in `items`) + `weight` × the larger neighbour's score.
    """
    if not items or weight <= 0:
        return list(items)
    own = dict(items)
    n = len(doc_of)
    candidates: set[int] = set()
    for p in own:
        candidates.add(p)
        for q in (p - 1, p + 1):
            if 0 <= q < n and doc_of[q] == doc_of[p]:
                candidates.add(q)
    out: list[tuple[int, float]] = []
    for p in candidates:
        near = max(
            (own.get(q, 0.0) for q in (p - 1, p + 1) if 0 <= q < n and doc_of[q] == doc_of[p]),
            default=0.0,
        )
        out.append((p, own.get(p, 0.0) + weight * near))
    out.sort(key=lambda item: (-item[1], item[0]))
    return out


def with_document(
    items: Sequence[tuple[int, float]], document_cosines: np.ndarray, weight: float = DOCUMENT_WEIGHT
) -> list[tuple[int, float]]:
    """Dense (position, cosine) list → cosine + `weight` × its document's cosine (aligned with
    `items`), best first (ties by position)."""
    out = [(p, s + weight * float(d)) for (p, s), d in zip(items, document_cosines, strict=True)]
    out.sort(key=lambda item: (-item[1], item[0]))
    return out
