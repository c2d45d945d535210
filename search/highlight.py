"""Highlighting query terms in passages, cutting snippets, and escaping text for Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from studykb.text import find_words, fold

__all__ = ["escape_markdown", "mark_spans", "snippet"]

Span = tuple[int, int]
# Every ASCII punctuation mark that Markdown (or Streamlit's :color[] directives) could read as syntax:
# & would start an entity, = a setext heading, the rest emphasis, links, code, HTML, lists and tables.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=])")


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


def snippet(text: str, spans: Sequence[Span], width: int = 160, *,
            centred: bool = False) -> tuple[str, list[Span]]:
    """A window of about `width` characters around the densest run of highlights, or with `centred`
    (exact quotes) around the first highlight, which it then holds whole.

    Returns the snippet (with … where text was cut) and the spans shifted into it.
    """
    if len(text) <= width:
        return text, list(spans)
    best_start, best_count = 0, -1
    if centred and spans:
        s, e = spans[0]
        width = max(width, e - s)
        best_start = max(0, (s + e) // 2 - width // 2)
        spans = [(a, b) for a, b in spans if a >= best_start and b <= best_start + width]
    for s, _ in spans if not centred else ():
        start = max(0, s - width // 4)
        count = sum(1 for a, b in spans if a >= start and b <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    start = min(best_start, max(0, len(text) - width))
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shifted = [
        (a - start + len(prefix), b - start + len(prefix)) for a, b in spans if a >= start and b <= end
    ]
    return prefix + text[start:end] + suffix, shifted


def escape_markdown(text: str) -> str:
    """Escape Markdown/HTML syntax so document text renders as literal text in st.markdown."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")
