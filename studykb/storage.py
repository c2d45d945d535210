"""Failures of the data dir's storage — read-only, full, not a folder — as one-line StorageErrors.

`storage_error` maps an OSError (by errno) or an sqlite3 error (by its SQLite result code) to the
StorageError the CLI prints; anything else is not a storage failure and is left alone.
"""

from __future__ import annotations

import errno
import sqlite3

from .errors import StorageError

__all__ = ["storage_error"]

_FULL = "the disk is full: free some space and run the command again (the published index is unchanged)"
_READ_ONLY = ("the data dir is on read-only storage: this command writes to it; run it where the data dir "
              "is writable (search, status, verify and the other read commands work here)")
_OS = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: "the disk quota is exceeded: " + _FULL.split(": ", 1)[1],
    errno.EFBIG: "a file grew past the size limit: " + _FULL.split(": ", 1)[1],
    errno.EROFS: _READ_ONLY,
    errno.EACCES: "permission denied: run the command as a user who may write the data dir",
    errno.EPERM: "operation not permitted: run the command as a user who may write the data dir",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another --data-dir",
}
#: SQLite primary result codes (the low byte of `sqlite_errorcode`).
_SQLITE = {
    8: _READ_ONLY,  # SQLITE_READONLY
    13: _FULL,  # SQLITE_FULL
    10: "a disk read or write failed (SQLITE_IOERR): check free space and the storage",
    14: "the database cannot be opened (SQLITE_CANTOPEN): check that the data dir exists and is readable",
}


def storage_error(exc: BaseException) -> StorageError | None:
    """The StorageError for a storage failure, or None when `exc` is something else."""
    if isinstance(exc, OSError) and exc.errno in _OS:
        where = f"{exc.filename}: " if exc.filename else ""
        return StorageError(f"{where}{_OS[exc.errno]}")
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, sqlite3.Error) and code is not None and code & 0xFF in _SQLITE:
        return StorageError(f"database: {_SQLITE[code & 0xFF]}")
    return None
