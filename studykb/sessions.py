"""Login sessions that survive a reload: random tokens kept hashed in the database, expiring, revocable.

The browser holds the token (a cookie); the database holds only its SHA-256, so a copy of the database
opens no session. A session remembers the account's session generation at login, and each use checks
it with `studykb.auth.current` (the one rule for every session): it ends when it expires, when it is
revoked (logout), when its user is removed, and when the user's password or role changes.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time

from .auth import User, current
from .db import write

__all__ = ["SESSION_TTL_S", "open_session", "resume", "revoke"]

#: How long a session lasts without a new login (14 days).
SESSION_TTL_S = 14 * 24 * 3600


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def open_session(conn: sqlite3.Connection, user: User, *, ttl_s: float = SESSION_TTL_S,
                 now: float | None = None) -> str:
    """Start a session for `user` (just authenticated) and return its token for the browser to keep.

    The session carries `user.generation`: a snapshot already outdated opens a session that is dead.
    """
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    with write(conn):
        conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
        conn.execute("INSERT INTO sessions(token_hash, user_id, generation, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (_digest(token), user.id, user.generation, now, now + ttl_s))
    return token


def resume(conn: sqlite3.Connection, token: str, *, now: float | None = None) -> User | None:
    """The account of a live session as it is now, else None (the session has ended, and is deleted:
    expired, revoked, account removed, password or role changed)."""
    if not token:
        return None
    now = time.time() if now is None else now
    row = conn.execute(
        "SELECT u.id, u.username, u.role, u.display_name, u.email, s.generation, s.expires_at "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        (_digest(token),)).fetchone()
    if row is None:
        return None
    snapshot = User(row["id"], row["username"], row["role"], row["display_name"], row["email"],
                    row["generation"])
    user = current(conn, snapshot) if row["expires_at"] > now else None
    if user is None:
        revoke(conn, token)
    return user


def revoke(conn: sqlite3.Connection, token: str) -> None:
    """End the session of `token` (logout); nothing happens for an unknown token."""
    with write(conn):
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))
