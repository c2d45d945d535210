"""Finding the documents to ingest under the given paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from studykb.errors import ConfigError

from .metadata import CATALOG_NAME, SIDECAR_SUFFIX

__all__ = ["SUPPORTED", "Found", "scan"]

#: File suffixes ingestion reads.
SUPPORTED = frozenset({".pdf", ".txt", ".md", ".markdown", ".docx", ".html", ".htm"})
# Files in a corpus that are data for other features, not documents.
_NOT_DOCUMENTS = {CATALOG_NAME, "sites.csv", "README", "LICENSE"}


@dataclass(frozen=True)
class Found:
    """The outcome of scanning: documents (absolute path, path relative to the root) and skipped files."""

    root: Path
    documents: list[tuple[Path, str]]
    skipped: list[tuple[str, str]]


def scan(paths: list[Path]) -> Found:
    """Walk `paths` (folders or files). The library root is the folder given (or the common parent).

    Hidden files and folders, `catalog.toml`, `*.meta.toml` sidecars and `sites.csv` are not
    documents; other unsupported files are listed in `skipped` with the reason.
    """
    if not paths:
        raise ConfigError("no path to ingest given")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ConfigError(f"path not found: {', '.join(missing)}")
    resolved = [p.resolve() for p in paths]
    root = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in resolved]))
    documents: list[tuple[Path, str]] = []
    skipped: list[tuple[str, str]] = []
    for base in resolved:
        for path in _walk(base):
            rel = path.relative_to(root).as_posix()
            if path.name in _NOT_DOCUMENTS or path.name.endswith(SIDECAR_SUFFIX):
                continue
            if path.suffix.lower() not in SUPPORTED:
                skipped.append((rel, f"unsupported file type '{path.suffix or path.name}'"))
                continue
            documents.append((path, rel))
    unique = sorted(dict((rel, p) for p, rel in documents).items())
    return Found(root, [(p, rel) for rel, p in unique], sorted(skipped))


def _walk(base: Path) -> list[Path]:
    if base.is_file():
        return [base]
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return out
