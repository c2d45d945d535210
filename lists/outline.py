"""Where a document's headings are in its text, found from its passages' heading paths.

Ingest joins a document's blocks with newlines and cuts every non-heading block into passages, so the
text of a heading is exactly a line that no passage covers. Each such line is a heading; its depth is
its place in the heading path of the passages under it. A heading whose section has no text of its own
and no sub-heading with text is in no passage's path: it takes the depth of the next heading whose depth
is known (usually a sibling), else 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Heading", "Layout", "outline"]

#: (start, end, heading path) of each passage of one document, as stored in `chunks`.
Layout = Sequence[tuple[int, int, tuple[str, ...]]]

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Heading:
    """One heading line of a document: text[start:end] (stripped) at `depth` (1 = outermost)."""

    start: int
    end: int
    depth: int
    text: str


def _covered(layout: Layout) -> list[tuple[int, int]]:
    """The union of the passages' spans, sorted."""
    spans: list[tuple[int, int]] = []
    for start, end, _ in sorted(layout):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _depth_in(path: tuple[str, ...], heading: str) -> int | None:
    for i in range(len(path) - 1, -1, -1):
        if path[i] == heading:
            return i + 1
    return None


def outline(text: str, layout: Layout) -> tuple[Heading, ...]:
    """The heading lines of `text`, in order, given its passages' layout (no passages: no headings).

    Example: outline("一、总则\\n正文。", [(5, 8, ("一、总则",))]) == (Heading(0, 4, 1, "一、总则"),)
    """
    if not layout:
        return ()
    covered = _covered(layout)
    passages = sorted(layout)
    found: list[tuple[int, int, str, int | None]] = []
    span_i = passage_i = 0
    for m in _LINE.finditer(text):
        line = m.group()
        start = m.start() + len(line) - len(line.lstrip())
        end = m.end() - (len(line) - len(line.rstrip()))
        if end <= start:
            continue
        while span_i < len(covered) and covered[span_i][1] <= start:
            span_i += 1
        if span_i < len(covered) and covered[span_i][0] < end:
            continue  # part of a passage: body text
        while passage_i < len(passages) and passages[passage_i][0] < end:
            passage_i += 1
        heading = text[start:end]
        after = passages[passage_i][2] if passage_i < len(passages) else ()
        found.append((start, end, heading, _depth_in(after, heading)))
    out: list[Heading] = []
    for i, (start, end, heading, depth) in enumerate(found):
        if depth is None:
            depth = next((d for *_, d in found[i + 1 :] if d is not None), 1)
        out.append(Heading(start, end, depth, heading))
    return tuple(out)
