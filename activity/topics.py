"""Research topics (调研课题) registered by units: the record, its CSV file (`topics.csv`), import and
export, organiser edits, and the share of topics per theme.

A topic belongs to a unit; organisers register and edit topics of their own subtree (`require_scope`).
An import validates the whole file against the stored units first, then upserts by id in one
transaction, as visits do: a bad file changes nothing, and importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sites.load import Problem
from studykb.auth import User, require
from studykb.db import write
from studykb.errors import ConflictError, ValidationError

from .csvfile import CsvRow, check_id, check_known, parse_csv, parse_rows, read_csv, write_csv
from .units import ImportReport, now_stamp, require_scope
from .upsert import upsert
from .visits import EARLIEST, UNIT_UNKNOWN, parse_date

__all__ = [
    "OPTIONAL_COLUMNS",
    "STATUSES",
    "TOPIC_COLUMNS",
    "TOPIC_THEMES",
    "ThemeShare",
    "Topic",
    "add_topic",
    "edit_topic",
    "export_topics",
    "import_topics",
    "import_topics_text",
    "list_topics",
    "parse_topics",
    "theme_shares",
]

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
"""A topic's stage; an empty status in a file means 立项."""

TOPIC_COLUMNS: tuple[str, ...] = ("id", "unit_id", "title", "theme")
"""The required columns of topics.csv."""

OPTIONAL_COLUMNS: tuple[str, ...] = ("lead", "status", "start", "end")
"""Columns topics.csv may add (the export writes them all): lead, status, start and end dates."""

MAX_TITLE, MAX_LEAD = 200, 100


@dataclass(frozen=True)
class Topic:
    """One research topic of a unit."""

    id: str
    unit_id: str
    title: str
    theme: str
    lead: str = ""
    status: str = "立项"
    start_date: str | None = None
    end_date: str | None = None

    def __repr__(self) -> str:
        return f"Topic({self.id!r}, unit {self.unit_id}, {self.title!r}, {self.theme}, {self.status})"


@dataclass(frozen=True)
class ThemeShare:
    """Topics under one theme and their share of all topics (percent, two decimals)."""

    theme: str
    topics: int
    percent: float


# --- validation ---------------------------------------------------------------------------------


def parse_topics(rows: list[CsvRow], units: set[str], *, source: str) -> list[Topic]:
    """Validate topics.csv rows against the known unit ids; RowsInvalid lists every problem."""
    return parse_rows(rows, lambda line, v, first: _parse_topic(line, v, units, first), source=source)


def _parse_topic(
    line: int, v: Mapping[str, str], units: set[str], first_line: dict[str, int]
) -> tuple[Topic | None, list[Problem]]:
    problems = check_id(line, "id", v["id"], first_line)
    problems += check_known(line, "unit_id", v["unit_id"], units, UNIT_UNKNOWN)
    if not v["title"]:
        problems.append(Problem(line, "title", "required value is missing"))
    for name, limit in (("title", MAX_TITLE), ("lead", MAX_LEAD)):
        if len(v.get(name, "")) > limit:
            problems.append(Problem(line, name, f"longer than {limit} characters"))
    if v["theme"] not in TOPIC_THEMES:
        problems.append(
            Problem(line, "theme", f"unknown theme {v['theme']!r} (valid: {', '.join(TOPIC_THEMES)})")
        )
    status = v.get("status", "") or STATUSES[0]
    if status not in STATUSES:
        problems.append(Problem(line, "status", f"unknown status {status!r} (valid: {', '.join(STATUSES)})"))
    for name in ("start", "end"):
        value = v.get(name, "")
        if value and parse_date(value) is None:
            problems.append(
                Problem(
                    line,
                    name,
                    f"{value!r} is not a real date written YYYY-MM-DD (from {EARLIEST.isoformat()})",
                )
            )
    start, end = v.get("start", "") or None, v.get("end", "") or None
    if start and end and parse_date(start) and parse_date(end) and start > end:
        problems.append(Problem(line, "end", f"{end} is before the start {start}"))
    if problems:
        return None, problems
    return Topic(v["id"], v["unit_id"], v["title"], v["theme"], v.get("lead", ""), status, start, end), []


def _units(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT id FROM units")}


# --- reading and writing ------------------------------------------------------------------------


def list_topics(conn: sqlite3.Connection, unit_ids: set[str] | None = None) -> list[Topic]:
    """Topics, most recently changed first, optionally of some units only."""
    rows = conn.execute("SELECT * FROM topics ORDER BY updated_at DESC, id").fetchall()
    return [_topic(r) for r in rows if unit_ids is None or r["unit_id"] in unit_ids]


def import_topics(conn: sqlite3.Connection, user: User | None, path: str | Path) -> ImportReport:
    """Validate the whole file, then upsert its topics by id (see the module docstring)."""
    require(conn, user, "organiser", "import research topics")
    path = Path(path)
    rows = read_csv(path, TOPIC_COLUMNS, OPTIONAL_COLUMNS)
    return _upsert(conn, user, parse_topics(rows, _units(conn), source=path.name), source=path.name)


def import_topics_text(
    conn: sqlite3.Connection, user: User | None, text: str, *, source: str = "topics.csv"
) -> ImportReport:
    """`import_topics` for CSV text (an uploaded file)."""
    require(conn, user, "organiser", "import research topics")
    rows = parse_csv(text, TOPIC_COLUMNS, OPTIONAL_COLUMNS, source=source)
    return _upsert(conn, user, parse_topics(rows, _units(conn), source=source), source=source)


def export_topics(conn: sqlite3.Connection, unit_ids: set[str] | None = None) -> str:
    """Topics as topics.csv text (every column, by id), which `import_topics` reads back."""
    topics = sorted(list_topics(conn, unit_ids), key=lambda t: t.id)
    return write_csv(
        (*TOPIC_COLUMNS, *OPTIONAL_COLUMNS),
        (
            (t.id, t.unit_id, t.title, t.theme, t.lead, t.status, t.start_date, t.end_date)
            for t in topics
        ),
    )


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
    topic_id: str | None = None,
) -> Topic:
    """Register a topic for a unit in the organiser's subtree, checked like a topics.csv row (an id is
    made when none is given); RowsInvalid names each bad field."""
    values = {
        "id": topic_id or f"t-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}",
        "unit_id": unit_id,
        "title": title,
        "theme": theme,
        "lead": lead,
        "status": status,
        "start": start_date or "",
        "end": end_date or "",
    }
    topic = _from_form(conn, values)
    actor = require_scope(conn, user, {topic.unit_id}, "register research topics")
    with write(conn):
        if _get(conn, topic.id) is not None:
            raise ConflictError(f"a topic with id {topic.id!r} already exists: edit it instead")
        _insert(conn, topic, actor.username)
    return topic


def edit_topic(
    conn: sqlite3.Connection, user: User | None, topic_id: str, values: Mapping[str, str]
) -> Topic:
    """Change a stored topic given {column: text} (the id stays); its old and new unit must both be in
    the organiser's subtree."""
    current = _get(conn, topic_id)
    if current is None:
        raise ValidationError(f"no research topic with id {topic_id!r}")
    topic = _from_form(conn, {**_values(current), **values, "id": topic_id})
    actor = require_scope(conn, user, {current.unit_id, topic.unit_id}, "edit research topics")
    with write(conn):
        _update(conn, topic, actor.username)
    return topic


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


# --- rows ---------------------------------------------------------------------------------------


def _from_form(conn: sqlite3.Connection, values: Mapping[str, str | None]) -> Topic:
    row = {name: str(values.get(name) or "").strip() for name in (*TOPIC_COLUMNS, *OPTIONAL_COLUMNS)}
    return parse_topics([CsvRow(2, row)], _units(conn), source="form")[0]


def _upsert(conn: sqlite3.Connection, user: User | None, topics: list[Topic], *, source: str) -> ImportReport:
    return upsert(
        conn,
        user,
        topics,
        stored=lambda ids: [t for t in (_get(conn, i) for i in ids) if t is not None],
        insert=lambda topic, who: _insert(conn, topic, who),
        update=lambda topic, who: _update(conn, topic, who),
        noun="topics",
        source=source,
    )


def _values(topic: Topic) -> dict[str, str]:
    return {
        "id": topic.id,
        "unit_id": topic.unit_id,
        "title": topic.title,
        "theme": topic.theme,
        "lead": topic.lead,
        "status": topic.status,
        "start": topic.start_date or "",
        "end": topic.end_date or "",
    }


def _get(conn: sqlite3.Connection, topic_id: str) -> Topic | None:
    row = conn.execute("SELECT * FROM topics WHERE id = ?", (topic_id,)).fetchone()
    return None if row is None else _topic(row)


def _topic(row: sqlite3.Row) -> Topic:
    return Topic(
        row["id"],
        row["unit_id"],
        row["title"],
        row["theme"],
        row["lead"],
        row["status"],
        row["start_date"],
        row["end_date"],
    )


def _insert(conn: sqlite3.Connection, topic: Topic, who: str) -> None:
    conn.execute(
        "INSERT INTO topics(id, unit_id, title, theme, lead, status, start_date, end_date, updated_by) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        (*_columns(topic), who),
    )


def _update(conn: sqlite3.Connection, topic: Topic, who: str) -> None:
    conn.execute(
        "UPDATE topics SET unit_id = ?, title = ?, theme = ?, lead = ?, status = ?, start_date = ?, "
        "end_date = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        (*_columns(topic)[1:], now_stamp(), who, topic.id),
    )


def _columns(topic: Topic) -> tuple[str | None, ...]:
    return (
        topic.id,
        topic.unit_id,
        topic.title,
        topic.theme,
        topic.lead,
        topic.status,
        topic.start_date,
        topic.end_date,
    )
