"""Visits to learning sites: the record, its CSV file (`visits.csv`), import/export, organiser edits,
and members' own "我去过" marks.

A visit belongs to a unit; organisers add and edit visits of their own subtree (`units.require_scope`).
Imports validate the whole file against the stored sites and units first, then upsert by id in one
transaction: a bad file changes nothing, and importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sites.load import Problem
from sites.store import ensure_loaded
from studykb.auth import User, require
from studykb.db import write
from studykb.errors import ConflictError, PermissionDenied, ValidationError

from .csvfile import CsvRow, check_id, check_known, parse_csv, parse_rows, read_csv, write_csv
from .units import ImportReport, now_stamp, require_scope
from .upsert import upsert

__all__ = [
    "ACTIVITIES",
    "MAX_PARTICIPANTS",
    "VISIT_COLUMNS",
    "Visit",
    "add_visit",
    "edit_visit",
    "export_visits",
    "import_visits",
    "list_visits",
    "mark_visited",
    "marks_of",
    "parse_date",
    "parse_visits",
]

VISIT_COLUMNS: tuple[str, ...] = ("id", "site_id", "date", "unit_id", "participants", "activity", "topic")
"""The required header of visits.csv; `notes` may follow (optional)."""

OPTIONAL_COLUMNS: tuple[str, ...] = ("notes",)

ACTIVITIES: tuple[str, ...] = ("现场教学", "主题党日", "调研", "其他")
"""The kinds of study activity a visit records."""

MAX_PARTICIPANTS = 10_000
"""More people than this in one visit is a data error (the largest halls admit a few thousand a day)."""

SITE_UNKNOWN = "unknown site {value} (`studykb sites export` lists them)"
UNIT_UNKNOWN = "unknown unit {value} (import it with `studykb units import`)"

EARLIEST = dt.date(1921, 7, 1)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNT = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Visit:
    """One study visit: a unit's activity at a site on a day, with how many took part."""

    id: str
    site_id: str
    date: str
    unit_id: str
    participants: int
    activity: str
    topic: str = ""
    notes: str = ""

    def __repr__(self) -> str:
        return (
            f"Visit({self.id!r}, {self.site_id} {self.date}, unit {self.unit_id}, "
            f"{self.participants} people, {self.activity})"
        )


def parse_date(value: str) -> dt.date | None:
    """A real calendar date written YYYY-MM-DD (not before 1921-07-01), else None."""
    if not _DATE.fullmatch(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if day >= EARLIEST else None


# --- validation ---------------------------------------------------------------------------------


def parse_visits(rows: list[CsvRow], sites: set[str], units: set[str], *, source: str) -> list[Visit]:
    """Validate visits.csv rows against the known site and unit ids; RowsInvalid lists every problem."""
    return parse_rows(rows, lambda line, v, first: _parse_visit(line, v, sites, units, first), source=source)


def _parse_visit(
    line: int, v: Mapping[str, str], sites: set[str], units: set[str], first_line: dict[str, int]
) -> tuple[Visit | None, list[Problem]]:
    problems = check_id(line, "id", v["id"], first_line)
    problems += check_known(line, "site_id", v["site_id"], sites, SITE_UNKNOWN)
    if parse_date(v["date"]) is None:
        problems.append(
            Problem(
                line,
                "date",
                f"{v['date']!r} is not a real date written YYYY-MM-DD (from {EARLIEST.isoformat()})",
            )
        )
    problems += check_known(line, "unit_id", v["unit_id"], units, UNIT_UNKNOWN)
    count = v["participants"]
    if not _COUNT.fullmatch(count) or not 1 <= int(count) <= MAX_PARTICIPANTS:
        problems.append(
            Problem(
                line,
                "participants",
                f"{count!r} is not a whole number of people from 1 to {MAX_PARTICIPANTS}",
            )
        )
    if v["activity"] not in ACTIVITIES:
        problems.append(
            Problem(line, "activity", f"unknown activity {v['activity']!r} (valid: {', '.join(ACTIVITIES)})")
        )
    for name, limit in (("topic", 200), ("notes", 2000)):
        if len(v.get(name, "")) > limit:
            problems.append(Problem(line, name, f"longer than {limit} characters"))
    if problems:
        return None, problems
    return Visit(
        v["id"],
        v["site_id"],
        v["date"],
        v["unit_id"],
        int(count),
        v["activity"],
        v["topic"],
        v.get("notes", ""),
    ), []


def _known(conn: sqlite3.Connection) -> tuple[set[str], set[str]]:
    ensure_loaded(conn)
    sites = {r[0] for r in conn.execute("SELECT id FROM sites")}
    units = {r[0] for r in conn.execute("SELECT id FROM units")}
    return sites, units


# --- reading and writing ------------------------------------------------------------------------


def list_visits(
    conn: sqlite3.Connection,
    *,
    site_id: str | None = None,
    unit_ids: set[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[Visit]:
    """Stored visits, newest first, optionally for one site, some units and a date range (inclusive)."""
    clauses, params = _where(site_id=site_id, unit_ids=unit_ids, start=start, end=end)
    sql = (
        "SELECT * FROM visits"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + " ORDER BY date DESC, id"
    )
    return [_visit(r) for r in conn.execute(sql, params)]


def _where(
    *,
    site_id: str | None = None,
    unit_ids: set[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    prefix: str = "",
) -> tuple[list[str], list[object]]:
    """SQL conditions on a visits table (alias `prefix`) for the usual filters."""
    clauses: list[str] = []
    params: list[object] = []
    if site_id is not None:
        clauses.append(f"{prefix}site_id = ?")
        params.append(site_id)
    if unit_ids is not None:
        ids = sorted(unit_ids)
        clauses.append(f"{prefix}unit_id IN ({', '.join('?' * len(ids))})" if ids else "0")
        params.extend(ids)
    if start:
        clauses.append(f"{prefix}date >= ?")
        params.append(start)
    if end:
        clauses.append(f"{prefix}date <= ?")
        params.append(end)
    return clauses, params


def import_visits(conn: sqlite3.Connection, user: User | None, path: str | Path) -> ImportReport:
    """Validate the whole file, then upsert its visits by id (see the module docstring)."""
    require(conn, user, "organiser", "import visits")
    path = Path(path)
    rows = read_csv(path, VISIT_COLUMNS, OPTIONAL_COLUMNS)
    sites, units = _known(conn)
    visits = parse_visits(rows, sites, units, source=path.name)
    return _upsert(conn, user, visits, source=path.name)


def import_visits_text(
    conn: sqlite3.Connection, user: User | None, text: str, *, source: str = "visits.csv"
) -> ImportReport:
    """`import_visits` for CSV text (an uploaded file)."""
    require(conn, user, "organiser", "import visits")
    sites, units = _known(conn)
    visits = parse_visits(
        parse_csv(text, VISIT_COLUMNS, OPTIONAL_COLUMNS, source=source), sites, units, source=source
    )
    return _upsert(conn, user, visits, source=source)


def _upsert(conn: sqlite3.Connection, user: User | None, visits: list[Visit], *, source: str) -> ImportReport:
    return upsert(
        conn,
        user,
        visits,
        stored=lambda ids: _by_ids(conn, ids),
        insert=lambda visit, who: _insert(conn, visit, who),
        update=lambda visit, who: _update(conn, visit, who),
        noun="visits",
        source=source,
    )


def export_visits(
    conn: sqlite3.Connection,
    *,
    unit_ids: set[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> str:
    """Visits as visits.csv text (oldest first, with notes), which `import_visits` reads back."""
    visits = sorted(list_visits(conn, unit_ids=unit_ids, start=start, end=end), key=lambda v: (v.date, v.id))
    return write_csv(
        (*VISIT_COLUMNS, "notes"),
        ((v.id, v.site_id, v.date, v.unit_id, v.participants, v.activity, v.topic, v.notes) for v in visits),
    )


def add_visit(conn: sqlite3.Connection, user: User | None, values: Mapping[str, str]) -> Visit:
    """Record one visit given as {column: text} (an `id` is made when none is given), validated like
    a file row. Organisers only, for units in their subtree."""
    values = {name: str(values.get(name, "")).strip() for name in (*VISIT_COLUMNS, "notes")}
    if not values["id"]:
        values["id"] = f"v-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}"
    sites, units = _known(conn)
    visit = parse_visits([CsvRow(2, values)], sites, units, source="form")[0]
    actor = require_scope(conn, user, {visit.unit_id}, "record visits")
    with write(conn):
        if _by_ids(conn, [visit.id]):
            raise ConflictError(f"a visit with id {visit.id!r} already exists: edit it instead")
        _insert(conn, visit, actor.username)
    return visit


def edit_visit(
    conn: sqlite3.Connection, user: User | None, visit_id: str, values: Mapping[str, str]
) -> Visit:
    """Change a stored visit (the id stays); both its old and new unit must be in the organiser's subtree."""
    old = _by_ids(conn, [visit_id])
    if not old:
        raise ValidationError(f"no visit with id {visit_id!r}")
    current = old[0]
    merged = {**_values(current), **{k: str(v).strip() for k, v in values.items()}, "id": visit_id}
    sites, units = _known(conn)
    visit = parse_visits([CsvRow(2, merged)], sites, units, source="form")[0]
    actor = require_scope(conn, user, {current.unit_id, visit.unit_id}, "edit visits")
    with write(conn):
        _update(conn, visit, actor.username)
    return visit


def mark_visited(
    conn: sqlite3.Connection, user: User | None, site_id: str, date: str, *, visited: bool = True
) -> None:
    """A member's own "我去过" mark on a site for a day (visited=False removes it)."""
    actor = require(conn, user, "member", "marking sites visited")
    if actor.id <= 0 or conn.execute("SELECT 1 FROM users WHERE id = ?", (actor.id,)).fetchone() is None:
        raise PermissionDenied(
            f"{actor.username} has no account in this library, so the mark cannot be saved"
        )
    day = parse_date(date)
    if day is None or day > dt.date.today():
        raise ValidationError(f"date {date!r}: give the day of the visit as YYYY-MM-DD, not in the future")
    sites, _ = _known(conn)
    if site_id not in sites:
        raise ValidationError(f"no site with id {site_id!r}")
    with write(conn):
        if visited:
            conn.execute(
                "INSERT INTO site_marks(user_id, site_id, date) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (actor.id, site_id, day.isoformat()),
            )
        else:
            conn.execute(
                "DELETE FROM site_marks WHERE user_id = ? AND site_id = ? AND date = ?",
                (actor.id, site_id, day.isoformat()),
            )


def marks_of(conn: sqlite3.Connection, user_id: int, site_id: str | None = None) -> list[tuple[str, str]]:
    """(site id, date) of a member's "我去过" marks, newest first."""
    sql = "SELECT site_id, date FROM site_marks WHERE user_id = ?"
    params: list[object] = [user_id]
    if site_id is not None:
        sql += " AND site_id = ?"
        params.append(site_id)
    return [(r[0], r[1]) for r in conn.execute(sql + " ORDER BY date DESC", params)]


# --- rows ---------------------------------------------------------------------------------------


def _values(visit: Visit) -> dict[str, str]:
    return {
        "id": visit.id,
        "site_id": visit.site_id,
        "date": visit.date,
        "unit_id": visit.unit_id,
        "participants": str(visit.participants),
        "activity": visit.activity,
        "topic": visit.topic,
        "notes": visit.notes,
    }


def _by_ids(conn: sqlite3.Connection, ids: Iterable[str]) -> list[Visit]:
    ids = list(ids)
    out: list[Visit] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        out += [
            _visit(r)
            for r in conn.execute(f"SELECT * FROM visits WHERE id IN ({', '.join('?' * len(part))})", part)
        ]
    return out


def _visit(row: sqlite3.Row) -> Visit:
    return Visit(
        row["id"],
        row["site_id"],
        row["date"],
        row["unit_id"],
        int(row["participants"]),
        row["activity"],
        row["topic"],
        row["notes"],
    )


def _insert(conn: sqlite3.Connection, visit: Visit, who: str) -> None:
    conn.execute(
        "INSERT INTO visits(id, site_id, date, unit_id, participants, activity, topic, notes, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            visit.id,
            visit.site_id,
            visit.date,
            visit.unit_id,
            visit.participants,
            visit.activity,
            visit.topic,
            visit.notes,
            who,
        ),
    )


def _update(conn: sqlite3.Connection, visit: Visit, who: str) -> None:
    conn.execute(
        "UPDATE visits SET site_id = ?, date = ?, unit_id = ?, participants = ?, activity = ?, topic = ?, "
        "notes = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        (
            visit.site_id,
            visit.date,
            visit.unit_id,
            visit.participants,
            visit.activity,
            visit.topic,
            visit.notes,
            now_stamp(),
            who,
            visit.id,
        ),
    )
