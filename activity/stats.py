"""Visit statistics: visits and participants per district, city, site, unit or month — one SQL
aggregate that the CLI (`studykb visits stats`), the heat map and the 学习统计 page all use."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from studykb.errors import ConfigError

from .units import subtree
from .visits import _where

__all__ = ["GROUPINGS", "Count", "visit_stats"]

# The key per grouping, as SQL over visits v joined to sites s. A site without a district counts
# under its city (Shanghai's districts, Zhejiang's districts and counties are the usual key).
_KEYS: dict[str, str] = {
    "district": "CASE WHEN s.district <> '' THEN s.district ELSE s.city END",
    "city": "s.city",
    "site": "v.site_id",
    "unit": "v.unit_id",
    "month": "substr(v.date, 1, 7)",
}
GROUPINGS: tuple[str, ...] = tuple(_KEYS)
"""The valid `by` values."""


@dataclass(frozen=True)
class Count:
    """Visits and participants under one key."""

    key: str
    visits: int
    participants: int

    def to_json(self) -> dict[str, object]:
        """`{"key": …, "visits": n, "participants": n}`."""
        return {"key": self.key, "visits": self.visits, "participants": self.participants}


def visit_stats(
    conn: sqlite3.Connection,
    by: str,
    *,
    start: str | None = None,
    end: str | None = None,
    unit: str | None = None,
) -> list[Count]:
    """Visits and participants per `by` key between `start` and `end` (inclusive, YYYY-MM-DD), for
    `unit` and the units below it when given; most visits first (months in calendar order)."""
    if by not in _KEYS:
        raise ConfigError(f"unknown grouping {by!r} (valid: {', '.join(GROUPINGS)})")
    unit_ids = None
    if unit is not None:
        unit_ids = subtree(conn, unit)
        if not unit_ids:
            raise ConfigError(f"no unit {unit!r}: `studykb units list` shows the units")
    clauses, params = _where(unit_ids=unit_ids, start=start, end=end, prefix="v.")
    join = " JOIN sites s ON s.id = v.site_id" if by in ("district", "city") else ""
    order = "key" if by == "month" else "visits DESC, participants DESC, key"
    sql = (
        f"SELECT {_KEYS[by]} AS key, count(*) AS visits, sum(v.participants) AS participants "
        f"FROM visits v{join}"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + f" GROUP BY key ORDER BY {order}"
    )
    return [Count(r[0], int(r[1]), int(r[2])) for r in conn.execute(sql, params)]
