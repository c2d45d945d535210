"""Text extraction from source files: one entry point that dispatches on the file suffix."""

from __future__ import annotations

import importlib
from pathlib import Path

from ingest.records import Extracted
from studykb.errors import ExtractionError

__all__ = ["SUFFIXES", "extract"]

#: Supported suffixes → (module, function) that extracts them; modules are imported on first use.
SUFFIXES: dict[str, tuple[str, str]] = {
    ".pdf": ("ingest.pdf", "extract_pdf"),
    ".txt": ("ingest.textfile", "extract_txt"),
    ".md": ("ingest.textfile", "extract_markdown"),
    ".markdown": ("ingest.textfile", "extract_markdown"),
    ".docx": ("ingest.docx", "extract_docx"),
    ".html": ("ingest.html", "extract_html"),
    ".htm": ("ingest.html", "extract_html"),
}


def extract(path: Path) -> Extracted:
    """Extract the text blocks and file metadata of one source file.

    Dispatches on the (case-insensitive) suffix: .pdf, .txt, .md/.markdown, .docx, .html/.htm.
    Raises ExtractionError with a one-line reason for unsupported types, unreadable or empty
    files, and whatever the format reader rejects (corrupt, encrypted, no text layer, …).

    Example: extract(Path("corpus/二十大报告.pdf")).blocks[0].page == 1
    """
    path = Path(path)
    target = SUFFIXES.get(path.suffix.lower())
    if target is None:
        known = ", ".join(sorted(SUFFIXES))
        raise ExtractionError(path, f"unsupported file type {path.suffix or '(none)'!r} (supported: {known})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError(path, f"cannot read file: {exc.strerror or exc}") from None
    if not path.is_file():
        raise ExtractionError(path, "not a regular file")
    if size == 0:
        raise ExtractionError(path, "empty file")
    module, function = target
    result: Extracted = getattr(importlib.import_module(module), function)(path)
    if not result.blocks:
        raise ExtractionError(path, "no text found")
    return result
