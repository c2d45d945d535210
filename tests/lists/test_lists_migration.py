"""Migration 0003 (reading lists): applies on an empty database and on one left at schema version 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studykb.db import MIGRATIONS, connect, schema_version

LIST_TABLES = {"reading_lists", "reading_list_items", "reading_progress"}


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migrates_an_empty_database(tmp_path: Path) -> None:
    conn = connect(tmp_path / "studykb.db")
    assert schema_version(conn) == len(MIGRATIONS) >= 3
    assert LIST_TABLES <= tables(conn)


def test_migrates_a_schema_2_database_keeping_its_accounts(tmp_path: Path) -> None:
    path = tmp_path / "studykb.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + MIGRATIONS[1])
    old.execute("PRAGMA user_version = 2")
    old.execute("INSERT INTO users(username, display_name, role) VALUES ('wangfang', '王芳', 'organiser')")
    old.commit()
    assert not LIST_TABLES & tables(old)
    old.close()

    conn = connect(path)
    assert schema_version(conn) == len(MIGRATIONS)
    assert LIST_TABLES <= tables(conn)
    owner = conn.execute("SELECT id FROM users WHERE username = 'wangfang'").fetchone()[0]
    conn.execute("INSERT INTO reading_lists(title, owner_id, owner_name) VALUES ('五月', ?, '王芳')",
                 (owner,))
    row = conn.execute("SELECT status, revision, created_at FROM reading_lists").fetchone()
    assert (row["status"], row["revision"]) == ("draft", 1) and row["created_at"]


def test_constraints_guard_the_data(tmp_path: Path) -> None:
    conn = connect(tmp_path / "studykb.db")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO reading_lists(title, status) VALUES ('x', 'archived')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO reading_lists(title, period_start, period_end) "
                     "VALUES ('x', '2024-06-01', '2024-05-01')")
    conn.execute("INSERT INTO reading_lists(id, title) VALUES (1, 'x')")
    with pytest.raises(sqlite3.IntegrityError):  # a passage item needs its hash and text
        conn.execute("INSERT INTO reading_list_items(list_id, position, kind, doc_path, doc_title) "
                     "VALUES (1, 0, 'passage', 'a.txt', 'A')")
    conn.execute("INSERT INTO reading_list_items(list_id, position, kind, doc_path, doc_title) "
                 "VALUES (1, 0, 'document', 'a.txt', 'A')")
    with pytest.raises(sqlite3.IntegrityError):  # positions are unique within a list
        conn.execute("INSERT INTO reading_list_items(list_id, position, kind, doc_path, doc_title) "
                     "VALUES (1, 0, 'document', 'b.txt', 'B')")
    with pytest.raises(sqlite3.IntegrityError):  # progress belongs to a real account
        conn.execute("INSERT INTO reading_progress(user_id, item_id) VALUES (99, 1)")
