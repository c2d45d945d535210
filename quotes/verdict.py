"""The verdict rule: which alignment scores make a quotation exact, near or not found.

Calibrated on tests/quotes/calibration.json (quotations written over the sample corpus: verbatim,
Traditional copies, one word changed, a clause dropped, words or clauses swapped, invented sentences);
`python bench/quotes.py --calibrate` prints each case's scores and the margin to these thresholds.
"""

from __future__ import annotations

from .align import Alignment
from .records import Status

__all__ = ["NEAR_EDIT", "NEAR_OVERLAP", "NEAR_OVERLAP_EDIT", "status_of"]

# Calibration (26 cases, all right; `python bench/quotes.py --calibrate`):
#   changed word             edit 0.90–0.96
#   swapped words / clauses  edit 0.75–0.82
#   dropped clause           edit 0.73–0.88, bigram share 0.96–1.0
#   invented sentence        edit ≤ 0.35, bigram share ≤ 0.36
# Thresholds sit between the groups.

#: Levenshtein similarity of quotation and aligned span from which a misquote is "near".
NEAR_EDIT = 0.60
#: A dropped clause lowers the edit similarity (the span keeps the clause) but keeps nearly all of the
#: quotation's character bigrams in the passage: near when at least this share is found ...
NEAR_OVERLAP = 0.75
#: ... and the aligned span still matches at least this well.
NEAR_OVERLAP_EDIT = 0.40


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
