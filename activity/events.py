"""Planned activities at sites (e.g. a memorial hall's monthly 初心讲堂): dates, capacity, sign-ups by
members or units, and closing an event after its date into a visit record with its attendance."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from studykb.auth import User, require
from studykb.db import write
from studykb.errors import ConflictError, ValidationError

from .units import require_scope
from .visits import Visit, _insert, parse_date

__all__ = ["Event", "close_event", "plan_series", "signed_up", "sign_up", "upcoming"]


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
) -> list[Event]:
    """Plan an event on the same day of each month for `months` months (day clipped to month end)."""
    require_scope(conn, user, {unit_id}, "plan events")
    day = parse_date(first)
    if day is None:
        raise ValidationError(f"first date {first!r}: not a date written YYYY-MM-DD")
    if not 1 <= months <= 36 or not 1 <= capacity <= 10_000 or not title.strip():
        raise ValidationError("an event series needs a title, 1–36 months and a capacity of 1–10000")
    if conn.execute("SELECT 1 FROM sites WHERE id = ?", (site_id,)).fetchone() is None:
        raise ValidationError(f"no site with id {site_id!r}")
    series = f"{site_id}:{title.strip()}:{first}"
    with write(conn):
        for n in range(months):
            year, month = divmod(day.month - 1 + n, 12)
            date = _clip(day.year + year, month + 1, day.day)
            conn.execute(
                "INSERT INTO events(site_id, title, date, time, capacity, online, unit_id, series) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (site_id, title.strip(), date.isoformat(), time, capacity, int(online), unit_id, series),
            )
    return [e for e in upcoming(conn, site_id=site_id, since=first) if e.series == series]


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
    today: dt.date | None = None,
) -> Visit:
    """After its date, turn an event into a visit record (activity 现场教学) of its unit with the
    attendance counted; an event becomes a visit once."""
    event = _get(conn, event_id)
    actor = require_scope(conn, user, {event.unit_id}, "close events")
    if event.date > (today or dt.date.today()).isoformat():
        raise ValidationError(f"event {event_id} is on {event.date}: close it after it took place")
    if event.visit_id is not None:
        raise ConflictError(f"event {event_id} is already recorded as visit {event.visit_id}")
    if not 1 <= attendance <= 10_000:
        raise ValidationError(f"attendance {attendance}: give the number of people who came (1–10000)")
    visit = Visit(
        f"event-{event_id}",
        event.site_id,
        event.date,
        event.unit_id,
        attendance,
        "现场教学",
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
