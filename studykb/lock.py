"""The locks of a data dir, recovered automatically after a crash: the ingest lock (one writer at a
time) and the server lock (restore never replaces a data dir under a running `studykb serve`).

Both are `flock`s (`ingest.lock`, `serve.lock`); the kernel drops them when the holder dies, so a
lock left by a killed process never blocks anything. The files record a holder's pid for messages.
Servers share `serve.lock` (several may serve one data dir); a restore takes it exclusively.
With PostgreSQL (`$STUDYKB_DATABASE_URL`) the writer also holds an advisory lock in that database
(`PgIngestLock`), so a second ingest on any host, with any data dir, is refused too.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from .errors import LockedError
from .pg import INGEST_LOCK_KEY, PgConnection, database_url, describe

__all__ = ["SERVE_LOCK", "IngestLock", "PgIngestLock", "ServerLock", "no_server", "writer_lock"]

SERVE_LOCK = "serve.lock"
#: A lock file that cannot be created here means storage nobody can write to (a read-only replica).
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def _record_pid(fh: IO[str]) -> IO[str]:
    """Write this process's pid into a lock file it holds (for the messages of those it blocks)."""
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


class IngestLock:
    """Context manager holding the exclusive ingest lock of `path`, or raising LockedError at once.

    `reader=True` (a backup) goes without the lock on read-only storage, where no ingest can run.
    """

    def __init__(self, path: Path, *, reader: bool = False) -> None:
        self.path = path
        self.reader = reader
        self._fh: IO[str] | None = None

    def __enter__(self) -> IngestLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            if self.reader and exc.errno in _READ_ONLY:
                return self
            raise
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
        self._fh = _record_pid(fh)
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


class ServerLock:
    """The shared lock a running `studykb serve` holds on its data dir for its whole life."""

    def __init__(self, data_root: Path) -> None:
        self.path = data_root / SERVE_LOCK
        self._fh: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock (False on read-only storage, where no restore can happen anyway).

        Raises LockedError while a restore is replacing the data dir.
        """
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fh = open(self.path, "a+", encoding="utf-8")
            except OSError as exc:
                if exc.errno in _READ_ONLY:
                    return False
                raise
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                raise LockedError(
                    f"a restore is replacing {self.path.parent}: start the server when it has finished"
                ) from None
            try:  # a restore may have moved the folder aside between open() and flock(): start again
                same = os.stat(self.path).st_ino == os.fstat(fh.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fh = _record_pid(fh)
                return True
            fh.close()

    def release(self) -> None:
        """Drop the lock (the kernel also drops it when the process ends)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


@contextmanager
def no_server(data_root: Path) -> Iterator[None]:
    """Hold `serve.lock` exclusively: raises LockedError at once while a server holds it."""
    path = data_root / SERVE_LOCK
    fh = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise LockedError(
                f"a studykb server (pid {holder}) is serving {data_root}: stop it before restoring, "
                "or its later writes would go to the replaced folder"
            ) from None
        yield
    finally:
        fh.close()
