"""`studykb db copy`: move a single-machine install's SQLite rows into an empty PostgreSQL database.

Every table the migrations created is copied in creation order (parents before the rows that refer to
them), with the exact-phrase table `chunk_fts`, in ONE PostgreSQL transaction: the counts are read back
inside it and compared with SQLite's before the commit, so the target ends with everything or nothing.
Identity sequences are moved past the copied ids, so new rows get fresh ids.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from .db import connect, connect_sqlite, schema_version
from .errors import ConfigError, StudyKBError
from .pg import PgConnection, describe, masked

__all__ = ["CopyResult", "copy_to_postgres"]

BATCH = 2000
#: Tables of SQLite's own or FTS5's internals, not data.
_SKIP_PREFIXES = ("sqlite_", "chunk_fts")


@dataclass(frozen=True)
class CopyResult:
    """Rows copied per table, verified equal on both sides."""

    url: str
    counts: tuple[tuple[str, int], ...]


def _tables(src: sqlite3.Connection) -> list[str]:
    rows = src.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall()
    return [r[0] for r in rows if not r[0].startswith(_SKIP_PREFIXES)] + ["chunk_fts"]


def _columns(src: sqlite3.Connection, table: str) -> list[str]:
    if table == "chunk_fts":
        return ["rowid", "folded"]
    return [r[1] for r in src.execute(f'PRAGMA table_info("{table}")')]


def _self_references(src: sqlite3.Connection, table: str, cols: list[str]) -> list[tuple[int, int]]:
    """(referring column, referred column) positions of the foreign keys of `table` to itself."""
    if table == "chunk_fts":
        return []
    return [(cols.index(fk["from"]), cols.index(fk["to"]))
            for fk in src.execute(f'PRAGMA foreign_key_list("{table}")') if fk["table"] == table]


def _parents_first(rows: list[tuple[object, ...]], refs: list[tuple[int, int]]) -> list[tuple[object, ...]]:
    """`rows` ordered so that every row comes after the rows it refers to (a cycle, which SQLite's
    checks would not have let in, is left in place for PostgreSQL to name)."""
    out: list[tuple[object, ...]] = []
    seen: list[set[object]] = [set() for _ in refs]
    pending = rows
    while pending:
        ready = [r for r in pending
                 if all(r[frm] is None or r[frm] in seen[i] for i, (frm, _to) in enumerate(refs))]
        if not ready:
            return out + pending
        ready_ids = {id(r) for r in ready}
        pending = [r for r in pending if id(r) not in ready_ids]
        for r in ready:
            out.append(r)
            for i, (_frm, to) in enumerate(refs):
                seen[i].add(r[to])
    return out


def _count(conn: sqlite3.Connection | PgConnection, table: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def copy_to_postgres(db_path: Path, url: str,
                     progress: Callable[[str, int], None] | None = None) -> CopyResult:
    """Copy the SQLite database at `db_path` into the empty PostgreSQL database at `url`.

    Raises ConfigError when the source is missing or the target already holds rows (named), and
    StudyKBError when a count read back differs; the target is then left as it was.
    """
    if not db_path.is_file():
        raise ConfigError(f"{db_path}: no SQLite database to copy (is --data-dir the install's data dir?)")
    src = connect_sqlite(db_path)  # brings an older install to the current schema first
    dst = cast(PgConnection, connect(url))
    try:
        if schema_version(src) != schema_version(cast(sqlite3.Connection, dst)):
            raise ConfigError(f"{db_path} and {masked(url)} are at different schema versions")
        tables = _tables(src)
        busy = [(t, n) for t in tables if (n := _count(dst, t))]
        if busy:
            listed = ", ".join(f"{t} ({n} rows)" for t, n in busy)
            raise ConfigError(f"{describe(url)} is not empty: {listed}; copy only into a new, empty database")
        counts: list[tuple[str, int]] = []
        dst.execute("BEGIN")
        try:
            for table in tables:
                cols = _columns(src, table)
                names = ", ".join(f'"{c}"' for c in cols)
                insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
                cur = src.execute(f'SELECT {names} FROM "{table}"')
                refs = _self_references(src, table, cols)
                if refs:  # a tree (units.parent_id): PostgreSQL checks each row's parent as it arrives
                    dst.executemany(insert, _parents_first([tuple(r) for r in cur.fetchall()], refs))
                while batch := cur.fetchmany(BATCH):
                    dst.executemany(insert, [tuple(r) for r in batch])
                seq = None
                if "id" in cols:
                    seq = dst.execute("SELECT pg_get_serial_sequence(?, 'id')", (table,)).fetchone()[0]
                if seq is not None:
                    dst.execute(f'SELECT setval(?::regclass, (SELECT max(id) FROM "{table}")) '
                                f'WHERE EXISTS (SELECT 1 FROM "{table}")', (seq,))
                want, got = _count(src, table), _count(dst, table)
                if want != got:
                    raise StudyKBError(
                        f"{table}: {want} rows in SQLite but {got} in PostgreSQL; nothing was copied")
                counts.append((table, got))
                if progress:
                    progress(table, got)
        except sqlite3.Error as exc:
            dst.execute("ROLLBACK")
            raise StudyKBError(f"copy into {describe(url)} failed ({exc}); nothing was copied") from exc
        except BaseException:
            dst.execute("ROLLBACK")
            raise
        dst.execute("COMMIT")
        return CopyResult(masked(url), tuple(counts))
    finally:
        src.close()
        dst.close()
