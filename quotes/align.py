"""Aligning a quotation with a source passage: the matching key, the best span, the score, the diff.

Both sides are compared on their *key*: `studykb.text.fold` (Simplified, half-width, lower case) with
every character that is not a letter, digit or ideograph removed, so Traditional copies, full-width
forms and punctuation variants compare equal. Positions in the key map back to the original text,
so the source span is always cut from the source verbatim.

Scores are rapidfuzz similarities in 0–1: `edit` is the normalised Levenshtein similarity of the
quotation and the aligned span (one changed word in a 30-character sentence ≈ 0.93), `overlap` the
share of the quotation's character bigrams found in the passage (clauses in another order keep it
near 1, an invented sentence over the same vocabulary stays low). Thresholds: quotes/verdict.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from studykb.text import fold

from .records import DiffOp

__all__ = ["ELLIPSIS", "Alignment", "Key", "align", "align_parts", "diff", "key"]

_WORD = re.compile(r"[^\W_]")
#: The omission mark inside a quotation (……, …, ...): the parts around it are quoted in order.
ELLIPSIS = re.compile(r"…+|⋯+|\.{3,}")
#: An omission may leave out at most this many key characters per quoted character.
MAX_OMITTED_RATIO = 3


@dataclass(frozen=True)
class Key:
    """The matching key of a text and, for each key character, its index in the original text."""

    text: str
    positions: tuple[int, ...]
    length: int  # length of the original text

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original (start, end) covering key characters [i, j), with the punctuation that follows."""
        if i >= j:
            at = self.positions[i] if i < len(self.positions) else self.length
            return at, at
        end = self.positions[j] if j < len(self.positions) else self.length
        return self.positions[i], end


def key(text: str) -> Key:
    """The matching key of `text` (folded, only letters, digits and ideographs)."""
    folded = fold(text)
    if len(folded) != len(text):  # a phrase conversion changed the length: fold per character
        folded = "".join(fold(ch)[:1] or ch for ch in text)
    kept = [(ch, i) for i, ch in enumerate(folded) if _WORD.match(ch)]
    return Key("".join(ch for ch, _ in kept), tuple(i for _, i in kept), len(text))


@dataclass(frozen=True)
class Alignment:
    """Where a quotation's key best matches a passage's key: key span [start, end) and scores."""

    start: int
    end: int
    edit: float
    overlap: float

    @property
    def exact(self) -> bool:
        return self.edit == 1.0


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def align(quote: str, passage: str) -> Alignment:
    """Align key `quote` inside key `passage` (both from `key`)."""
    if not quote or not passage:
        return Alignment(0, 0, 0.0, 0.0)
    at = passage.find(quote)
    if at >= 0:
        return Alignment(at, at + len(quote), 1.0, 1.0)
    qb = _bigrams(quote)
    overlap = len(qb & _bigrams(passage)) / len(qb)
    if len(passage) <= len(quote):
        lo, hi = 0, len(passage)
    else:
        found = fuzz.partial_ratio_alignment(quote, passage)
        # A dropped clause makes the source span longer than the quotation: widen by a whole length.
        margin = max(8, len(quote))
        if found is None:  # only with a score cutoff, which is not given: align over the whole passage
            lo, hi = 0, len(passage)
        else:
            lo = max(0, found.dest_start - margin)
            hi = min(len(passage), max(found.dest_end, found.dest_start + len(quote)) + margin)
    # Global alignment against the widened window; source characters before the first and after the
    # last aligned quotation character are not part of the span.
    ops = list(Levenshtein.opcodes(quote, passage[lo:hi]))
    while ops and ops[0].tag == "insert":
        ops.pop(0)
    while ops and ops[-1].tag == "insert":
        ops.pop()
    if not ops:
        return Alignment(lo, lo, 0.0, overlap)
    # The global alignment may stretch to match a last (or first) character far away ("大胆干" against
    # "大胆闯。很多好经验是基层先干"): of the op boundaries near each end, keep the most similar span,
    # on ties the one nearest the quotation's length (a changed word rather than a missing one).
    starts = {lo + op.dest_start for op in ops[:6]}
    ends = {lo + op.dest_end for op in ops[-6:]}
    # ... and the spans of the quotation's own length from those (a changed last or first word).
    starts, ends = (starts | {max(0, b - len(quote)) for b in ends},
                    ends | {min(len(passage), a + len(quote)) for a in starts})
    best = max(
        ((Levenshtein.normalized_similarity(quote, passage[a:b]), -abs(b - a - len(quote)), a, b)
         for a in starts for b in ends if b > a),
        default=(0.0, 0, lo, lo),
    )
    return Alignment(best[2], best[3], best[0], overlap)


def align_parts(parts: list[str], passage: str) -> Alignment | None:
    """Exact alignment of a quotation with omissions: its `parts` (keys) found in order, close together.

    Returns None when a part is missing or the omitted text is longer than MAX_OMITTED_RATIO times
    the quoted text (then the parts are not one quotation of this passage).
    """
    for first in _find_all(passage, parts[0]):
        pos, ok = first + len(parts[0]), True
        for part in parts[1:]:
            at = passage.find(part, pos)
            if at < 0:
                ok = False
                break
            pos = at + len(part)
        quoted = sum(len(p) for p in parts)
        if ok and pos - first - quoted <= MAX_OMITTED_RATIO * quoted:
            return Alignment(first, pos, 1.0, 1.0)
    return None


def _find_all(text: str, part: str) -> list[int]:
    out, at = [], text.find(part)
    while at >= 0:
        out.append(at)
        at = text.find(part, at + 1)
    return out


def diff(quote_text: str, quote_key: Key, source_text: str, source_key: Key) -> tuple[DiffOp, ...]:
    """The character diff of a quotation against the source span it was aligned with.

    Both texts are the originals (the source verbatim); ops compare keys and cut the originals, so a
    difference only in punctuation or script is never reported.
    """
    out: list[DiffOp] = []
    for op in Levenshtein.opcodes(quote_key.text, source_key.text):
        qs, qe = quote_key.span(op.src_start, op.src_end)
        ss, se = source_key.span(op.dest_start, op.dest_end)
        kind = {"equal": "equal", "replace": "changed", "delete": "extra", "insert": "missing"}[op.tag]
        out.append(DiffOp(kind, quote_text[qs:qe], source_text[ss:se]))  # type: ignore[arg-type]
    return tuple(out)
