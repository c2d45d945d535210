"""The ingest lock of a data dir: one writer at a time, recovered automatically after a crash.

The lock is an `flock` on `ingest.lock`; the kernel drops it when the holder dies, so a lock left
by a killed process never blocks the next run. The file records the holder's pid for the message.
With PostgreSQL (`$STUDYKB_DATABASE_URL`) the writer also holds an advisory lock in that database
(`PgIngestLock`), so a second ingest on any host, with any data dir, is refused too.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from .errors import LockedError
from .pg import INGEST_LOCK_KEY, PgConnection, database_url, describe

__all__ = ["IngestLock", "PgIngestLock", "writer_lock"]


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


class PgIngestLock:
    """The single-writer lock of a PostgreSQL database: a session advisory lock, or LockedError at once.

    It is held by a connection of its own for the whole ingest; PostgreSQL drops it when that session
    ends, so a killed writer (its connection gone) never blocks the next one, on any host.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: PgConnection | None = None

    def __enter__(self) -> PgIngestLock:
        conn = PgConnection(self.url)
        row = conn.execute("SELECT pg_try_advisory_lock(?)", (INGEST_LOCK_KEY,)).fetchone()
        if not row[0]:
            holder = conn.execute(
                "SELECT a.client_addr, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = ?",
                (INGEST_LOCK_KEY & 0xFFFF_FFFF,),
            ).fetchone()
            conn.close()
            where = f" (server backend {holder[1]}, client {holder[0] or 'local'})" if holder else ""
            raise LockedError(
                f"another studykb ingest is writing to {describe(self.url)}{where}; wait for it to finish, "
                "or stop it — the lock goes with its database session"
            )
        self._conn = conn
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()  # ends the session, which releases the lock even if the server was lost
            self._conn = None


def writer_lock(lock_path: Path) -> ExitStack:
    """Every lock an ingest must hold: the data dir's file lock, and on PostgreSQL the database's."""
    stack = ExitStack()
    stack.enter_context(IngestLock(lock_path))
    url = database_url()
    if url is not None:
        try:
            stack.enter_context(PgIngestLock(url))
        except BaseException:
            stack.close()
            raise
    return stack
