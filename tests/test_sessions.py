"""Login sessions: a token resumes its account until it expires, is revoked, the user is removed or the
password or role changes (the account's session generation); the database keeps only the token's hash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studykb import auth, sessions
from studykb.db import connect

PASSWORD = "correct-horse-42"


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return connect(tmp_path / "studykb.db")


def test_a_session_resumes_its_account_and_stores_only_a_hash(conn: sqlite3.Connection) -> None:
    user = auth.add_user(conn, "wangfang", PASSWORD, "organiser")
    token = sessions.open_session(conn, user)
    assert sessions.resume(conn, token) == user
    stored = [r[0] for r in conn.execute("SELECT token_hash FROM sessions")]
    assert stored and token not in stored


def test_a_session_expires(conn: sqlite3.Connection) -> None:
    user = auth.add_user(conn, "wangfang", PASSWORD, "organiser")
    token = sessions.open_session(conn, user, ttl_s=60, now=1000.0)
    assert sessions.resume(conn, token, now=1059.0) == user
    assert sessions.resume(conn, token, now=1061.0) is None


def test_logout_removal_and_a_new_password_end_sessions(conn: sqlite3.Connection) -> None:
    user = auth.add_user(conn, "wangfang", PASSWORD, "organiser")
    out, moved, gone = (sessions.open_session(conn, user) for _ in range(3))
    sessions.revoke(conn, out)
    assert sessions.resume(conn, out) is None
    assert sessions.resume(conn, moved) == user
    auth.set_password(conn, "wangfang", "another-horse-43")
    assert sessions.resume(conn, moved) is None
    fresh = sessions.open_session(conn, user)
    auth.remove_user(conn, "wangfang")
    assert sessions.resume(conn, fresh) is None
    assert sessions.resume(conn, gone) is None


def test_a_role_change_ends_the_session_and_a_new_login_has_the_new_role(conn: sqlite3.Connection) -> None:
    user = auth.add_user(conn, "wangfang", PASSWORD, "organiser")
    token = sessions.open_session(conn, user)
    auth.set_role(conn, "wangfang", "member")
    assert sessions.resume(conn, token) is None
    again = sessions.open_session(conn, auth.authenticate(conn, "wangfang", PASSWORD))
    resumed = sessions.resume(conn, again)
    assert resumed is not None and resumed.role == "member"
    assert auth.current(conn, resumed) == resumed


def test_an_unknown_token_opens_nothing(conn: sqlite3.Connection) -> None:
    assert sessions.resume(conn, "forged-token") is None
    assert sessions.resume(conn, "") is None


def test_a_login_from_a_snapshot_taken_before_a_password_change_opens_a_dead_session(
        conn: sqlite3.Connection) -> None:
    before = auth.add_user(conn, "wangfang", PASSWORD, "organiser")
    auth.set_password(conn, "wangfang", "another-horse-43")
    token = sessions.open_session(conn, before)  # the one rule of auth.current applies to sessions too
    assert sessions.resume(conn, token) is None
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
