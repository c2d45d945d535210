"""Highlighting query terms in passages and cutting snippets, safely renderable as Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from studykb.text import find_words, fold

__all__ = ["escape_markdown", "mark_spans", "snippet", "to_markdown"]

Span = tuple[int, int]
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$>])")


def mark_spans(text: str, terms: Iterable[str], phrases: Iterable[str] = ()) -> list[Span]:
    """Spans of `text` to highlight: jieba words whose folded form is a query term, and every
    occurrence of an exact phrase (matched on folded text). Overlapping spans are merged."""
    wanted = {t for t in terms if t}
    folded = fold(text)
    spans: list[Span] = find_words(folded, wanted) if len(folded) == len(text) else []
    if len(folded) == len(text):
        for phrase in phrases:
            start = folded.find(phrase)
            while phrase and start >= 0:
                spans.append((start, start + len(phrase)))
                start = folded.find(phrase, start + 1)
    return _merge(spans)


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def snippet(text: str, spans: Sequence[Span], width: int = 160) -> tuple[str, list[Span]]:
    """A window of about `width` characters around the densest run of highlights.

    Returns the snippet (with … where text was cut) and the spans shifted into it.
    """
    if len(text) <= width:
        return text, list(spans)
    best_start, best_count = 0, -1
    for s, _ in spans:
        start = max(0, s - width // 4)
        count = sum(1 for a, b in spans if a >= start and b <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    start = min(best_start, max(0, len(text) - width))
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shifted = [(a - start + len(prefix), b - start + len(prefix)) for a, b in spans if a >= start and b <= end]
    return prefix + text[start:end] + suffix, shifted


def escape_markdown(text: str) -> str:
    """Escape Markdown/HTML syntax so document text renders as literal text in st.markdown."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def to_markdown(text: str, spans: Sequence[Span]) -> str:
    """Escaped Markdown of `text` with `spans` in bold: safe for st.markdown (no HTML needed)."""
    out: list[str] = []
    pos = 0
    for s, e in spans:
        out.append(escape_markdown(text[pos:s]))
        inner = escape_markdown(text[s:e]).strip()
        out.append(f"**{inner}**" if inner else escape_markdown(text[s:e]))
        pos = e
    out.append(escape_markdown(text[pos:]))
    return "".join(out)
