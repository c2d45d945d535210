"""The ingest lock of a data dir: one writer at a time, recovered automatically after a crash.

The lock is an `flock` on `ingest.lock`; the kernel drops it when the holder dies, so a lock left
by a killed process never blocks the next run. The file records the holder's pid for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from .errors import LockedError

__all__ = ["IngestLock"]


class IngestLock:
    """Context manager holding the exclusive ingest lock of `path`, or raising LockedError at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def __enter__(self) -> IngestLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise LockedError(
                f"another studykb ingest (pid {holder}) is running on {self.path.parent}; "
                "wait for it to finish, or stop it — a lock left by a killed process is released "
                "automatically"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
