"""Chinese-aware chunking: sentence-bounded passages that respect headings and keep their provenance."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from studykb.errors import ConfigError

from .records import Block, Chunk

__all__ = [
    "DEFAULT_MAX_CHARS", "DEFAULT_OVERLAP", "MIN_MAX_CHARS", "STUB_CHARS", "chunk", "heading_rank",
    "index_text", "split_sentences", "stub_kind",
]

DEFAULT_MAX_CHARS = 320
DEFAULT_OVERLAP = 60
#: The smallest passage length allowed.
MIN_MAX_CHARS = 20

# A sentence ends after 。！？；… (or ASCII .!?; before a space/end) plus any closing quotes/brackets.
_SENT_END = re.compile(r"(?:[。！？；!?;]+|…+|\.(?=\s|$))[”’」』）)》\"']*")
# Where to break a sentence that alone exceeds the limit: after a comma-like mark.
_SOFT_BREAK = re.compile(r"[，、：,:]")

_NUM = "一二三四五六七八九十百零〇两"
# Textual heading patterns in the order of their usual depth in Chinese documents.
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{_NUM}\d]+[编部篇章]")),
    (1, re.compile(rf"^第[{_NUM}\d]+部分")),
    (2, re.compile(rf"^第[{_NUM}\d]+节")),
    (3, re.compile(rf"^[{_NUM}]+、")),
    (4, re.compile(rf"^[（(][{_NUM}]+[）)]")),
    (5, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (6, re.compile(r"^[（(]\d{1,2}[）)]")),
)
_MAX_HEADING_CHARS = 40
_HEADING_TAIL = re.compile(r"[。！？；，,;!?]$")
#: A body line this short that is a source note or has no sentence end is no passage on its own.
STUB_CHARS = 40
# A source note closing an excerpt: "（摘自…）", "（来源：…）", "——摘自《…》".
_SOURCE_NOTE = re.compile(
    r"^(?:[（(](?:摘自|选自|来源|转引自|原载|载).*[）)]|[—－-]{1,2}\s*(?:摘自|选自).*)$")
_SENTENCE_END = re.compile(r"[。！？；!?;]")


def heading_rank(block: Block) -> int | None:
    """Return the depth (1 = outermost) of a heading block, or None for body text.

    Format headings (DOCX styles, Markdown #, HTML h1-h6) keep their level; plain-text headings are
    recognised by their numbering (第一章 → 1, 第一节 → 2, 一、→ 3, （一）→ 4, 1. → 5, (1) → 6) when
    the line is short and does not end like a sentence.
    """
    if block.heading_level is not None:
        return block.heading_level
    text = block.text.strip()
    if not text or len(text) > _MAX_HEADING_CHARS or "\n" in text or _HEADING_TAIL.search(text):
        return None
    for rank, pattern in _HEADING_PATTERNS:
        if pattern.match(text):
            return rank + 6  # below any format heading level, so both can nest
    return None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of `text`, covering it without gaps.

    Example: split_sentences("一。二！") == [(0, 2), (2, 4)].
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        if end > start:
            spans.append((start, end))
            start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


@dataclass
class _Section:
    path: tuple[str, ...]
    spans: list[tuple[int, int]]  # sentence spans in document coordinates


def _hard_split(start: int, end: int, text: str, max_chars: int) -> list[tuple[int, int]]:
    """Split an over-long sentence at commas where possible, else at exactly max_chars."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max((m.end() for m in _SOFT_BREAK.finditer(window)), default=0)
        if cut < max_chars // 2:
            cut = max_chars
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def stub_kind(line: str) -> str | None:
    """"after" for a source note that closes the text before it ("（摘自…）"), "before" for a short line
    without a sentence end (a bare title or name) that belongs to the text after it, None otherwise."""
    line = line.strip()
    if not line or len(line) > STUB_CHARS:
        return None
    if _SOURCE_NOTE.match(line):
        return "after"
    return None if _SENTENCE_END.search(line) else "before"


def _sections(blocks: Sequence[Block], text: str, offsets: list[int], max_chars: int) -> list[_Section]:
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []
    current = _Section((), [])
    pending: tuple[int, int] | None = None  # a "before" stub waiting for the next sentence of its section

    def close() -> None:
        nonlocal pending
        if pending is not None:  # nothing followed it in its section: it stays a passage of its own
            current.spans.append(pending)
            pending = None
        if current.spans:
            sections.append(current)

    for block, base in zip(blocks, offsets, strict=True):
        rank = heading_rank(block)
        if rank is not None:
            close()
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, block.text.strip()))
            current = _Section(tuple(h for _, h in stack), [])
            continue
        kind = stub_kind(block.text)
        if kind is not None and pending is None:
            s, e = _strip(text, base, base + len(block.text))
            # Stubs join their neighbour within the passage limit; otherwise they stay as they are.
            if kind == "after" and current.spans and e - current.spans[-1][0] <= max_chars:
                current.spans[-1] = (current.spans[-1][0], e)
                continue
            if kind == "before":
                pending = (s, e)
                continue
        for s, e in split_sentences(block.text):
            s, e = _strip(text, base + s, base + e)
            if e <= s:
                continue
            if pending is not None:
                if e - pending[0] <= max_chars:
                    s = pending[0]
                else:
                    current.spans.append(pending)
                pending = None
            current.spans.extend(_hard_split(s, e, text, max_chars))
    close()
    return sections


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pack(spans: list[tuple[int, int]], max_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into windows of at most max_chars, with sentence overlap."""
    windows: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= max_chars:
            j += 1
        windows.append((spans[i][0], spans[j][1]))
        if j + 1 >= len(spans):
            break
        # Step back over trailing sentences that fit in the overlap budget (but always advance).
        k = j + 1
        while k - 1 > i and spans[j][1] - spans[k - 1][0] <= overlap:
            k -= 1
        # ...but never so many that the next sentence no longer fits beside them.
        while k <= j and spans[j + 1][1] - spans[k][0] > max_chars:
            k += 1
        i = k
    return windows


def index_text(text: str, heading_path: Sequence[str]) -> str:
    """The text that is embedded and BM25-indexed for a passage: its nearest heading, then its text."""
    return f"{heading_path[-1]}\n{text}" if heading_path else text


def chunk(
    blocks: Sequence[Block], *, max_chars: int = DEFAULT_MAX_CHARS, overlap: int = DEFAULT_OVERLAP
) -> list[Chunk]:
    """Cut extracted blocks into passages of at most `max_chars` characters.

    Passages end at sentence ends (。！？；… and closing quotes), never mid-sentence unless a single
    sentence exceeds the limit; a heading always starts a new passage and is recorded in the
    passage's heading path; consecutive passages of one section share up to `overlap` characters
    of whole sentences. Offsets refer to `"\\n".join(block.text for block in blocks)`.
    """
    if max_chars < MIN_MAX_CHARS:
        raise ConfigError(f"chunk size max_chars={max_chars} is too small (minimum {MIN_MAX_CHARS})")
    if not 0 <= overlap < max_chars:
        raise ConfigError(f"chunk overlap={overlap} must be ≥ 0 and smaller than max_chars={max_chars}")
    text = "\n".join(b.text for b in blocks)
    offsets, pos = [], 0
    for b in blocks:
        offsets.append(pos)
        pos += len(b.text) + 1
    chunks: list[Chunk] = []
    for section in _sections(blocks, text, offsets, max_chars):
        for start, end in _pack(section.spans, max_chars, overlap):
            first, last = _block_at(offsets, start), _block_at(offsets, end - 1)
            confs = [b.ocr_confidence for b in blocks[first : last + 1] if b.ocr_confidence is not None]
            chunks.append(
                Chunk(
                    text=text[start:end],
                    start=start,
                    end=end,
                    page=blocks[first].page,
                    page_end=blocks[last].page,
                    heading_path=section.path,
                    ocr_confidence=sum(confs) / len(confs) if confs else None,
                )
            )
    return chunks


def _block_at(offsets: list[int], pos: int) -> int:
    import bisect

    return bisect.bisect_right(offsets, pos) - 1
