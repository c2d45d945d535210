"""Planned activities at sites (e.g. a memorial hall's monthly 初心讲堂): dates, capacity, sign-ups by
members or units, and closing an event after its date into a visit record with its attendance."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass

from sites.load import Problem
from sites.store import ensure_loaded
from studykb.auth import User, require
from studykb.db import write
from studykb.errors import ConflictError, ValidationError

from .csvfile import RowsInvalid
from .units import require_scope
from .visits import ACTIVITIES, Visit, _insert, parse_date

__all__ = [
    "Event",
    "close_event",
    "list_events",
    "plan_series",
    "signed_up",
    "sign_up",
    "to_close",
    "upcoming",
]

MAX_MONTHS, MAX_CAPACITY = 36, 10_000
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


@dataclass(frozen=True)
class Event:
    """One planned activity at a site."""

    id: int
    site_id: str
    title: str
    date: str
    time: str
    capacity: int
    online: bool
    unit_id: str
    series: str
    visit_id: str | None


def plan_series(
    conn: sqlite3.Connection,
    user: User | None,
    *,
    site_id: str,
    title: str,
    first: str,
    months: int,
    time: str,
    capacity: int,
    unit_id: str,
    online: bool = False,
    today: dt.date | None = None,
) -> list[Event]:
    """Plan an event on the same day of each month for `months` months (day clipped to month end);
    `months=1` plans a one-off event. The first date may not be past, `time` is HH:MM (or empty),
    and an event with the same title at the same site on the same day is refused (ConflictError)."""
    require_scope(conn, user, {unit_id}, "plan events")
    title = title.strip()
    day = _check_plan(conn, site_id, title, first, time, months, capacity, today or dt.date.today())
    series = f"{site_id}:{title}:{first}"
    dates = []
    for n in range(months):
        year, month = divmod(day.month - 1 + n, 12)
        dates.append(_clip(day.year + year, month + 1, day.day).isoformat())
    with write(conn):
        taken = conn.execute(
            "SELECT date FROM events WHERE site_id = ? AND title = ? "
            f"AND date IN ({', '.join('?' * months)})",
            (site_id, title, *dates),
        ).fetchall()
        if taken:
            raise ConflictError(
                f"{title!r} is already planned at {site_id} on {', '.join(sorted(r[0] for r in taken))}"
            )
        ids = [
            conn.execute(
                "INSERT INTO events(site_id, title, date, time, capacity, online, unit_id, series) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (site_id, title, date, time, capacity, int(online), unit_id, series),
            ).lastrowid
            for date in dates
        ]
    return [_get(conn, int(i or 0)) for i in ids]


def _check_plan(
    conn: sqlite3.Connection,
    site_id: str,
    title: str,
    first: str,
    time: str,
    months: int,
    capacity: int,
    today: dt.date,
) -> dt.date:
    """The first day of a planned series, or RowsInvalid naming every bad field (as a form row)."""
    problems: list[Problem] = []
    day = parse_date(first)
    if day is None:
        problems.append(Problem(2, "date", f"{first!r} is not a real date written YYYY-MM-DD"))
    elif day < today:
        problems.append(Problem(2, "date", f"{first} is past: plan events from today on (record past "
                                           "ones as visits)"))
    if not title or len(title) > 200:
        problems.append(Problem(2, "title", "required, at most 200 characters"))
    if time and not _TIME.fullmatch(time):
        problems.append(Problem(2, "time", f"{time!r}: write it as HH:MM (24-hour), e.g. 14:00"))
    if not 1 <= months <= MAX_MONTHS:
        problems.append(Problem(2, "months", f"{months}: plan 1 (a one-off event) to {MAX_MONTHS} months"))
    if not 1 <= capacity <= MAX_CAPACITY:
        problems.append(Problem(2, "capacity", f"{capacity}: give the number of places, 1–{MAX_CAPACITY}"))
    ensure_loaded(conn)
    if conn.execute("SELECT 1 FROM sites WHERE id = ?", (site_id,)).fetchone() is None:
        problems.append(Problem(2, "site_id", f"no site {site_id!r} (`studykb sites export` lists them)"))
    if problems or day is None:
        raise RowsInvalid("event", problems)
    return day


def _clip(year: int, month: int, day: int) -> dt.date:
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def upcoming(
    conn: sqlite3.Connection, *, site_id: str | None = None, since: str | None = None
) -> list[Event]:
    """Events on or after `since` (default today), soonest first, optionally at one site."""
    since = since or dt.date.today().isoformat()
    sql, params = "SELECT * FROM events WHERE date >= ?", [since]
    if site_id is not None:
        sql += " AND site_id = ?"
        params.append(site_id)
    return [_event(r) for r in conn.execute(sql + " ORDER BY date, time, id", params)]


def list_events(
    conn: sqlite3.Connection,
    *,
    site_id: str | None = None,
    unit_ids: set[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    open_only: bool = False,
) -> list[Event]:
    """Events in a date range (inclusive), soonest first, optionally at one site, of some units, or
    only those not yet closed into a visit."""
    sql, params = "SELECT * FROM events WHERE 1 = 1", []  # a boolean on both engines
    for clause, value in (("site_id = ?", site_id), ("date >= ?", start), ("date <= ?", end)):
        if value is not None:
            sql += f" AND {clause}"
            params.append(value)
    if open_only:
        sql += " AND visit_id IS NULL"
    rows = conn.execute(sql + " ORDER BY date, time, id", params)
    return [_event(r) for r in rows if unit_ids is None or r["unit_id"] in unit_ids]


def to_close(
    conn: sqlite3.Connection, unit_ids: set[str] | None = None, *, today: dt.date | None = None
) -> list[Event]:
    """Events that took place (up to today) and are not yet recorded as a visit, latest first."""
    end = (today or dt.date.today()).isoformat()
    return list_events(conn, unit_ids=unit_ids, end=end, open_only=True)[::-1]


def signed_up(conn: sqlite3.Connection, event_id: int) -> int:
    """People signed up for an event so far."""
    return int(
        conn.execute(
            "SELECT coalesce(sum(people), 0) FROM event_signups WHERE event_id = ?", (event_id,)
        ).fetchone()[0]
    )


def sign_up(
    conn: sqlite3.Connection, user: User | None, event_id: int, *, unit_id: str | None = None, people: int = 1
) -> None:
    """Sign up yourself (a member) or, as its organiser, a unit with `people` places; refused when full."""
    actor = require(conn, user, "member", "signing up for events")
    if unit_id is not None:
        require_scope(conn, actor, {unit_id}, "sign up units")
    elif people != 1:
        raise ValidationError("a member signs up for one place; organisers sign up units for more")
    with write(conn):
        event = _get(conn, event_id)
        if event.date < dt.date.today().isoformat():
            raise ValidationError(f"event {event_id} on {event.date} is over: sign-up has closed")
        if signed_up(conn, event_id) + people > event.capacity:
            raise ConflictError(
                f"event {event_id} has {event.capacity - signed_up(conn, event_id)} places left"
            )
        try:
            conn.execute(
                "INSERT INTO event_signups(event_id, user_id, unit_id, people) VALUES (?,?,?,?)",
                (event_id, None if unit_id else actor.id, unit_id, people),
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"already signed up for event {event_id}") from exc


def close_event(
    conn: sqlite3.Connection,
    user: User | None,
    event_id: int,
    attendance: int,
    *,
    activity: str = "现场教学",
    today: dt.date | None = None,
) -> Visit:
    """After its date, turn an event into a visit record (activity 现场教学 unless told) of its unit
    with the attendance counted; an event becomes a visit once."""
    event = _get(conn, event_id)
    actor = require_scope(conn, user, {event.unit_id}, "close events")
    if event.date > (today or dt.date.today()).isoformat():
        raise ValidationError(f"event {event_id} is on {event.date}: close it after it took place")
    if event.visit_id is not None:
        raise ConflictError(f"event {event_id} is already recorded as visit {event.visit_id}")
    if not 1 <= attendance <= MAX_CAPACITY:
        raise ValidationError(f"attendance {attendance}: give the number of people who came (1–10000)")
    if activity not in ACTIVITIES:
        raise ValidationError(f"activity {activity!r}: unknown (valid: {', '.join(ACTIVITIES)})")
    visit = Visit(
        f"event-{event_id}",
        event.site_id,
        event.date,
        event.unit_id,
        attendance,
        activity,
        event.title,
        "线上线下同步" if event.online else "",
    )
    with write(conn):
        _insert(conn, visit, actor.username)
        conn.execute("UPDATE events SET visit_id = ? WHERE id = ?", (visit.id, event_id))
    return visit


def _get(conn: sqlite3.Connection, event_id: int) -> Event:
    row = conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        raise ValidationError(f"no event {event_id}")
    return _event(row)


def _event(row: sqlite3.Row) -> Event:
    return Event(
        row["id"],
        row["site_id"],
        row["title"],
        row["date"],
        row["time"],
        row["capacity"],
        bool(row["online"]),
        row["unit_id"],
        row["series"],
        row["visit_id"],
    )
