"""Reading order of OCR'd text lines: columns left to right, lines top to bottom, then paragraphs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.clean import join_text

__all__ = ["OcrLine", "Paragraph", "find_column_gaps", "reading_order"]

# Share of the text area's width up to which a line counts as a column line when looking for gutters.
_NARROW = 0.6
# A gutter is at least this many character heights wide (and 2% of the text area).
_GUTTER_CHARS = 1.5
# Indentation (in character heights) that opens a paragraph, and the room left at the end of a line
# (in character heights) that closes one.
_INDENT_CHARS = 0.8
_SHORT_CHARS = 1.5


@dataclass(frozen=True)
class OcrLine:
    """One recognised text box, its confidence (0..1) and its box in the upright page frame (pixels)."""

    text: str
    confidence: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        """Box height: about one character height for horizontal text."""
        return self.y1 - self.y0

    @property
    def y_mid(self) -> float:
        """Vertical centre of the box."""
        return (self.y0 + self.y1) / 2

    def __repr__(self) -> str:
        return f"OcrLine({self.text[:16]!r} {self.confidence:.2f} @{self.x0:.0f},{self.y0:.0f})"


@dataclass(frozen=True)
class Paragraph:
    """Lines read as one paragraph; `confidence` is the mean confidence of its boxes."""

    text: str
    confidence: float
    lines: tuple[OcrLine, ...]

    def __repr__(self) -> str:
        return f"Paragraph({self.text[:20]!r} {self.confidence:.2f}, {len(self.lines)} boxes)"


def find_column_gaps(lines: Sequence[OcrLine]) -> list[tuple[float, float]]:
    """The vertical gutters (x_start, x_end) between text columns, left to right; [] for one column.

    Only lines narrower than 60% of the text area are considered (a title across both columns
    does not close the gutter). A gutter is an x range at least 1.5 character heights and 2% of
    the text area wide that at most one such line in twenty reaches into (a box drawn a little
    long does not close it), with at least two lines on each side and fewer lines crossing it
    than there are on either side.
    """
    if len(lines) < 4:
        return []
    left, right = math.floor(min(line.x0 for line in lines)), math.ceil(max(line.x1 for line in lines))
    area = right - left
    if area <= 0:
        return []
    narrow = [line for line in lines if line.x1 - line.x0 < _NARROW * area]
    if len(narrow) < 4:
        return []
    char = statistics.median(line.height for line in narrow)
    min_gap = max(_GUTTER_CHARS * char, 0.02 * area)
    # How many narrow lines cover each x (a difference array, then running sums).
    steps = [0] * (area + 2)
    for line in narrow:
        steps[int(line.x0) - left] += 1
        steps[math.ceil(line.x1) - left] -= 1
    allowed = len(narrow) // 20
    gaps: list[tuple[float, float]] = []
    covered, run_start = 0, None
    for x in range(area + 1):
        covered += steps[x]
        if covered <= allowed and run_start is None:
            run_start = x
        elif covered > allowed and run_start is not None:
            if x - run_start >= min_gap and run_start > 0:
                gaps.append((float(left + run_start), float(left + x)))
            run_start = None
    kept: list[tuple[float, float]] = []
    for a, b in gaps:
        left_side = sum(line.x0 < a and line.x1 <= b for line in lines)
        right_side = sum(line.x0 >= a and line.x1 > b for line in lines)
        crossing = sum(line.x0 < a and line.x1 > b for line in lines)
        # Columns hold more lines than cross them: a gap between short last lines and centred
        # headings of a one-column page is crossed by every full line.
        if min(left_side, right_side) >= 2 and crossing < min(left_side, right_side):
            kept.append((a, b))
    return kept


def reading_order(lines: Sequence[OcrLine]) -> list[Paragraph]:
    """Group OCR boxes (upright frame) into paragraphs in reading order.

    The page is cut into bands at lines that cross a column gutter (titles, full-width text);
    within a band columns are read left to right, each top to bottom. Boxes on the same row of
    a column are joined left to right. A paragraph starts after a larger vertical gap, at an
    indented row, after a row that stops short of the column's right edge, and where the
    character height changes (a heading above body text).
    """
    lines = [line for line in lines if line.text.strip()]
    if not lines:
        return []
    gaps = find_column_gaps(lines)
    paragraphs: list[Paragraph] = []
    for segment in _segments(lines, gaps):
        paragraphs += _paragraphs(_rows(segment))
    return paragraphs


def _segments(lines: list[OcrLine], gaps: list[tuple[float, float]]) -> list[list[OcrLine]]:
    """Column pieces in reading order: per band, each column top to bottom, then the spanning line."""
    if not gaps:
        return [lines]
    cuts = [(a + b) / 2 for a, b in gaps]

    def spans(line: OcrLine) -> bool:
        return any(line.x0 < a and line.x1 > b for a, b in gaps)

    def column(line: OcrLine) -> int:
        centre = (line.x0 + line.x1) / 2
        return sum(centre > cut for cut in cuts)

    segments: list[list[OcrLine]] = []
    band: list[list[OcrLine]] = [[] for _ in range(len(cuts) + 1)]
    for line in sorted(lines, key=lambda line: line.y_mid):
        if spans(line):
            segments += [col for col in band if col]
            band = [[] for _ in range(len(cuts) + 1)]
            segments.append([line])
        else:
            band[column(line)].append(line)
    segments += [col for col in band if col]
    return segments


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Boxes of one column grouped into rows (vertical overlap over half the smaller height)."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda line: line.y_mid):
        if rows:
            last = rows[-1]
            top, bottom = min(b.y0 for b in last), max(b.y1 for b in last)
            overlap = min(bottom, line.y1) - max(top, line.y0)
            if overlap > 0.5 * min(bottom - top, line.height):
                last.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda line: line.x0) for row in rows]


def _row_text(row: list[OcrLine]) -> str:
    """The boxes of a row joined left to right; a wide space between boxes stays one space."""
    text = row[0].text.strip()
    for prev, line in zip(row, row[1:], strict=False):
        wide = line.x0 - prev.x1 > 0.8 * max(prev.height, line.height)
        text = f"{text} {line.text.strip()}" if wide else join_text(text, line.text)
    return text


def _paragraphs(rows: list[list[OcrLine]]) -> list[Paragraph]:
    """Rows of one column cut into paragraphs by gap, indentation, short rows and height change."""
    if not rows:
        return []
    boxes = [
        (min(b.x0 for b in r), min(b.y0 for b in r), max(b.x1 for b in r), max(b.y1 for b in r)) for r in rows
    ]
    heights = [y1 - y0 for _, y0, _, y1 in boxes]
    char = statistics.median(heights)
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    gaps = [max(0.0, boxes[i + 1][1] - boxes[i][3]) for i in range(len(boxes) - 1)]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    groups: list[list[int]] = [[0]]
    for i in range(1, len(rows)):
        height_change = heights[i] > 1.3 * heights[i - 1] or heights[i] < heights[i - 1] / 1.3
        new = (
            gaps[i - 1] > usual_gap + 0.5 * char
            or boxes[i][0] - left > _INDENT_CHARS * char
            or right - boxes[i - 1][2] > _SHORT_CHARS * char
            or height_change
        )
        if new:
            groups.append([i])
        else:
            groups[-1].append(i)
    out: list[Paragraph] = []
    for group in groups:
        text = ""
        members: list[OcrLine] = []
        for i in group:
            text = join_text(text, _row_text(rows[i])) if text else _row_text(rows[i])
            members += rows[i]
        confidence = sum(b.confidence for b in members) / len(members)
        out.append(Paragraph(text, confidence, tuple(members)))
    return out
