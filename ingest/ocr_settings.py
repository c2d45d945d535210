"""OCR settings and figures, apart from the OCR machinery: what the ingest pipeline and the worker
pass around without importing the engine (a no-op ingest run never loads `ingest.ocr`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CACHE_DIR_NAME",
    "LOW_CONFIDENCE",
    "MAX_OCR_PAGES",
    "MIN_TEXT_CHARS",
    "OCR_SECONDS_PER_PAGE",
    "OCR_STALL_S",
    "OcrProgress",
    "OcrSettings",
    "OcrStats",
    "cache_dir",
]

#: A page with fewer non-space characters than this in its text layer is OCR'd.
MIN_TEXT_CHARS = 10
#: Pages whose mean recognition confidence is below this are listed in the ingest report.
LOW_CONFIDENCE = 0.8
#: Extra seconds the worker allows a file for each page it has to OCR (a dense A4 page takes about
#: 5-15 s of CPU on a 2-core machine; the rest is headroom for a busy machine).
OCR_SECONDS_PER_PAGE = 20.0
#: After each OCR'd page the worker leaves at least this many seconds for the next one.
OCR_STALL_S = 60.0
#: At most this many pages of one file are OCR'd (a 1000-page scan takes over an hour here).
MAX_OCR_PAGES = 1000
#: The folder of a data dir that caches OCR results.
CACHE_DIR_NAME = "ocr-cache"


def cache_dir(data_root: Path) -> Path:
    """Where OCR results of the data dir at `data_root` are cached."""
    return Path(data_root) / CACHE_DIR_NAME


@dataclass(frozen=True)
class OcrSettings:
    """How OCR runs: where results are cached (None: no cache) and the low-confidence threshold."""

    cache_dir: Path | None = None
    low_confidence: float = LOW_CONFIDENCE


@dataclass(frozen=True)
class OcrProgress:
    """A progress message: `done` of `total` pages of a file OCR'd (done == 0: OCR is about to start)."""

    total: int
    done: int = 0
    page: int | None = None
    cached: bool = False


@dataclass(frozen=True)
class OcrStats:
    """What OCR did for one file: pages read by the engine, served from the cache, found blank,
    and the pages below the confidence threshold as (page, mean confidence)."""

    pages: int = 0
    cached: int = 0
    blank: int = 0
    low_confidence: tuple[tuple[int, float], ...] = ()
    seconds: float = 0.0

    def __repr__(self) -> str:
        low = len(self.low_confidence)
        return f"OcrStats({self.pages} OCR'd, {self.cached} cached, {self.blank} blank, {low} low)"
