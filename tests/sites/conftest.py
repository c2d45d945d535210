"""Fixtures for the learning-sites tests: a fresh database, a user of each role, valid site rows."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from sites import COLUMNS
from studykb import auth
from studykb.auth import User
from studykb.db import connect

VALID_ROW: dict[str, str] = {
    "id": "zj-test-hall",
    "name": "测试革命纪念馆",
    "type": "纪念馆",
    "province": "浙江省",
    "city": "嘉兴市",
    "district": "南湖区",
    "address": "南湖路1号",
    "lat": "30.7515",
    "lon": "120.7625",
    "hours": "周二至周日 9:00-16:30",
    "booking": "",
    "themes": "建党;革命先烈",
    "description": "一处用于测试的纪念馆，陈列红船精神相关的图片和实物。",
    "url": "https://example.org/hall",
    "related_queries": "红船精神;南湖会议",
}


def _csv_text(rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMNS])
    return buffer.getvalue()


@pytest.fixture
def accounts_db(conn: sqlite3.Connection) -> sqlite3.Connection:
    """The database the `organiser` and `member` accounts live in (the store tests' `conn`; the page
    tests override it with the app's database)."""
    return conn


@pytest.fixture
def organiser(accounts_db: sqlite3.Connection) -> User:
    """An organiser (may edit sites): a real account, since every write re-reads it."""
    return auth.add_user(accounts_db, "wangfang", None, "organiser", display_name="王芳")


@pytest.fixture
def member(accounts_db: sqlite3.Connection) -> User:
    """A member (may only read)."""
    return auth.add_user(accounts_db, "lihua", None, "member", display_name="李华")


@pytest.fixture
def csv_text() -> Callable[[Iterable[dict[str, str]]], str]:
    """Render rows (dicts keyed by column) as sites.csv text."""
    return _csv_text


@pytest.fixture
def conn(db_target: Path | str) -> Iterator[sqlite3.Connection]:
    """A new, fully migrated database, on SQLite and on PostgreSQL."""
    conn = connect(db_target)
    yield conn
    conn.close()


@pytest.fixture
def row() -> Callable[..., dict[str, str]]:
    """Make a valid site row, with changes: row(id="zj-x", lat="30.1")."""

    def make(**changes: str) -> dict[str, str]:
        return {**VALID_ROW, **changes}

    return make


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows to a CSV file in tmp_path and return its path: write_csv(rows, name="x.csv")."""

    def write(rows: Iterable[dict[str, str]], name: str = "sites.csv") -> Path:
        path = tmp_path / name
        path.write_text(_csv_text(rows), encoding="utf-8")
        return path

    return write
