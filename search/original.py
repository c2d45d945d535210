"""The original file of an indexed document, served only when it is safely the file that was ingested.

A download reads the corpus live from disk, so a link re-pointed after ingestion could otherwise
hand any file on the server (the live database, /etc/passwd) to an anonymous visitor. The reader
and the HTTP API serve bytes only through `read_original`: the path must resolve inside the corpus
root and the bytes read must have the size and SHA-256 recorded at ingestion.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from studykb.corpus_path import resolve_inside
from studykb.errors import OriginalUnavailableError

from .records import DocumentInfo

__all__ = ["read_original"]


def read_original(doc: DocumentInfo) -> bytes:
    """The bytes of `doc`'s original file, verified: inside its corpus root, and unchanged since ingestion.

    Raises OriginalUnavailableError (saying why: missing, outside the corpus, changed, unreadable)
    otherwise. At most the recorded size plus one byte is ever read.
    """
    root = Path(doc.root)
    try:
        real = resolve_inside(root, root / doc.path)
    except FileNotFoundError:
        raise OriginalUnavailableError(f"{doc.path}: the original file is missing") from None
    if real is None:
        raise OriginalUnavailableError(f"{doc.path}: the path leads outside the corpus root {root}")
    if not doc.content_hash or doc.size is None:
        raise OriginalUnavailableError(f"{doc.path}: no checksum was recorded for this document")
    try:
        # O_NONBLOCK: a FIFO put in the file's place must not hang the server; O_NOFOLLOW: no link
        # may replace the checked file between the check and the read.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        raise OriginalUnavailableError(f"{doc.path}: the original file cannot be opened ({exc.strerror})") \
            from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OriginalUnavailableError(f"{doc.path}: not a regular file")
        data = fh.read(doc.size + 1)
    if len(data) != doc.size or hashlib.sha256(data).hexdigest() != doc.content_hash:
        raise OriginalUnavailableError(
            f"{doc.path}: the file has changed since it was ingested", changed=True
        )
    return data
