"""The relevance floor: which hits are only weak matches.

Fusion ranks candidates relative to each other, so a query about nothing in the library still
gets a "best" passage, and BM25 matches any passage sharing one common word. A hit counts as
relevant when either leg has real evidence for it:

- keywords: the passage holds at least COVERAGE_FLOOR of the query's distinct terms, weighted by
  IDF (search/lexical.py `coverage`), or
- meaning: the query–passage cosine of a model that reads the query's language reaches
  DENSE_FLOOR.

The engine cuts its fused ranking after the last hit with such evidence: the hits below the cut are
`weak` (the ranking itself is never changed). The app shows them under "以下结果相关度较低", says
"未找到高度相关的内容" when every hit is weak, and counts only the hits above the cut in
"找到 N 个相关段落".
Floors calibrated on the legs bench/retrieval.py computes for the CMRC trial, the question sets of
bench/questions/ and generated nonsense queries (figures in docs/retrieval.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["COVERAGE_FLOOR", "DENSE_FLOOR", "weak_flags"]

#: IDF-weighted share of the query's terms a passage must contain to count as a keyword match.
COVERAGE_FLOOR = 0.5
#: Cosine (multilingual USE) at which a passage counts as a match in meaning.
DENSE_FLOOR = 0.3


def weak_flags(
    positions: Sequence[int],
    coverage: np.ndarray,
    dense: Sequence[tuple[int, float]],
    *,
    dense_counts: bool,
) -> list[bool]:
    """One flag per position: True when neither leg's evidence reaches its floor.

    `coverage` is aligned with `positions`; `dense` is the dense leg's (position, cosine) list,
    best first. A position missing from it scores no higher than its last entry (the leg returns
    the top cosines). `dense_counts` is False when the model cannot read the query (its cosines
    mean nothing) or the dense leg did not run.
    """
    cosine = dict(dense)
    below = dense[-1][1] if dense else 0.0
    flags: list[bool] = []
    for pos, cov in zip(positions, coverage, strict=True):
        meaning = dense_counts and cosine.get(pos, below) >= DENSE_FLOOR
        flags.append(not (cov >= COVERAGE_FLOOR or meaning))
    return flags
