"""Reading progress: members mark items read (their own only); organisers see completion per list."""

from __future__ import annotations

import sqlite3
import time

from studykb.auth import User, require
from studykb.db import write
from studykb.errors import PermissionDenied

from .records import Completion, PersonProgress
from .store import get_item, get_list

__all__ = ["completion", "mark_read", "progress"]


def _account(conn: sqlite3.Connection, user: User | None) -> User:
    """The logged-in user, who must have an account row (progress is stored per account)."""
    acting = require(conn, user, "member", "progress tracking")
    if acting.id <= 0 or conn.execute("SELECT 1 FROM users WHERE id = ?", (acting.id,)).fetchone() is None:
        raise PermissionDenied(
            f"{acting.username} has no account in this library, so progress cannot be saved: "
            f"ask a maintainer to run `studykb users add NAME --email {acting.email or 'ADDRESS'}`"
        )
    return acting


def mark_read(conn: sqlite3.Connection, user: User | None, item_id: int, read: bool = True) -> None:
    """Record (or with read=False, clear) that `user` has read an item. Only ever the user's own progress."""
    acting = _account(conn, user)
    item = get_item(conn, acting, item_id)  # raises PermissionDenied for drafts seen by members
    with write(conn):
        if read:
            conn.execute(
                "INSERT INTO reading_progress(user_id, item_id, read_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id, item_id) DO NOTHING",
                (acting.id, item.id, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
            )
        else:
            conn.execute("DELETE FROM reading_progress WHERE user_id = ? AND item_id = ?",
                         (acting.id, item.id))


def progress(conn: sqlite3.Connection, user: User | None, list_id: int) -> dict[int, str]:
    """The items of the list `user` has read: {item id: read_at}. Empty for anonymous visitors."""
    get_list(conn, user, list_id)
    if user is None or user.id <= 0:
        return {}
    rows = conn.execute(
        "SELECT p.item_id, p.read_at FROM reading_progress p JOIN reading_list_items i ON i.id = p.item_id "
        "WHERE p.user_id = ? AND i.list_id = ?", (user.id, list_id),
    )
    return {r["item_id"]: r["read_at"] for r in rows}


def completion(conn: sqlite3.Connection, user: User | None, list_id: int) -> Completion:
    """Per-item reader counts of a list, how many readers finished every item, and each person's
    progress (organisers only). `members` is the number of accounts with the member role."""
    require(conn, user, "organiser", "completion reports")
    get_list(conn, user, list_id)
    readers = {
        r["id"]: r["n"] for r in conn.execute(
            "SELECT i.id, count(p.user_id) AS n FROM reading_list_items i "
            "LEFT JOIN reading_progress p ON p.item_id = i.id WHERE i.list_id = ? GROUP BY i.id", (list_id,),
        )
    }
    finished = 0
    if readers:
        finished = conn.execute(
            "SELECT count(*) FROM (SELECT p.user_id FROM reading_progress p JOIN reading_list_items i "
            "ON i.id = p.item_id WHERE i.list_id = ? GROUP BY p.user_id HAVING count(*) = ?) AS finished",
            (list_id, len(readers)),
        ).fetchone()[0]
    members = conn.execute("SELECT count(*) FROM users WHERE role = 'member'").fetchone()[0]
    rows = conn.execute(
        "SELECT u.username, u.display_name, u.role, count(i.id) AS n, "
        "max(CASE WHEN i.id IS NOT NULL THEN p.read_at END) AS last FROM users u "
        "LEFT JOIN reading_progress p ON p.user_id = u.id "
        "LEFT JOIN reading_list_items i ON i.id = p.item_id AND i.list_id = ? "
        "GROUP BY u.id HAVING u.role = 'member' OR count(i.id) > 0 ORDER BY n, u.username", (list_id,),
    ).fetchall()
    people = tuple(PersonProgress(r["username"], r["display_name"] or r["username"], r["role"], r["n"],
                                  r["last"]) for r in rows)
    return Completion(list_id, members, readers, finished, people)
