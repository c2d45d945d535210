"""Fixtures for the reading-list tests: a fresh database with one account per role."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from studykb import auth
from studykb.auth import User
from studykb.db import connect


@pytest.fixture
def conn(db_target: Path | str) -> Iterator[sqlite3.Connection]:
    """A migrated, empty database, on SQLite and on PostgreSQL."""
    conn = connect(db_target)
    yield conn
    conn.close()


@pytest.fixture
def people(conn: sqlite3.Connection) -> dict[str, User]:
    """One account per role (no passwords: these tests never log in)."""
    return {
        "organiser": auth.add_user(conn, "wangfang", None, "organiser", display_name="王芳"),
        "organiser2": auth.add_user(conn, "chenjing", None, "organiser", display_name="陈静"),
        "member": auth.add_user(conn, "lihua", None, "member", display_name="李华"),
        "member2": auth.add_user(conn, "zhaolei", None, "member", display_name="赵磊"),
        "maintainer": auth.add_user(conn, "admin", None, "maintainer"),
    }
