"""OCR of PDF pages without a text layer: page images, a cache by image hash, and the blocks they yield.

OCR is active only inside `ocr_session(...)` (the ingest worker opens one per file when OCR is on);
plain `extract(path)` calls never load the OCR engine. Heavy modules (RapidOCR, OpenCV, NumPy,
pypdfium2) are imported on first use.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from studykb.errors import StudyKBError

from .clean import collapse_spaces, normalize_width, strip_page_furniture
from .ocr_cache import OcrCache
from .ocr_engine import ENGINE_TAG, PageLines, recognise
from .ocr_layout import Paragraph, reading_order
from .ocr_pages import PageImages, has_content, image_hash, is_blank
from .ocr_settings import (
    CACHE_DIR_NAME,
    MAX_OCR_PAGES,
    MIN_TEXT_CHARS,
    OCR_SECONDS_PER_PAGE,
    OCR_STALL_S,
    OcrProgress,
    OcrSettings,
    OcrStats,
    cache_dir,
)
from .records import Block
from .report import page_ranges

__all__ = [
    "CACHE_DIR_NAME",
    "MAX_OCR_PAGES",
    "MIN_TEXT_CHARS",
    "OCR_SECONDS_PER_PAGE",
    "OCR_STALL_S",
    "OcrProgress",
    "OcrSession",
    "OcrSettings",
    "OcrStats",
    "cache_dir",
    "fix_punctuation",
    "image_hash",
    "needs_ocr",
    "ocr_active",
    "ocr_scanned_pages",
    "ocr_session",
]

# Running headers and footers are short: a longer paragraph repeated at the top of pages stays.
_FURNITURE_CHARS = 40
# ASCII punctuation the recogniser puts next to Chinese characters, and its full-width form.
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
_PUNCT_NEAR_HAN = re.compile(rf"(?<={_HAN})[,;:?!]|[,;:?!](?={_HAN})")

_SESSION: ContextVar[OcrSession | None] = ContextVar("studykb_ocr_session", default=None)


def fix_punctuation(text: str) -> str:
    """OCR text with ASCII , ; : ? ! next to Chinese characters made full-width, and straight double
    quotes in Chinese text paired as “ and ” (the recogniser often reads ” as ").

    Example: fix_punctuation('“两个确立"的意义,要深刻领会') == "“两个确立”的意义，要深刻领会"
    """
    text = _PUNCT_NEAR_HAN.sub(lambda m: _FULL_WIDTH[m.group()], text)
    if '"' not in text or not re.search(_HAN, text):
        return text
    out: list[str] = []
    depth = 0
    for char in text:
        if char == '"':
            char = "”" if depth else "“"
        if char == "“":
            depth += 1
        elif char == "”":
            depth = max(0, depth - 1)
        out.append(char)
    return "".join(out)


def needs_ocr(text: str) -> bool:
    """True when a page's text layer has fewer than MIN_TEXT_CHARS non-space characters."""
    return sum(not c.isspace() for c in text) < MIN_TEXT_CHARS


class OcrSession:
    """OCR for the files extracted inside one `ocr_session`: settings, cache and per-file figures."""

    def __init__(self, settings: OcrSettings, notify: Callable[[OcrProgress], None] | None = None) -> None:
        self.settings = settings
        self.notify = notify or (lambda progress: None)
        self._pages = self._cached = self._blank = 0
        self._low: list[tuple[int, float]] = []
        self._seconds = 0.0

    def stats(self) -> OcrStats:
        """The figures so far."""
        return OcrStats(self._pages, self._cached, self._blank, tuple(self._low), round(self._seconds, 3))

    def read_pdf(
        self, reader: Any, path: Path, password: str | None, numbers: list[int], warnings: list[str]
    ) -> dict[int, tuple[Block, ...]]:
        """OCR the 1-based pages `numbers` of the PDF at `path` (open in pypdf `reader`); the blocks of
        each page with text.

        Appends to `warnings`: which pages were OCR'd and their mean confidence, pages turned to
        read them, and pages below the confidence threshold.
        """
        started = time.perf_counter()
        self.notify(OcrProgress(total=len(numbers)))
        pages: dict[int, list[Paragraph]] = {}
        confidences: dict[int, float] = {}
        turned: list[str] = []
        with PageImages(reader, path, password) as source:
            for done, number in enumerate(numbers, start=1):
                try:
                    result, hit = self._page(source, number)
                except (MemoryError, StudyKBError):  # the memory cap, or OCR not installed: the file fails
                    raise
                except Exception as exc:  # one unreadable page image costs that page, not the file
                    warnings.append(f"page {number}: OCR failed ({type(exc).__name__}: {str(exc)[:120]})")
                    result, hit = None, False
                self.notify(OcrProgress(len(numbers), done, number, cached=hit))
                if result is None:
                    continue
                if result.orientation != "upright":
                    turned.append(f"{number} ({result.orientation})")
                if not result.lines:
                    continue
                pages[number] = reading_order(result.lines)
                confidences[number] = statistics.fmean(line.confidence for line in result.lines)
        self._seconds += time.perf_counter() - started
        blocks = _blocks(pages)
        if confidences:
            mean = statistics.fmean(confidences.values())
            warnings.append(f"OCR on page(s) {page_ranges(sorted(confidences))} (mean confidence {mean:.2f})")
        if turned:
            warnings.append(f"OCR turned page(s) {', '.join(turned)} to read them")
        low = [(n, c) for n, c in sorted(confidences.items()) if c < self.settings.low_confidence]
        if low:
            self._low += low
            listed = ", ".join(f"{n} ({c:.2f})" for n, c in low)
            threshold = self.settings.low_confidence
            warnings.append(
                f"low OCR confidence (below {threshold:.2f}) on page(s) {listed}: "
                "check the text of these pages"
            )
        return blocks

    def _page(self, source: PageImages, number: int) -> tuple[PageLines | None, bool]:
        """OCR lines of page `number` (None for a blank page) and whether they came from the cache."""
        image = source.image(number)
        if is_blank(image):
            self._blank += 1
            return None, False
        cache = OcrCache(self.settings.cache_dir, ENGINE_TAG) if self.settings.cache_dir else None
        key = image_hash(image)
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            self._cached += 1
            return cached, True
        result = recognise(image)
        self._pages += 1
        if cache is not None:
            cache.put(key, result)
        return result, False


@contextmanager
def ocr_session(
    settings: OcrSettings, notify: Callable[[OcrProgress], None] | None = None
) -> Iterator[OcrSession]:
    """Turn OCR on for PDF extraction inside the block; the session collects the figures.

    Example: with ocr_session(OcrSettings(cache_dir(data))) as s: extract(path); s.stats().pages
    """
    session = OcrSession(settings, notify)
    token = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(token)


def ocr_active() -> bool:
    """True inside an `ocr_session`."""
    return _SESSION.get() is not None


def ocr_scanned_pages(
    reader: Any, path: Path, password: str | None, texts: list[str], warnings: list[str]
) -> dict[int, tuple[Block, ...]]:
    """The OCR blocks of the pages of `texts` (page text layers) that need OCR; {} when OCR is off.

    This is the hook `ingest.pdf.extract_pdf` calls with its pypdf `reader`. Pages without any
    content (no content stream) are blank and skipped; at most MAX_OCR_PAGES pages are OCR'd per
    file (a warning names the rest). Pages that OCR finds no text on are absent from the result.
    """
    session = _SESSION.get()
    if session is None:
        return {}
    numbers = [n for n, text in enumerate(texts, start=1) if needs_ocr(text) and has_content(reader, n)]
    if len(numbers) > MAX_OCR_PAGES:
        warnings.append(
            f"OCR limited to {MAX_OCR_PAGES} pages: "
            f"page(s) {page_ranges(numbers[MAX_OCR_PAGES:])} were not read"
        )
        numbers = numbers[:MAX_OCR_PAGES]
    return session.read_pdf(reader, path, password, numbers, warnings) if numbers else {}


def _blocks(pages: dict[int, list[Paragraph]]) -> dict[int, tuple[Block, ...]]:
    """Blocks of the OCR'd pages: running headers/footers and page numbers dropped, text normalised
    and its punctuation repaired (`fix_punctuation`)."""
    numbers = sorted(pages)
    kept = strip_page_furniture([[p.text for p in pages[n]] for n in numbers])
    out: dict[int, tuple[Block, ...]] = {}
    for number, texts in zip(numbers, kept, strict=True):
        remaining = iter(texts)
        want = next(remaining, None)
        blocks: list[Block] = []
        for paragraph in pages[number]:
            if paragraph.text == want:
                want = next(remaining, None)
            elif len(paragraph.text) <= _FURNITURE_CHARS:
                continue  # a running header/footer or page number

            text = fix_punctuation(collapse_spaces(normalize_width(paragraph.text)))
            if text:
                blocks.append(Block(text, page=number, ocr_confidence=round(paragraph.confidence, 4)))
        if blocks:
            out[number] = tuple(blocks)
    return out

