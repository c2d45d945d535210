"""PostgreSQL as the shared database: the connection adapter the stores see, and the URL it reads.

With `STUDYKB_DATABASE_URL=postgresql://…` (or `--database-url`) every `studykb.db.connect()` opens
PostgreSQL instead of the data dir's SQLite file. The stores are written once, in the SQL both engines
speak (`?` placeholders, `INSERT … ON CONFLICT`, `"end"` quoted); `PgConnection` gives them the part of
`sqlite3.Connection` they use:

- `execute` / `executemany` with `?` placeholders, returning a cursor with `fetchone`, `fetchall`,
  iteration, `rowcount` and `lastrowid` (PostgreSQL's `lastval()`, read only when asked for);
- rows readable by position and by column name, like `sqlite3.Row`;
- `BEGIN IMMEDIATE` (see `studykb.db.write`) becomes `BEGIN` plus a transaction-scoped advisory lock,
  so write transactions are serialised across every replica exactly as SQLite serialises them within
  one file: read-check-write code (revision checks, the login-attempt limit) keeps its guarantees;
- errors keep the DB-API classes of the `sqlite3` module the callers already catch
  (`sqlite3.IntegrityError`, `sqlite3.OperationalError`); a lost server connection raises
  `DatabaseUnavailableError` for the statement in flight, and the next statement reconnects.

Connections are per thread (Streamlit sessions, the engine), as with SQLite, so no pool is needed:
each replica holds a handful of connections, and reconnecting is done here, per connection.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError, DatabaseUnavailableError

__all__ = [
    "DATABASE_URL_ENV",
    "PgConnection",
    "Row",
    "database_url",
    "is_postgres_url",
    "masked",
    "translate",
]

DATABASE_URL_ENV = "STUDYKB_DATABASE_URL"

#: Advisory-lock keys (one 64-bit namespace per database): every write transaction, the schema
#: migration, and the single ingest writer.
WRITE_LOCK_KEY = 0x5354_4B42_0001
MIGRATE_LOCK_KEY = 0x5354_4B42_0002
INGEST_LOCK_KEY = 0x5354_4B42_0003

CONNECT_TIMEOUT_S = 5
#: What a page shows when the database does not answer for a moment.
UNAVAILABLE_ZH = "数据库暂时无法连接，本次操作没有完成，请稍后重试"


def database_url() -> str | None:
    """`$STUDYKB_DATABASE_URL` when it names a PostgreSQL database, None for the SQLite default.

    Raises ConfigError for a URL of another scheme (named, password masked).
    """
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if not url:
        return None
    if not is_postgres_url(url):
        raise ConfigError(f"{DATABASE_URL_ENV}={masked(url)}: only postgresql:// URLs are supported")
    return url


def is_postgres_url(target: object) -> bool:
    """Whether `target` is a postgresql:// (or postgres://) URL rather than a SQLite path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def masked(url: str) -> str:
    """The URL with its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=user + "@" + netloc[-1]))


def describe(url: str) -> str:
    """host:port/database of a URL, for messages."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}/{parts.path.lstrip('/') or '(default)'}"


class Row(Sequence[Any]):
    """A result row readable by position and by column name (like sqlite3.Row)."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple[Any, ...]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and self._values == other._values

    def __hash__(self) -> int:
        return hash(self._values)

    def keys(self) -> list[str]:
        """Column names in order."""
        return list(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


def _value(v: Any) -> Any:
    if isinstance(v, Decimal):  # sum() of integers is numeric in PostgreSQL, an integer in SQLite
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, memoryview):
        return bytes(v)
    return v


def _row_factory(cursor: Any) -> Any:
    desc = cursor.description or []
    index = {c.name: i for i, c in enumerate(desc)}

    def make(values: Sequence[Any]) -> Row:
        return Row(index, tuple(_value(v) for v in values))

    return make


def _param(v: Any) -> Any:
    if isinstance(v, bool):  # SQLite stores booleans as 0/1 in INTEGER columns
        return int(v)
    if isinstance(v, PurePath):
        return str(v)
    if hasattr(v, "dtype") and hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """`?` placeholders to `%s` and literal `%` to `%%`, leaving quoted strings' `?` alone."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


#: Statements that only read (retried once on a new connection when the old one was dropped).
_READ = re.compile(r"^\s*SELECT\b(?!.*\b(lastval|nextval|setval|pg_advisory\w*|pg_try_advisory\w*)\s*\()",
                   re.IGNORECASE | re.DOTALL)
_BEGIN = re.compile(r"^\s*BEGIN(\s+(IMMEDIATE|DEFERRED|EXCLUSIVE))?\s*;?\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*(COMMIT|ROLLBACK|END)\s*;?\s*$", re.IGNORECASE)


class PgCursor:
    """The result of one statement: rows (already fetched), rowcount and a lazy lastrowid."""

    def __init__(self, conn: PgConnection, rows: list[Row], rowcount: int) -> None:
        self._conn = conn
        self._rows = rows
        self._pos = 0
        self.rowcount = rowcount

    @property
    def lastrowid(self) -> int | None:
        """The id the last INSERT into a table with an identity column generated (`lastval()`)."""
        row = self._conn.execute("SELECT lastval()").fetchone()
        return int(row[0]) if row else None

    def fetchone(self) -> Any:
        if self._pos >= len(self._rows):
            return None
        self._pos += 1
        return self._rows[self._pos - 1]

    def fetchall(self) -> list[Row]:
        rest = self._rows[self._pos:]
        self._pos = len(self._rows)
        return rest

    def fetchmany(self, size: int = 1) -> list[Row]:
        rest = self._rows[self._pos:self._pos + size]
        self._pos += len(rest)
        return rest

    def __iter__(self) -> Iterator[Row]:
        while (row := self.fetchone()) is not None:
            yield row


class PgConnection:
    """One PostgreSQL connection behind the sqlite3.Connection interface the stores use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._in_tx = False
        self._conn: Any = None
        self._open()

    # -- connection ----------------------------------------------------------------------------

    def _open(self) -> None:
        import psycopg

        try:
            self._conn = psycopg.connect(
                self.url, autocommit=True, row_factory=_row_factory, connect_timeout=CONNECT_TIMEOUT_S,
                application_name="studykb",
            )
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailableError(
                f"PostgreSQL at {describe(self.url)} is unreachable ({masked(self.url)}): "
                f"{_first_line(exc)}"
            ) from None  # the pages add UNAVAILABLE_ZH (ui/app.py)

    def _live(self) -> Any:
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._in_tx:
                self._in_tx = False
                raise self._lost("the connection was lost during a transaction; nothing of it was kept")
            self._open()
        return self._conn

    def _lost(self, detail: str) -> DatabaseUnavailableError:
        # Shown as it is by the web pages (which speak Chinese), so the Chinese sentence comes first.
        return DatabaseUnavailableError(
            f"{UNAVAILABLE_ZH}（PostgreSQL at {describe(self.url)} is not answering: {detail}; "
            "try again in a moment）"
        )

    @property
    def in_transaction(self) -> bool:
        return self._in_tx

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()

    def commit(self) -> None:
        """Autocommit mode: only explicit transactions (`studykb.db.write`) hold statements."""

    # -- statements ----------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        if _BEGIN.match(sql):
            self._run_anew("BEGIN", (), retry=True)  # nothing has happened yet: always safe to retry
            conn = self._conn
            self._in_tx = True
            self._run(conn, "SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            return PgCursor(self, [], -1)
        end = _END.match(sql)
        if end:
            if self._conn is None or self._conn.broken or self._conn.closed:
                self._in_tx = False
                if end.group(1).upper() == "ROLLBACK":
                    return PgCursor(self, [], -1)  # the server already dropped the transaction
                raise self._lost("the connection was lost before the commit; nothing was written")
            try:
                verb = "ROLLBACK" if end.group(1).upper() == "ROLLBACK" else "COMMIT"
                return self._run(self._conn, verb, ())
            finally:
                self._in_tx = False
        if self._in_tx:
            conn = self._live()
            if not params:
                return self._run(conn, sql, ())
            return self._run(conn, translate(sql), _args(params))
        if not params:  # no placeholders to fill: the text goes as it is (several statements allowed)
            return self._run_anew(sql, (), retry=_READ.match(sql) is not None)
        return self._run_anew(translate(sql), _args(params), retry=_READ.match(sql) is not None)

    def _run_anew(self, sql: str, params: Sequence[Any] | dict[str, Any], *, retry: bool) -> PgCursor:
        """Run a statement outside a transaction. When the server dropped this connection while it sat
        idle (a restart, a failover), the statement runs once more on a new connection: always when the
        server said it was shutting the session down (57P01: nothing of the statement was kept), and
        for a read (`retry`) when the connection broke otherwise. The request at the moment the server
        is down still fails (DatabaseUnavailableError); the first one after it is back succeeds."""
        import psycopg

        try:
            return self._run(self._live(), sql, params)
        except DatabaseUnavailableError as exc:
            cause = exc.__cause__
            if not (retry or isinstance(cause, psycopg.errors.AdminShutdown)) or cause is None:
                raise
        self.close()
        self._open()
        return self._run(self._conn, sql, params)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        conn = self._live()
        rows = [[_param(p) for p in params] for params in seq]
        if not rows:
            return PgCursor(self, [], 0)
        import psycopg

        try:
            with conn.cursor() as cur:
                cur.executemany(translate(sql), rows)
                return PgCursor(self, [], cur.rowcount)
        except psycopg.Error as exc:
            raise self._translate_error(exc) from exc

    def _run(self, conn: Any, sql: str, params: Sequence[Any] | dict[str, Any]) -> PgCursor:
        import psycopg

        try:
            with conn.cursor() as cur:
                cur.execute(sql, params or None)
                rows = cur.fetchall() if cur.description is not None else []
                return PgCursor(self, rows, cur.rowcount)
        except psycopg.Error as exc:
            raise self._translate_error(exc) from exc

    def _translate_error(self, exc: Exception) -> Exception:
        import psycopg

        if isinstance(exc, psycopg.OperationalError) and (self._conn is None or self._conn.broken
                                                          or self._conn.closed):
            self._in_tx = False
            return self._lost(_first_line(exc))
        if isinstance(exc, psycopg.errors.AdminShutdown | psycopg.errors.CannotConnectNow):
            return self._lost(_first_line(exc))
        if isinstance(exc, psycopg.IntegrityError):
            return sqlite3.IntegrityError(_first_line(exc))
        return sqlite3.OperationalError(_first_line(exc))

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _args(params: Sequence[Any] | dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
    return params if isinstance(params, dict) else [_param(p) for p in params]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
