"""Visit statistics: visits and participants per district, city, site, unit or month — one function
that the CLI (`studykb visits stats`), the heat map and the 学习统计 page all use.

Visits are summed per site (or unit, or month) in SQL over a covering index; per district and per city
the few hundred site rows are then folded in Python, which is cheaper than joining every visit to
its site (measured in bench/activity.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from studykb.errors import ConfigError

from .units import subtree
from .visits import _where

__all__ = ["GROUPINGS", "Count", "place_of", "visit_stats"]

GROUPINGS: tuple[str, ...] = ("district", "city", "site", "unit", "month")
"""The valid `by` values."""

_SQL_KEY = {"site": "site_id", "district": "site_id", "city": "site_id", "unit": "unit_id",
            "month": "substr(date, 1, 7)"}


@dataclass(frozen=True)
class Count:
    """Visits and participants under one key."""

    key: str
    visits: int
    participants: int

    def to_json(self) -> dict[str, object]:
        """`{"key": …, "visits": n, "participants": n}`."""
        return {"key": self.key, "visits": self.visits, "participants": self.participants}


def place_of(conn: sqlite3.Connection, by: str) -> dict[str, str]:
    """Site id → its district (or its city when it has none) for by="district", its city for by="city"."""
    rows = conn.execute("SELECT id, city, district FROM sites")
    if by == "city":
        return {r[0]: r[1] for r in rows}
    return {r[0]: r[2] or r[1] for r in rows}


def visit_stats(conn: sqlite3.Connection, by: str, *, start: str | None = None, end: str | None = None,
                unit: str | None = None) -> list[Count]:
    """Visits and participants per `by` key between `start` and `end` (inclusive, YYYY-MM-DD), for
    `unit` and the units below it when given; most visits first (months in calendar order)."""
    if by not in GROUPINGS:
        raise ConfigError(f"unknown grouping {by!r} (valid: {', '.join(GROUPINGS)})")
    unit_ids = None
    if unit is not None:
        unit_ids = subtree(conn, unit)
        if not unit_ids:
            raise ConfigError(f"no unit {unit!r}: `studykb units list` shows the units")
    clauses, params = _where(unit_ids=unit_ids, start=start, end=end)
    sql = (f"SELECT {_SQL_KEY[by]} AS key, count(*), sum(participants) FROM visits"
           + (" WHERE " + " AND ".join(clauses) if clauses else "") + " GROUP BY key")
    rows = conn.execute(sql, params).fetchall()
    totals: dict[str, list[int]] = {}
    places = place_of(conn, by) if by in ("district", "city") else None
    for key, visits, people in rows:
        name = places.get(key, key) if places is not None else key
        total = totals.setdefault(name, [0, 0])
        total[0] += int(visits)
        total[1] += int(people)
    counts = [Count(key, v, p) for key, (v, p) in totals.items()]
    if by == "month":
        return sorted(counts, key=lambda c: c.key)
    return sorted(counts, key=lambda c: (-c.visits, -c.participants, c.key))
