"""SHA-256 digests: of a file read in blocks, and of a version's table of file digests.

Index versions (their manifest), ingested files (change detection), `studykb verify` and the ONNX
export cache all checksum the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

__all__ = ["file_sha256", "files_digest"]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file at `path`, read in blocks (a 600 MB index is never held in memory)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def files_digest(files: Mapping[str, str]) -> str:
    """The overall checksum of a {relative path: sha256} table, as a version manifest records it."""
    return hashlib.sha256(json.dumps(dict(files), sort_keys=True).encode()).hexdigest()
