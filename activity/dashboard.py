"""The numbers of the 学习统计 page, computed once for the page and its XLSX export alike."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from studykb.auth import User, can

from .assign import UnitCompletion, unit_completion
from .stats import Count, visit_stats
from .topics import ThemeShare, theme_shares
from .units import subtree

__all__ = ["Dashboard", "dashboard", "month_bounds"]


@dataclass(frozen=True)
class Dashboard:
    """Visits this month, the monthly trend, visits by district, list completion by unit, topics by theme."""

    month: str
    month_visits: int
    month_participants: int
    trend: tuple[Count, ...]
    districts: tuple[Count, ...]
    completion: tuple[tuple[str, UnitCompletion], ...]
    themes: tuple[ThemeShare, ...]


def month_bounds(day: dt.date) -> tuple[str, str]:
    """The first and last day of `day`'s month, as YYYY-MM-DD."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first.isoformat(), (following - dt.timedelta(days=1)).isoformat()


def dashboard(
    conn: sqlite3.Connection,
    user: User | None,
    *,
    today: dt.date | None = None,
    start: str | None = None,
    end: str | None = None,
    unit: str | None = None,
) -> Dashboard:
    """Everything the page shows; `start`/`end`/`unit` narrow the trend and district figures (`unit`,
    with the units below it, also the topics by theme).
    List completion is included for organisers (it names nobody, but it is theirs to follow)."""
    today = today or dt.date.today()
    first, last = month_bounds(today)
    this_month = visit_stats(conn, "month", start=first, end=last, unit=unit)
    completion: list[tuple[str, UnitCompletion]] = []
    if can(user, "organiser"):
        lists = conn.execute(
            "SELECT DISTINCT l.id, l.title FROM reading_lists l "
            "JOIN reading_list_units u ON u.list_id = l.id ORDER BY l.id"
        ).fetchall()
        for row in lists:
            completion += [(row["title"], c) for c in unit_completion(conn, user, int(row["id"]))]
    return Dashboard(
        month=first[:7],
        month_visits=sum(c.visits for c in this_month),
        month_participants=sum(c.participants for c in this_month),
        trend=tuple(visit_stats(conn, "month", start=start, end=end, unit=unit)),
        districts=tuple(visit_stats(conn, "district", start=start, end=end, unit=unit)),
        completion=tuple(completion),
        themes=tuple(theme_shares(conn, subtree(conn, unit) if unit else None)),
    )
