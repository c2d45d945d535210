"""One schema on both engines: the migrations leave SQLite and PostgreSQL with the same tables and
columns; the SQL the stores write runs on PostgreSQL through `studykb.pg` as written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studykb import pg
from studykb.db import MIGRATIONS, connect, connect_sqlite, schema_version, table_exists
from studykb.pg_schema import postgres_script
from tests.pg_server import PgServer

_FTS5_SHADOWS = ("chunk_fts_data", "chunk_fts_idx", "chunk_fts_content", "chunk_fts_docsize",
                 "chunk_fts_config")


def _sqlite_columns(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
              if not r[0].startswith("sqlite_") and r[0] not in _FTS5_SHADOWS]
    out = {(t, r[1]) for t in tables for r in conn.execute(f'PRAGMA table_info("{t}")')}
    return out | {("chunk_fts", "rowid")}  # FTS5's implicit rowid is a column on PostgreSQL


def test_both_engines_end_with_the_same_tables_and_columns(pg_server: PgServer, tmp_path: Path) -> None:
    lite = connect_sqlite(tmp_path / "studykb.db")
    post = connect(pg_server.new_database())
    rows = post.execute("SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND table_name <> 'studykb_schema'").fetchall()
    assert {(r[0], r[1]) for r in rows} == _sqlite_columns(lite)
    assert schema_version(post) == schema_version(lite) == len(MIGRATIONS)
    assert table_exists(post, "sites") and not table_exists(post, "nothing_here")


def test_only_rowid_aliases_that_refer_to_nothing_number_their_rows(pg_server: PgServer,
                                                                    tmp_path: Path) -> None:
    """An `INTEGER PRIMARY KEY REFERENCES users(id)` (unit_members) copies the user's id: no identity."""
    lite = connect_sqlite(tmp_path / "studykb.db")
    post = connect(pg_server.new_database())
    aliases = set()
    tables = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND sql NOT LIKE '%VIRTUAL%'") if r[0] not in _FTS5_SHADOWS]
    for table in tables:
        keys = [r for r in lite.execute(f'PRAGMA table_info("{table}")') if r["pk"]]
        refs = {r["from"] for r in lite.execute(f'PRAGMA foreign_key_list("{table}")')}
        if len(keys) == 1 and keys[0]["type"].upper() == "INTEGER" and keys[0]["name"] not in refs:
            aliases.add((table, keys[0]["name"]))
    rows = post.execute("SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND is_identity = 'YES'").fetchall()
    identities = {(r[0], r[1]) for r in rows}
    assert identities == aliases
    assert ("events", "id") in identities and ("unit_members", "user_id") not in identities


def test_migrations_are_applied_once_even_when_replicas_start_together(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    first, second = connect(url), connect(url)  # the second finds the schema current: nothing to do
    assert schema_version(first) == schema_version(second) == len(MIGRATIONS)
    assert first.execute("SELECT count(*) FROM studykb_schema").fetchone()[0] == 1


def test_usernames_compare_without_case_on_both_engines(db_target: Path | str) -> None:
    conn = connect(db_target)
    conn.execute("INSERT INTO users(username, role) VALUES ('WangFang', 'member')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO users(username, role) VALUES ('wangfang', 'member')")
    found = conn.execute("SELECT username FROM users WHERE username = ?", ("WANGFANG",)).fetchone()
    assert found[0] == "WangFang"


def test_a_sqlite_only_migration_without_a_postgres_version_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "0099_fts.sql"
    script.write_text("CREATE VIRTUAL TABLE x USING rtree(id, a, b);\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="0099_fts.postgres.sql"):
        postgres_script(script)
    (tmp_path / "0099_fts.postgres.sql").write_text("CREATE TABLE x (a TEXT);\n", encoding="utf-8")
    assert postgres_script(script) == "CREATE TABLE x (a TEXT);\n"


def test_placeholders_become_psycopg_ones_outside_quotes() -> None:
    assert pg.translate("SELECT '?', \"a?\" FROM t WHERE a = ? AND b LIKE '%x'") == \
        "SELECT '?', \"a?\" FROM t WHERE a = %s AND b LIKE '%%x'"


def test_the_password_is_masked_in_messages() -> None:
    assert pg.masked("postgresql://kb:s3cret@db:5433/kb") == "postgresql://kb:***@db:5433/kb"
    assert pg.describe("postgresql://kb:s3cret@db:5433/kb") == "db:5433/kb"


def test_a_removed_passage_leaves_the_phrase_table_on_both_engines(db_target: Path | str) -> None:
    conn = connect(db_target)
    doc = conn.execute(
        "INSERT INTO documents(path, root, content_hash, meta_hash, format, title, size, mtime, text) "
        "VALUES ('a.txt', '/c', 'h', 'm', 'txt', '甲', 1, 0, '学习') RETURNING id").fetchone()[0]
    chunk = conn.execute(
        'INSERT INTO chunks(document_id, ordinal, text, text_hash, embed_hash, start, "end", tokens) '
        "VALUES (?, 0, '学习', 'h', 'e', 0, 2, '学习') RETURNING id", (doc,)).fetchone()[0]
    conn.execute("INSERT INTO chunk_fts(rowid, folded) VALUES (?, '学习')", (chunk,))
    conn.execute("DELETE FROM documents WHERE id = ?", (doc,))  # cascades to chunks, whose trigger clears
    assert conn.execute("SELECT count(*) FROM chunk_fts").fetchone()[0] == 0
    conn.close()
