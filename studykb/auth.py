"""Users, roles and passwords: local accounts with slow salted hashes, checked on every write.

Roles are ordered: member < organiser < maintainer. Members read, search and track their own
progress; organisers also edit reading lists and sites; maintainers also manage users. Passwords
are hashed with Argon2id (argon2-cffi: salted, memory-hard). Failed logins are rate-limited per
user name (MAX_FAILURES within FAILURE_WINDOW_S).
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass

from .db import write
from .errors import ConfigError, PermissionDenied

__all__ = [
    "ROLES",
    "User",
    "add_user",
    "authenticate",
    "can",
    "get_user",
    "list_users",
    "remove_user",
    "require",
    "set_password",
    "set_role",
    "user_by_email",
]

ROLES = ("member", "organiser", "maintainer")
MIN_PASSWORD_CHARS = 10
MAX_FAILURES = 5
FAILURE_WINDOW_S = 15 * 60
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


@dataclass(frozen=True)
class User:
    """An authenticated person."""

    id: int
    username: str
    role: str
    display_name: str = ""
    email: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"User({self.username!r}, {self.role})"


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def can(user: User | None, role: str) -> bool:
    """True when `user` has `role` or a higher one."""
    if role not in ROLES:
        raise ConfigError(f"unknown role '{role}' (valid: {', '.join(ROLES)})")
    return user is not None and ROLES.index(user.role) >= ROLES.index(role)


def require(user: User | None, role: str, action: str = "this") -> User:
    """Return `user` if it has `role` (or higher), else raise PermissionDenied naming the action."""
    if not can(user, role):
        who = f"{user.username} ({user.role})" if user else "an anonymous visitor"
        raise PermissionDenied(f"{who} may not do {action}: the {role} role is needed")
    assert user is not None
    return user


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role '{role}' (valid: {', '.join(ROLES)})")


def _row_user(row: sqlite3.Row) -> User:
    return User(row["id"], row["username"], row["role"], row["display_name"], row["email"])


def add_user(
    conn: sqlite3.Connection,
    username: str,
    password: str | None,
    role: str = "member",
    *,
    display_name: str = "",
    email: str | None = None,
) -> User:
    """Create a local account. `password` may be None only for accounts that log in via OpenID Connect."""
    _check_role(role)
    if not _USERNAME.match(username):
        raise ConfigError(f"user name {username!r} must be 2-64 letters, digits or _ . @ -")
    hashed = _hash(password) if password is not None else None
    try:
        with write(conn):
            cur = conn.execute(
                "INSERT INTO users(username, display_name, role, password_hash, email) VALUES (?,?,?,?,?)",
                (username, display_name, role, hashed, email),
            )
    except sqlite3.IntegrityError:
        raise ConfigError(f"user {username!r} already exists") from None
    return User(int(cur.lastrowid or 0), username, role, display_name, email)


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    return str(_hasher().hash(password))


def get_user(conn: sqlite3.Connection, username: str) -> User | None:
    """The user called `username`, or None."""
    row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    return _row_user(row) if row else None


def user_by_email(conn: sqlite3.Connection, email: str) -> User | None:
    """The user with this e-mail address (for OpenID Connect logins), or None."""
    row = conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
    return _row_user(row) if row else None


def list_users(conn: sqlite3.Connection) -> list[User]:
    """All users by name."""
    return [_row_user(r) for r in conn.execute("SELECT * FROM users ORDER BY username")]


def set_role(conn: sqlite3.Connection, username: str, role: str) -> User:
    """Change a user's role."""
    _check_role(role)
    with write(conn):
        if conn.execute("UPDATE users SET role = ? WHERE username = ?", (role, username)).rowcount == 0:
            raise ConfigError(f"no user {username!r}")
    user = get_user(conn, username)
    assert user is not None
    return user


def set_password(conn: sqlite3.Connection, username: str, password: str) -> None:
    """Replace a user's password."""
    hashed = _hash(password)
    with write(conn):
        if (
            conn.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hashed, username)).rowcount
            == 0
        ):
            raise ConfigError(f"no user {username!r}")


def remove_user(conn: sqlite3.Connection, username: str) -> None:
    """Delete a user account."""
    with write(conn):
        if conn.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount == 0:
            raise ConfigError(f"no user {username!r}")


def authenticate(conn: sqlite3.Connection, username: str, password: str, *, now: float | None = None) -> User:
    """Check a password; return the User or raise PermissionDenied (wrong password, or rate-limited).

    After MAX_FAILURES failures within FAILURE_WINDOW_S the account refuses logins until the window
    passes, whatever the password — so guessing is slow even for valid names.
    """
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    now = time.time() if now is None else now
    recent = conn.execute(
        "SELECT count(*) FROM login_failures WHERE username = ? AND at > ?",
        (username, now - FAILURE_WINDOW_S),
    ).fetchone()[0]
    if recent >= MAX_FAILURES:
        raise PermissionDenied("too many failed logins for this account: try again in 15 minutes")
    row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    ok = False
    if row is not None and row["password_hash"]:
        try:
            ok = _hasher().verify(row["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher().hash(password or "x")  # same cost for unknown names: no timing oracle
    if not ok:
        with write(conn):
            conn.execute("INSERT INTO login_failures(username, at) VALUES (?, ?)", (username, now))
        raise PermissionDenied("wrong user name or password")
    with write(conn):
        conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))
    return _row_user(row)
