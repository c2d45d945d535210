"""The result of an ingest run: per-file outcomes and figures, as text or JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["EXIT_FAILED_FILES", "FileOutcome", "IngestReport", "page_ranges"]

#: Exit status of `studykb ingest` when some files failed (the rest was indexed and published).
EXIT_FAILED_FILES = 3
STATUSES = ("added", "updated", "unchanged", "removed", "failed", "skipped")


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file. `reason` explains failures and skips; `kept_previous` is True when a
    failed file's earlier version stays searchable. `ocr_pages` pages were OCR'd, `ocr_cached` more
    were taken from the OCR cache, and `ocr_low` lists pages below the OCR confidence threshold."""

    path: str
    status: str
    reason: str = ""
    chunks: int = 0
    kept_previous: bool = False
    ocr_pages: int = 0
    ocr_cached: int = 0
    ocr_low: tuple[int, ...] = ()


@dataclass
class IngestReport:
    """Everything a maintainer needs to know about one run.

    `scope` lists the files and folders of `root` that were given when only part of the corpus was
    ingested (empty: all of it); documents outside them were kept without being looked at.
    """

    data_dir: str
    root: str
    scope: list[str] = field(default_factory=list)
    outcomes: list[FileOutcome] = field(default_factory=list)
    version: str | None = None
    previous_version: str | None = None
    model: str | None = None
    model_note: str = ""
    n_documents: int = 0
    n_chunks: int = 0
    embedded: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Number of files with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def changed(self) -> bool:
        return any(o.status in {"added", "updated", "removed"} for o in self.outcomes)

    def ocr_summary(self) -> str:
        """One line on OCR ("OCR: 12 pages in 2 files, 3 from cache; low confidence: a.pdf p4"), or ""."""
        files = [o for o in self.outcomes if o.ocr_pages or o.ocr_cached]
        if not files:
            return ""
        pages = sum(o.ocr_pages + o.ocr_cached for o in files)
        line = f"OCR: {pages} page(s) in {len(files)} file(s), {sum(o.ocr_cached for o in files)} from cache"
        low = [f"{o.path} p{','.join(map(str, o.ocr_low))}" for o in files if o.ocr_low]
        return line + (f"; low confidence: {'; '.join(low)}" if low else "")

    @property
    def exit_code(self) -> int:
        """0 when every file succeeded, EXIT_FAILED_FILES when some failed."""
        return EXIT_FAILED_FILES if self.failed else 0

    def to_json(self) -> dict[str, Any]:
        """A machine-readable dict (the `--json` output)."""
        out = asdict(self)
        out["summary"] = {s: self.count(s) for s in STATUSES}
        out["exit_code"] = self.exit_code
        out["ocr"] = {"pages": sum(o.ocr_pages for o in self.outcomes),
                      "cached": sum(o.ocr_cached for o in self.outcomes),
                      "low_confidence": {o.path: list(o.ocr_low) for o in self.outcomes if o.ocr_low}}
        return out


def page_ranges(numbers: list[int]) -> str:
    """Page numbers for a report line, runs collapsed: [1, 2, 3, 5] → "1-3, 5"."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}-{prev}" if prev > start else str(start))
        if n is not None:
            start = prev = n
    return ", ".join(parts)
