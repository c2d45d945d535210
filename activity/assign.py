"""Reading lists for units: which units a list is for, completion counted against those units'
members (and the members of the units below them), and who is behind schedule near the end date."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from lists.store import get_list
from studykb.auth import User, require
from studykb.db import write
from studykb.errors import ValidationError

from .csvfile import write_csv
from .units import managed_units, require_scope, subtree

__all__ = [
    "Behind",
    "UnitCompletion",
    "assign_units",
    "behind_schedule",
    "behind_csv",
    "list_units_of",
    "unit_completion",
]


@dataclass(frozen=True)
class UnitCompletion:
    """For one assigned unit (with its subtree): members, how many finished every item, items read."""

    unit_id: str
    unit_name: str
    members: int
    finished: int
    items_read: int
    items_total: int

    @property
    def share(self) -> float:
        """Items read over items that its members should read (0 when nobody is counted)."""
        return (
            self.items_read / (self.members * self.items_total) if self.members and self.items_total else 0.0
        )


@dataclass(frozen=True)
class Behind:
    """A member reading behind the list's schedule."""

    username: str
    display_name: str
    unit_id: str
    read: int
    total: int
    expected: int


def assign_units(conn: sqlite3.Connection, user: User | None, list_id: int, unit_ids: list[str]) -> None:
    """Make the list for exactly these units (empty: for everyone); organisers, within their subtree."""
    get_list(conn, user, list_id)
    require_scope(conn, user, set(unit_ids) | set(list_units_of(conn, list_id)), "assign reading lists")
    known = {r[0] for r in conn.execute("SELECT id FROM units")}
    unknown = sorted(set(unit_ids) - known)
    if unknown:
        raise ValidationError(f"no unit {', '.join(unknown)}: `studykb units list` shows the units")
    with write(conn):
        conn.execute("DELETE FROM reading_list_units WHERE list_id = ?", (list_id,))
        conn.executemany(
            "INSERT INTO reading_list_units(list_id, unit_id) VALUES (?, ?)",
            [(list_id, u) for u in sorted(set(unit_ids))],
        )


def list_units_of(conn: sqlite3.Connection, list_id: int) -> list[str]:
    """The unit ids a list is assigned to (empty: not assigned to units)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT unit_id FROM reading_list_units WHERE list_id = ? ORDER BY unit_id", (list_id,)
        )
    ]


def _reads(conn: sqlite3.Connection, list_id: int) -> tuple[int, dict[int, int]]:
    total = conn.execute("SELECT count(*) FROM reading_list_items WHERE list_id = ?", (list_id,)).fetchone()[
        0
    ]
    rows = conn.execute(
        "SELECT p.user_id, count(*) FROM reading_progress p JOIN reading_list_items i ON i.id = p.item_id "
        "WHERE i.list_id = ? GROUP BY p.user_id",
        (list_id,),
    )
    return int(total), {int(r[0]): int(r[1]) for r in rows}


def _members(conn: sqlite3.Connection, unit_ids: set[str]) -> list[sqlite3.Row]:
    ids = sorted(unit_ids)
    if not ids:
        return []
    return conn.execute(
        "SELECT u.id, u.username, u.display_name, m.unit_id FROM unit_members m "
        "JOIN users u ON u.id = m.user_id "
        f"WHERE m.unit_id IN ({', '.join('?' * len(ids))}) ORDER BY u.username",
        ids,
    ).fetchall()


def unit_completion(conn: sqlite3.Connection, user: User | None, list_id: int) -> list[UnitCompletion]:
    """Completion per assigned unit, counted over the members of the unit and the units below it."""
    require(conn, user, "organiser", "completion reports")
    get_list(conn, user, list_id)
    total, reads = _reads(conn, list_id)
    out: list[UnitCompletion] = []
    for unit_id in list_units_of(conn, list_id):
        name = conn.execute("SELECT name FROM units WHERE id = ?", (unit_id,)).fetchone()[0]
        members = _members(conn, subtree(conn, unit_id))
        read = [min(reads.get(int(m["id"]), 0), total) for m in members]
        out.append(
            UnitCompletion(
                unit_id, name, len(members), sum(1 for n in read if total and n >= total), sum(read), total
            )
        )
    return out


def behind_schedule(
    conn: sqlite3.Connection,
    user: User | None,
    list_id: int,
    *,
    today: dt.date | None = None,
    within_days: int = 7,
) -> list[Behind]:
    """Members of the assigned units (in the organiser's subtree) who have read fewer items than the
    share of the period already gone, once the end date is `within_days` away or past. Empty before
    that, or when the list has no period or no units."""
    actor = require(conn, user, "organiser", "completion reports")
    reading_list = get_list(conn, actor, list_id)
    if not reading_list.period_end:
        return []
    today = today or dt.date.today()
    end = dt.date.fromisoformat(reading_list.period_end)
    start = dt.date.fromisoformat(reading_list.period_start) if reading_list.period_start else end
    if today < end - dt.timedelta(days=within_days):
        return []
    span = max((end - start).days, 1)
    elapsed = min(max((today - start).days, 0), span) / span
    total, reads = _reads(conn, list_id)
    expected = int(-(-total * elapsed // 1))  # ceil
    units: set[str] = set()
    for unit_id in list_units_of(conn, list_id):
        units |= subtree(conn, unit_id)
    allowed = managed_units(conn, actor)
    if allowed is not None:
        units &= allowed
    return [
        Behind(
            m["username"],
            m["display_name"] or m["username"],
            m["unit_id"],
            reads.get(int(m["id"]), 0),
            total,
            expected,
        )
        for m in _members(conn, units)
        if reads.get(int(m["id"]), 0) < expected
    ]


def behind_csv(rows: list[Behind]) -> str:
    """The behind-schedule list as CSV (username, name, unit, read, expected, total)."""
    return write_csv(
        ("username", "name", "unit_id", "read", "expected", "total"),
        ((b.username, b.display_name, b.unit_id, b.read, b.expected, b.total) for b in rows),
    )
