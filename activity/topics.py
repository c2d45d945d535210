"""Research topics (调研课题) registered by units, and the share of topics per theme."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from studykb.auth import User
from studykb.db import write
from studykb.errors import ValidationError

from .units import require_scope
from .visits import parse_date

__all__ = ["STATUSES", "TOPIC_THEMES", "Topic", "ThemeShare", "add_topic", "list_topics", "theme_shares"]

TOPIC_THEMES: tuple[str, ...] = (
    "高质量发展",
    "科技创新",
    "乡村振兴",
    "基层治理",
    "民生保障",
    "生态文明",
    "党的建设",
    "安全稳定",
    "其他",
)
"""The themes a topic is filed under (the seed reports its share on 高质量发展)."""

STATUSES: tuple[str, ...] = ("立项", "进行中", "已结题")


@dataclass(frozen=True)
class Topic:
    """One research topic of a unit."""

    id: int
    unit_id: str
    title: str
    theme: str
    lead: str
    status: str
    start_date: str | None
    end_date: str | None


@dataclass(frozen=True)
class ThemeShare:
    """Topics under one theme and their share of all topics (percent, two decimals)."""

    theme: str
    topics: int
    percent: float


def add_topic(
    conn: sqlite3.Connection,
    user: User | None,
    *,
    unit_id: str,
    title: str,
    theme: str,
    lead: str = "",
    status: str = "立项",
    start_date: str | None = None,
    end_date: str | None = None,
) -> Topic:
    """Register a topic for a unit in the organiser's subtree; fields are checked with the fix named."""
    require_scope(conn, user, {unit_id}, "register research topics")
    if not title.strip():
        raise ValidationError("topic title: required")
    if theme not in TOPIC_THEMES:
        raise ValidationError(f"topic theme {theme!r}: unknown (valid: {', '.join(TOPIC_THEMES)})")
    if status not in STATUSES:
        raise ValidationError(f"topic status {status!r}: unknown (valid: {', '.join(STATUSES)})")
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if value and parse_date(value) is None:
            raise ValidationError(f"topic {name} {value!r}: not a date written YYYY-MM-DD")
    if start_date and end_date and start_date > end_date:
        raise ValidationError(f"topic dates: start {start_date} is after end {end_date}")
    if conn.execute("SELECT 1 FROM units WHERE id = ?", (unit_id,)).fetchone() is None:
        raise ValidationError(f"no unit {unit_id!r}")
    with write(conn):
        cur = conn.execute(
            "INSERT INTO topics(unit_id, title, theme, lead, status, start_date, end_date) "
            "VALUES (?,?,?,?,?,?,?)",
            (unit_id, title.strip(), theme, lead.strip(), status, start_date or None, end_date or None),
        )
    return Topic(
        int(cur.lastrowid or 0),
        unit_id,
        title.strip(),
        theme,
        lead.strip(),
        status,
        start_date or None,
        end_date or None,
    )


def list_topics(conn: sqlite3.Connection, unit_ids: set[str] | None = None) -> list[Topic]:
    """Topics, newest first, optionally of some units only."""
    rows = conn.execute("SELECT * FROM topics ORDER BY id DESC").fetchall()
    return [
        Topic(
            r["id"],
            r["unit_id"],
            r["title"],
            r["theme"],
            r["lead"],
            r["status"],
            r["start_date"],
            r["end_date"],
        )
        for r in rows
        if unit_ids is None or r["unit_id"] in unit_ids
    ]


def theme_shares(conn: sqlite3.Connection, unit_ids: set[str] | None = None) -> list[ThemeShare]:
    """Topics per theme with their percentage of all topics, most topics first."""
    counts: dict[str, int] = {}
    for topic in list_topics(conn, unit_ids):
        counts[topic.theme] = counts.get(topic.theme, 0) + 1
    total = sum(counts.values())
    return [
        ThemeShare(theme, n, round(100 * n / total, 2))
        for theme, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
