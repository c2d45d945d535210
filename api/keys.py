"""API keys: created (token shown once, SHA-256 stored), listed, revoked, and looked up by token.

A token is `skb_` + 43 URL-safe characters (256 random bits), so one SHA-256 is a safe hash: unlike a
password it cannot be guessed, and a fast hash keeps the per-request lookup a single indexed SELECT.
A key acts as a `User` with the key's role; a key linked to an account acts as that account (its
reading progress is that account's) with the lower of the key's and the account's roles.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass

from activity.units import unit_exists
from studykb.auth import ROLES, User, get_user
from studykb.db import write
from studykb.errors import ConfigError

__all__ = ["TOKEN_PREFIX", "ApiKey", "create_key", "key_for_token", "list_keys", "revoke_key"]

TOKEN_PREFIX = "skb_"
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_MAX_UNIT = 100


@dataclass(frozen=True)
class ApiKey:
    """One API key as stored (never the token itself)."""

    id: int
    name: str
    prefix: str
    role: str
    unit: str | None
    user_id: int | None
    username: str | None
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        """False once the key was revoked."""
        return self.revoked_at is None

    def __repr__(self) -> str:
        unit = f", unit {self.unit!r}" if self.unit else ""
        state = "" if self.active else ", revoked"
        return f"ApiKey({self.name!r}, {self.role}{unit}{state})"


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


_SELECT = (
    "SELECT k.*, u.username AS username, u.role AS user_role, u.display_name AS display_name, "
    "u.email AS email, u.session_generation AS generation "
    "FROM api_keys k LEFT JOIN users u ON u.id = k.user_id"
)


def _row_key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        row["id"],
        row["name"],
        row["prefix"],
        row["role"],
        row["unit"],
        row["user_id"],
        row["username"],
        row["created_at"],
        row["revoked_at"],
    )


def create_key(
    conn: sqlite3.Connection,
    name: str,
    role: str = "member",
    *,
    unit: str | None = None,
    username: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; return it and its token (the only time the token exists outside the caller)."""
    if role not in ROLES:
        raise ConfigError(f"unknown role '{role}' (valid: {', '.join(ROLES)})")
    if not _NAME.match(name):
        raise ConfigError(f"key name {name!r} must be 2-64 letters, digits or _ . @ -")
    unit = (unit or "").strip() or None
    if unit is not None and len(unit) > _MAX_UNIT:
        raise ConfigError(f"unit: at most {_MAX_UNIT} characters allowed, got {len(unit)}")
    if unit is not None and not unit_exists(conn, unit):
        raise ConfigError(
            f"unit: no unit with id {unit!r} (the key would act nowhere): import the units first "
            "(`studykb units import`) and give a unit id from `studykb units list`"
        )
    user_id = None
    if username is not None:
        user = get_user(conn, username)
        if user is None:
            raise ConfigError(f"no user {username!r}: create the account first (`studykb users add`)")
        if ROLES.index(role) > ROLES.index(user.role):
            raise ConfigError(f"a key for {username} ({user.role}) cannot have the higher role {role}")
        user_id = user.id
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with write(conn):
            cur = conn.execute(
                "INSERT INTO api_keys(name, token_hash, prefix, role, unit, user_id) VALUES (?,?,?,?,?,?)",
                (name, token_hash(token), token[:8], role, unit, user_id),
            )
    except sqlite3.IntegrityError:
        raise ConfigError(f"a key named {name!r} already exists: choose another name") from None
    row = conn.execute(_SELECT + " WHERE k.id = ?", (cur.lastrowid,)).fetchone()
    return _row_key(row), token


def list_keys(conn: sqlite3.Connection, *, include_revoked: bool = False) -> list[ApiKey]:
    """The keys by name (active ones only unless asked)."""
    where = "" if include_revoked else " WHERE k.revoked_at IS NULL"
    return [_row_key(r) for r in conn.execute(_SELECT + where + " ORDER BY k.name")]


def revoke_key(conn: sqlite3.Connection, name: str) -> ApiKey:
    """Revoke a key by name: requests with its token get 401 from then on."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with write(conn):
        cur = conn.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (now, name)
        )
    if cur.rowcount == 0:
        raise ConfigError(f"no active key named {name!r} (`studykb keys list` shows them)")
    row = conn.execute(_SELECT + " WHERE k.name = ?", (name,)).fetchone()
    return _row_key(row)


def key_for_token(conn: sqlite3.Connection, token: str) -> tuple[ApiKey, User] | None:
    """The active key with this token and the user it acts as, or None (unknown or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = conn.execute(
        _SELECT + " WHERE k.token_hash = ? AND k.revoked_at IS NULL", (token_hash(token),)
    ).fetchone()
    if row is None:
        return None
    return _row_key(row), _acting_user(row)


def _acting_user(row: sqlite3.Row) -> User:
    """The User a key row acts as: its account (with the lower role) or a key-only identity (id -1)."""
    if row["user_id"] is None:
        return User(-1, f"key:{row['name']}", row["role"], row["name"], unit_scope=row["unit"])
    role = min(row["role"], row["user_role"], key=ROLES.index)
    # The account's current generation: a key is its own credential, so a changed password does not
    # end it (revoke it for that); a lower role or a removed account does (read at every request).
    return User(row["user_id"], row["username"], role, row["display_name"], row["email"],
                row["generation"], unit_scope=row["unit"])
