"""Paths in a corpus: whether a path, every link followed, stays inside the corpus root, and how to show
a file name that is not valid UTF-8.

Ingestion (which entries it reads) and the download of an original file (which bytes it serves) ask
the same question here, so a link can never lead either of them out of the corpus.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["is_utf8", "printable", "resolve_inside"]


def resolve_inside(root: Path, path: Path) -> Path | None:
    """The real path of `path` (every symbolic link followed) when it lies inside `root`, else None.

    Raises FileNotFoundError when `path`, or the target of a link on the way, does not exist (a broken
    link, or a loop of links).
    """
    try:
        real = path.resolve(strict=True)
    except RuntimeError as exc:  # Python < 3.13 reports a loop of links this way
        raise FileNotFoundError(str(exc)) from None
    base = root.resolve()
    return real if real.is_relative_to(base) else None


def printable(name: str) -> str:
    """`name` safe to print, store and put in JSON: bytes that are not UTF-8 (kept by Python as lone
    surrogates) are written as escapes, e.g. b"\\xff\\xfe.txt" → "\\\\xff\\\\xfe.txt"."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def is_utf8(name: str) -> bool:
    """True when `name` holds no undecodable bytes (it can be stored in SQLite and JSON as it is)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
