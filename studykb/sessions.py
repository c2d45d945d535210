"""Login sessions that survive a reload: random tokens kept hashed in the database, expiring, revocable.

The browser holds the token (a cookie); the database holds only its SHA-256, so a copy of the database
opens no session. Each use re-reads the account: a session ends when it expires, when it is revoked
(logout), when its user is removed, and when the user's password changes.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time

from .auth import User
from .db import write

__all__ = ["SESSION_TTL_S", "open_session", "resume", "revoke"]

#: How long a session lasts without a new login (14 days).
SESSION_TTL_S = 14 * 24 * 3600


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _stamp(password_hash: str | None) -> str:
    """What a session remembers of the password: any change of the stored hash ends the session."""
    return _digest(password_hash or "")


def open_session(conn: sqlite3.Connection, user: User, *, ttl_s: float = SESSION_TTL_S,
                 now: float | None = None) -> str:
    """Start a session for `user` (just authenticated) and return its token for the browser to keep."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    row = conn.execute("SELECT password_hash FROM users WHERE id = ?", (user.id,)).fetchone()
    stamp = _stamp(row["password_hash"] if row else None)
    with write(conn):
        conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
        conn.execute("INSERT INTO sessions(token_hash, user_id, password_stamp, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (_digest(token), user.id, stamp, now, now + ttl_s))
    return token


def resume(conn: sqlite3.Connection, token: str, *, now: float | None = None) -> User | None:
    """The account of a live session, read fresh from the database (its current role), else None."""
    if not token:
        return None
    now = time.time() if now is None else now
    row = conn.execute(
        "SELECT u.*, s.password_stamp, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ?", (_digest(token),)).fetchone()
    if row is None:
        return None
    if row["expires_at"] <= now or row["password_stamp"] != _stamp(row["password_hash"]):
        revoke(conn, token)
        return None
    return User(row["id"], row["username"], row["role"], row["display_name"], row["email"])


def revoke(conn: sqlite3.Connection, token: str) -> None:
    """End the session of `token` (logout); nothing happens for an unknown token."""
    with write(conn):
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))
