"""Character accuracy of OCR text against the text a page was made from (tests and bench/ocr.py)."""

from __future__ import annotations

from studykb.text import normalize

__all__ = ["char_accuracy", "edit_distance"]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_accuracy(reference: str, text: str) -> float:
    """1 - edit distance / reference length, both compared without whitespace after normalize()."""
    ref, got = ("".join(normalize(t).split()) for t in (reference, text))
    return 1 - edit_distance(ref, got) / max(1, len(ref))
