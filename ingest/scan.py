"""Finding the documents to ingest under the given paths, and refusing the entries that must not be read.

Symbolic links are followed only while they stay inside the corpus root: a link out of the corpus (to
/etc/passwd, or to the data dir's database) is skipped with its reason, as are broken links and links
to folders. A name that is not valid UTF-8 cannot be stored or shown as it is: that entry fails with
its name escaped, and the rest of the batch goes on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from studykb.corpus_path import is_utf8, printable, resolve_inside
from studykb.errors import ConfigError

from .metadata import CATALOG_NAME, SIDECAR_SUFFIX

__all__ = ["SUPPORTED", "Found", "in_scope", "scan", "within"]

#: File suffixes ingestion reads.
SUPPORTED = frozenset({".pdf", ".txt", ".md", ".markdown", ".docx", ".html", ".htm"})
# Files in a corpus that are data for other features, not documents.
_NOT_DOCUMENTS = {CATALOG_NAME, "sites.csv", "README", "LICENSE"}
_NOT_UTF8 = "file name is not valid UTF-8: rename it to index it"


@dataclass(frozen=True)
class Found:
    """The outcome of scanning.

    `documents` are (path to read, path relative to the root) pairs, the path to read being a link's
    target inside the corpus; `skipped` and `failed` are (relative path, reason) pairs, names shown
    with escapes where they are not UTF-8. `scope` holds the relative paths scanned when they are
    parts of a given root (a file or a subfolder), and is empty when the whole root was scanned.
    """

    root: Path
    documents: list[tuple[Path, str]]
    skipped: list[tuple[str, str]]
    failed: list[tuple[str, str]]
    scope: tuple[str, ...] = ()


def _anchor(path: Path) -> Path:
    """Where a given path sits: a folder with its links resolved, a file as named in its real folder."""
    return path.resolve() if path.is_dir() else path.parent.resolve() / path.name


def within(root: Path, paths: list[Path]) -> bool:
    """True when every path given lies inside `root` (so an ingest of them updates part of it)."""
    base = root.resolve()
    return all(_anchor(p).is_relative_to(base) for p in paths)


def in_scope(rel: str, scope: tuple[str, ...]) -> bool:
    """True when the relative path `rel` lies in `scope` (an empty scope is the whole root)."""
    return not scope or any(rel == s or rel.startswith(s + "/") for s in scope)


def scan(paths: list[Path], root: Path | None = None) -> Found:
    """Walk `paths` (folders or files). The library root is `root` when given (every path must lie
    inside it), else the folder given (or the common parent).

    Hidden files and folders, `catalog.toml`, `*.meta.toml` sidecars and `sites.csv` are not
    documents; other unsupported files, and links that leave the root, are broken or lead to a
    folder, are listed in `skipped` with the reason; names that are not UTF-8 in `failed`.
    """
    if not paths:
        raise ConfigError("no path to ingest given")
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise ConfigError(f"path not found: {', '.join(missing)}")
    anchors = [_anchor(p) for p in paths]
    if root is None:
        base = Path(os.path.commonpath([a if a.is_dir() else a.parent for a in anchors]))
    else:
        base = root.resolve()
        outside = [str(p) for p, a in zip(paths, anchors, strict=True) if not a.is_relative_to(base)]
        if outside:
            raise ConfigError(f"{', '.join(outside)}: outside the corpus root {base}")
    walk = _Walk(base)
    for anchor in anchors:
        if anchor.is_dir() and not anchor.is_symlink():
            walk.folder(anchor)
        else:
            walk.entry(anchor)
    unique = sorted(dict((rel, p) for p, rel in walk.documents).items())
    # Only paths inside a given root are a part of it; paths that define the root are all of it.
    scope = () if root is None or base in anchors else tuple(sorted(a.relative_to(base).as_posix()
                                                                   for a in anchors))
    return Found(base, [(p, rel) for rel, p in unique], sorted(set(walk.skipped)), sorted(set(walk.failed)),
                 scope)


class _Walk:
    """Collects the documents, skipped and failed entries under a root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.documents: list[tuple[Path, str]] = []
        self.skipped: list[tuple[str, str]] = []
        self.failed: list[tuple[str, str]] = []

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def folder(self, base: Path) -> None:
        for dirpath, dirnames, filenames in os.walk(base):
            keep = []
            for name in sorted(d for d in dirnames if not d.startswith(".")):
                path = Path(dirpath) / name
                if not is_utf8(name):
                    self.failed.append((printable(self._rel(path)), _NOT_UTF8))
                elif path.is_symlink():  # os.walk does not descend into it: say so
                    self.entry(path)
                else:
                    keep.append(name)
            dirnames[:] = keep
            for name in sorted(f for f in filenames if not f.startswith(".")):
                self.entry(Path(dirpath) / name)

    def entry(self, path: Path) -> None:
        """Judge one entry (a file, or a link) and record it."""
        rel = self._rel(path)
        if not is_utf8(rel):
            self.failed.append((printable(rel), _NOT_UTF8))
            return
        if path.name in _NOT_DOCUMENTS or path.name.endswith(SIDECAR_SUFFIX):
            return
        target = path
        if path.is_symlink():
            try:
                real = resolve_inside(self.root, path)
            except FileNotFoundError:
                self.skipped.append((rel, "broken symbolic link: its target does not exist"))
                return
            if real is None:
                to = printable(os.readlink(path))
                self.skipped.append((rel, f"symbolic link to {to}, outside the corpus root: not followed"))
                return
            if real.is_dir():
                self.skipped.append((rel, "symbolic link to a folder: not followed"))
                return
            target = real
        if path.suffix.lower() not in SUPPORTED:
            self.skipped.append((rel, f"unsupported file type '{path.suffix or path.name}'"))
        elif not target.is_file():
            self.skipped.append((rel, "not a regular file"))
        else:
            self.documents.append((target, rel))
