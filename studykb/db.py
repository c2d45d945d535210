"""The SQLite database of a data dir: connections (WAL, busy timeout) and versioned schema migrations.

One database holds the index metadata (documents, chunks, index versions, ingest runs, the embedding
cache) and the curated data of later features. Migrations are numbered SQL files in `migrations/`
applied in order on open; `PRAGMA user_version` records the last one applied. Write transactions start with
`BEGIN IMMEDIATE` (see `write`), since a deferred transaction that later upgrades to a writer can fail
with "database is locked" despite the busy timeout.

With `$STUDYKB_DATABASE_URL` set (`--database-url`), `connect` opens that PostgreSQL database instead,
whatever path it is given (see `studykb.pg`): every store runs unchanged on both engines. The same
migrations run there (`studykb.pg_schema`), recorded in the table `studykb_schema`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast
from urllib.parse import quote

from . import pg
from .pg_schema import BOOTSTRAP, postgres_script

__all__ = ["DB_NAME", "MIGRATIONS", "connect", "connect_sqlite", "location", "schema_version", "table_exists",
           "write"]

DB_NAME = "studykb.db"
BUSY_TIMEOUT_MS = 30_000

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _migration_files() -> list[Path]:
    """The numbered SQL scripts of `migrations/` (NNNN_name.sql), in order; numbers must be 1..N."""
    files = sorted(f for f in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")
                   if not f.name.endswith(".postgres.sql"))
    numbers = [int(f.name[:4]) for f in files]
    if numbers != list(range(1, len(files) + 1)):
        raise RuntimeError(f"migrations in {MIGRATIONS_DIR} must be numbered 0001.. without gaps: {numbers}")
    return files


_FILES = _migration_files()
#: Schema migrations; entry i brings the schema from version i to i+1. Add files, never edit one.
MIGRATIONS: list[str] = [f.read_text(encoding="utf-8") for f in _FILES]


def connect(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    """Open the database at `path` in WAL mode with a busy timeout, applying pending migrations.

    The connection is in autocommit mode (`isolation_level=None`); use `write()` for transactions.
    It may be shared between threads (`check_same_thread=False`), one statement at a time.
    On read-only storage (a replica's mounted volume) the database is opened read-only: reads work,
    a write fails with SQLITE_READONLY (which the CLI reports in one line).

    When `path` is a postgresql:// URL, or `$STUDYKB_DATABASE_URL` is set, the connection is a
    `studykb.pg.PgConnection` to that database (typed as sqlite3.Connection: it offers the part of it
    the stores use, and the store tests run on both engines). Unreachable: DatabaseUnavailableError.
    """
    url = str(path) if pg.is_postgres_url(str(path)) else pg.database_url()
    if url is not None:
        pconn = pg.PgConnection(url)
        if migrate:
            _migrate_postgres(pconn)
        return cast(sqlite3.Connection, pconn)
    return connect_sqlite(path, migrate=migrate)


def connect_sqlite(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    """The SQLite file at `path`, whatever `$STUDYKB_DATABASE_URL` says (`studykb db copy` reads it)."""
    if _read_only_storage(Path(path)):
        return _connect_read_only(Path(path), migrate)
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    if migrate:
        _migrate(conn)
    return conn


def _read_only_storage(path: Path) -> bool:
    """True when the database exists but neither it nor its folder may be written (EROFS, modes)."""
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _connect_read_only(path: Path, migrate: bool) -> sqlite3.Connection:
    """A read-only connection. Without pending WAL content the file is opened `immutable` (SQLite then
    needs no -shm file, which a read-only folder cannot hold); with it, `mode=ro` reads the WAL too."""
    wal = Path(f"{path}-wal")
    immutable = not (wal.is_file() and wal.stat().st_size > 0)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if migrate and schema_version(conn) < len(MIGRATIONS):
        from .errors import StorageError

        raise StorageError(
            f"{path} is on read-only storage and needs schema migration {schema_version(conn) + 1}: "
            "run any studykb command once where the data dir is writable"
        )
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of migrations applied to this database."""
    if isinstance(conn, pg.PgConnection):
        row = conn.execute("SELECT to_regclass('studykb_schema') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        return int(conn.execute("SELECT version FROM studykb_schema").fetchone()[0])
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def location(conn: sqlite3.Connection) -> str:
    """What `connect` opens again to reach this connection's database: the SQLite file's path or the
    PostgreSQL URL (a key for caches shared between connections; it may hold a password: never show it)."""
    if isinstance(conn, pg.PgConnection):
        return conn.url
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


def table_exists(conn: sqlite3.Connection, name: str) -> bool:
    """Whether the database has a table called `name` (on either engine)."""
    if isinstance(conn, pg.PgConnection):
        row = conn.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()
        return bool(row[0])
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def _migrate_postgres(conn: pg.PgConnection) -> None:
    """Apply pending migrations in one transaction, serialised across replicas by an advisory lock."""
    if schema_version(cast(sqlite3.Connection, conn)) >= len(MIGRATIONS):
        return
    number = 0
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (pg.MIGRATE_LOCK_KEY,))
        conn.execute(BOOTSTRAP)
        start = int(conn.execute("SELECT version FROM studykb_schema").fetchone()[0])
        for number in range(start, len(MIGRATIONS)):
            conn.execute(postgres_script(_FILES[number]))
            conn.execute("UPDATE studykb_schema SET version = ?", (number + 1,))
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        from .errors import ConfigError

        raise ConfigError(
            f"{pg.masked(conn.url)}: schema migration {_FILES[number].name} failed ({exc}); "
            "nothing was changed"
        ) from exc
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _migrate(conn: sqlite3.Connection) -> None:
    if schema_version(conn) >= len(MIGRATIONS):
        return
    number = schema_version(conn)
    try:
        with write(conn):
            # Re-read under the write lock: another process may have migrated meanwhile.
            for number in range(schema_version(conn), len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")
    except sqlite3.Error as exc:  # rolled back: the database is as it was
        from .errors import ConfigError

        path = conn.execute("PRAGMA database_list").fetchone()[2] or "the database"
        raise ConfigError(
            f"{path}: schema migration {_FILES[number].name} failed ({exc}); nothing was changed. "
            f"The database says it is at schema {schema_version(conn)} but does not match it: "
            "restore a backup (`studykb restore`) or move the data dir aside and ingest again"
        ) from exc


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (trigger bodies keep their inner semicolons)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction started with BEGIN IMMEDIATE; commits on success, rolls back on error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite itself rolls back on some errors, e.g. SQLITE_FULL
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
