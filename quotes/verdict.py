"""The verdict rule: which alignment scores make a quotation exact, near or not found.

Calibrated on tests/quotes/calibration.json (quotations written over the sample corpus: verbatim,
Traditional copies, one word changed, a clause dropped, words or clauses swapped, invented sentences);
`python bench/quotes.py --calibrate` prints each case's scores and the margin to these thresholds.
"""

from __future__ import annotations

from .align import Alignment
from .records import Status

__all__ = ["NEAR_EDIT", "NEAR_OVERLAP", "NEAR_OVERLAP_EDIT", "status_of"]

#: Levenshtein similarity of quotation and aligned span from which a misquote is "near": one changed
#: word or a dropped clause in a sentence stays above it, invented sentences stay well below.
NEAR_EDIT = 0.72
#: Clauses in another order keep nearly all of a quotation's character bigrams in the passage while the
#: edit similarity drops: near when at least this share of bigrams is found ...
NEAR_OVERLAP = 0.9
#: ... and the aligned span still matches this well (an invented sentence assembled from common words
#: can reach a high bigram share but aligns badly).
NEAR_OVERLAP_EDIT = 0.45


def status_of(alignment: Alignment) -> Status:
    """exact / near / not_found for one alignment."""
    if alignment.exact:
        return "exact"
    if alignment.edit >= NEAR_EDIT:
        return "near"
    if alignment.overlap >= NEAR_OVERLAP and alignment.edit >= NEAR_OVERLAP_EDIT:
        return "near"
    return "not_found"


def rank_score(alignment: Alignment) -> float:
    """One number to choose the best passage among candidates (edit first, bigram share second)."""
    return alignment.edit + 0.25 * alignment.overlap
