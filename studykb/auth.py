"""Users, roles and passwords: local accounts with slow salted hashes, checked on every write.

Roles are ordered: member < organiser < maintainer. Members read, search and track their own
progress; organisers also edit reading lists and sites; maintainers also manage users. Passwords
are hashed with Argon2id (argon2-cffi: salted, memory-hard) and must pass `passwords.check_password`.

A logged-in `User` is a snapshot. Each account has a session generation that `set_password` and
`set_role` raise; `require` re-reads the account for every write and refuses (SessionExpired) a
snapshot whose account is gone or whose generation moved on, so changing or removing an account ends
its open sessions. Failed logins are rate-limited per user name (MAX_FAILURES within
FAILURE_WINDOW_S); an attempt is reserved in the same write transaction that counts the recent ones,
before the password is checked, so parallel attempts cannot overrun the limit.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass, replace

from .db import write
from .errors import ConfigError, PermissionDenied, SessionExpired, TooManyAttempts
from .passwords import check_password

__all__ = [
    "ROLES",
    "User",
    "add_user",
    "authenticate",
    "can",
    "current",
    "get_user",
    "list_users",
    "remove_user",
    "require",
    "set_password",
    "set_role",
    "user_by_email",
]

ROLES = ("member", "organiser", "maintainer")
MAX_FAILURES = 5
FAILURE_WINDOW_S = 15 * 60
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


@dataclass(frozen=True)
class User:
    """An authenticated person, as their account was when they logged in.

    `id` > 0 is a row of the users table and `generation` its session generation at login; other ids
    are people without an account row (0: the operator at the server's command line, -1: an OpenID
    Connect login not linked to an account), whose role is given by the server itself.
    """

    id: int
    username: str
    role: str
    display_name: str = ""
    email: str | None = None
    generation: int = 0
    #: An API key issued to a unit acts only in that unit's subtree (activity.units.managed_units).
    unit_scope: str | None = None

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


def require(conn: sqlite3.Connection, user: User | None, role: str, action: str = "this") -> User:
    """The account acting for `user` as it is now, if it has `role` (or higher); else PermissionDenied.

    For an account row (`user.id` > 0) the role is read from the database: a removed account, or one
    whose password or role changed since `user` was read, raises SessionExpired (log in again).
    """
    acting = user
    if user is not None and user.id > 0:
        acting = current(conn, user)
        if acting is None:
            raise SessionExpired(
                f"the account {user.username!r} was changed or removed since this session logged in: "
                "log in again"
            )
    if not can(acting, role):
        who = f"{acting.username} ({acting.role})" if acting else "an anonymous visitor"
        raise PermissionDenied(f"{who} may not do {action}: the {role} role is needed")
    assert acting is not None
    return acting


def current(conn: sqlite3.Connection, user: User) -> User | None:
    """`user`'s account as it is now, or None when it was removed or changed role or password since
    `user` was read (its session has ended). People without an account row are returned as they are.

    The role is the lower of the account's and `user`'s (an API key acting for an account may have a
    lower one), and `user`'s unit scope is kept."""
    if user.id <= 0:
        return user
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user.id,)).fetchone()
    if row is None or row["session_generation"] != user.generation:
        return None
    now = _row_user(row)
    role = min(now.role, user.role, key=ROLES.index) if user.role in ROLES else now.role
    return replace(now, role=role, unit_scope=user.unit_scope)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role '{role}' (valid: {', '.join(ROLES)})")


def _row_user(row: sqlite3.Row) -> User:
    return User(row["id"], row["username"], row["role"], row["display_name"], row["email"],
                row["session_generation"])


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
    hashed = _hash(password, (username, display_name, email or "")) if password is not None else None
    try:
        with write(conn):
            cur = conn.execute(
                "INSERT INTO users(username, display_name, role, password_hash, email) VALUES (?,?,?,?,?)",
                (username, display_name, role, hashed, email),
            )
    except sqlite3.IntegrityError:
        raise ConfigError(f"user {username!r} already exists") from None
    return User(int(cur.lastrowid or 0), username, role, display_name, email)


def _hash(password: str, user_inputs: tuple[str, ...]) -> str:
    """The Argon2id hash of a new password, which must be strong enough (WeakPasswordError otherwise)."""
    check_password(password, user_inputs)
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
    """Change a user's role; the account's open sessions end (they log in again with the new role)."""
    _check_role(role)
    with write(conn):
        cur = conn.execute(
            "UPDATE users SET role = ?, session_generation = session_generation + 1 WHERE username = ?",
            (role, username),
        )
        if cur.rowcount == 0:
            raise ConfigError(f"no user {username!r}")
    user = get_user(conn, username)
    assert user is not None
    return user


def set_password(conn: sqlite3.Connection, username: str, password: str) -> None:
    """Replace a user's password; the account's open sessions end."""
    user = get_user(conn, username)
    if user is None:
        raise ConfigError(f"no user {username!r}")
    hashed = _hash(password, (user.username, user.display_name, user.email or ""))
    with write(conn):
        cur = conn.execute(
            "UPDATE users SET password_hash = ?, session_generation = session_generation + 1 "
            "WHERE username = ?", (hashed, username),
        )
        if cur.rowcount == 0:
            raise ConfigError(f"no user {username!r}")


def remove_user(conn: sqlite3.Connection, username: str) -> None:
    """Delete a user account (its open sessions end: the account no longer exists)."""
    with write(conn):
        if conn.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount == 0:
            raise ConfigError(f"no user {username!r}")


def authenticate(conn: sqlite3.Connection, username: str, password: str, *, now: float | None = None) -> User:
    """Check a password; return the User or raise PermissionDenied (wrong password) or TooManyAttempts.

    After MAX_FAILURES failures within FAILURE_WINDOW_S the account refuses logins until the window
    passes, whatever the password — so guessing is slow even for valid names. Each attempt is recorded
    as a failure before its password is checked (in the write transaction that counts the recent
    ones) and the record is cleared when the password is right: parallel attempts queue on the write
    lock, and at most MAX_FAILURES of them ever reach the (slow) check.
    """
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    now = time.time() if now is None else now
    with write(conn):
        recent = conn.execute(
            "SELECT count(*) FROM login_failures WHERE username = ? AND at > ?",
            (username, now - FAILURE_WINDOW_S),
        ).fetchone()[0]
        if recent >= MAX_FAILURES:
            raise TooManyAttempts("too many failed logins for this account: try again in 15 minutes")
        conn.execute("INSERT INTO login_failures(username, at) VALUES (?, ?)", (username, now))
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
        raise PermissionDenied("wrong user name or password")
    with write(conn):
        conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))
    return _row_user(row)
