"""`studykb events …`: planned activities at learning sites — plan a one-off event or a monthly
series, list them with their sign-ups, sign units up, and close a past event into a visit record."""

from __future__ import annotations

import json
from pathlib import Path

import click

from studykb.errors import StudyKBError

from .activity import _day
from .options import data_dir_option, open_database
from .sites import _operator
from .topics import field_errors

__all__ = ["events"]


@click.group()
def events() -> None:
    """Planned activities at sites (e.g. a monthly 初心讲堂): plan, list, sign up units, close."""


@events.command("plan")
@click.argument("site_id")
@click.argument("title")
@click.option("--date", "first", required=True, metavar="YYYY-MM-DD", help="The (first) event's day.")
@click.option("--months", type=int, default=1, show_default=True,
              help="1: a one-off event; N: the same day of each month for N months (up to 36).")
@click.option("--time", default="", metavar="HH:MM", help="Starting time, 24-hour.")
@click.option("--capacity", type=int, required=True, help="Places per event (1–10000).")
@click.option("--unit", "unit_id", required=True, help="The organising unit (its visit record when closed).")
@click.option("--online", is_flag=True, help="Also online (线上线下同步), not only on site.")
@data_dir_option
def events_plan(
    site_id: str,
    title: str,
    first: str,
    months: int,
    time: str,
    capacity: int,
    unit_id: str,
    online: bool,
    data_dir: Path | None,
) -> None:
    """Plan event TITLE at site SITE_ID: a one-off, or with --months a monthly series.

    Example: studykb events plan sh-cpc1-memorial 初心讲堂 --date 2027-01-15 --months 12
    --time 14:00 --capacity 120 --unit dw --online
    """
    from activity.events import plan_series

    try:
        planned = plan_series(
            open_database(data_dir), _operator(), site_id=site_id, title=title, first=first, months=months,
            time=time, capacity=capacity, unit_id=unit_id, online=online,
        )
    except StudyKBError as exc:
        raise click.ClickException(field_errors(exc)) from None
    for event in planned:
        click.echo(f"{event.id}\t{event.date} {event.time}\t{event.title}\t{event.capacity} 个名额")


@events.command("list")
@click.option("--site", "site_id", default=None, help="Only events at this site.")
@click.option("--unit", default=None, help="Only events of this unit and the units below it.")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD",
              help="First day (inclusive) [default: today].")
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Last day (inclusive).")
@click.option("--to-close", is_flag=True, help="Only past events not yet recorded as a visit.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@data_dir_option
def events_list(
    site_id: str | None,
    unit: str | None,
    start: str | None,
    end: str | None,
    to_close: bool,
    as_json: bool,
    data_dir: Path | None,
) -> None:
    """List planned events with their places taken, soonest first (from today unless --from).

    Example: studykb events list --to-close --data-dir data
    """
    import datetime as dt

    from activity import events as store
    from activity.units import subtree

    conn = open_database(data_dir)
    unit_ids = subtree(conn, unit) if unit else None
    if to_close:
        found = [e for e in store.to_close(conn, unit_ids) if site_id in (None, e.site_id)]
    else:
        found = store.list_events(
            conn, site_id=site_id, unit_ids=unit_ids,
            start=_day(start, "--from") or dt.date.today().isoformat(), end=_day(end, "--to"),
        )
    rows = [
        {"id": e.id, "site_id": e.site_id, "title": e.title, "date": e.date, "time": e.time,
         "capacity": e.capacity, "signed_up": store.signed_up(conn, e.id), "online": e.online,
         "unit_id": e.unit_id, "visit_id": e.visit_id}
        for e in found
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        mode = "线上线下同步" if r["online"] else "现场"
        done = f"\t已记录为 {r['visit_id']}" if r["visit_id"] else ""
        click.echo(f"{r['id']}\t{r['date']} {r['time']}\t{r['site_id']}\t{r['title']}（{mode}）\t"
                   f"{r['signed_up']}/{r['capacity']}\t{r['unit_id']}{done}")


@events.command("sign-up")
@click.argument("event_id", type=int)
@click.option("--unit", "unit_id", required=True, help="The unit taking the places.")
@click.option("--people", type=click.IntRange(1, 10_000), required=True, help="Places to take.")
@data_dir_option
def events_sign_up(event_id: int, unit_id: str, people: int, data_dir: Path | None) -> None:
    """Sign unit --unit up for EVENT_ID with --people places (refused when the event is full or over).

    Example: studykb events sign-up 12 --unit zb11 --people 15 --data-dir data
    """
    from activity.events import sign_up, signed_up

    conn = open_database(data_dir)
    try:
        sign_up(conn, _operator(), event_id, unit_id=unit_id, people=people)
    except StudyKBError as exc:
        raise click.ClickException(str(exc)) from None
    taken = signed_up(conn, event_id)
    click.echo(f"event {event_id}: {unit_id} signed up for {people} places ({taken} taken)")


@events.command("close")
@click.argument("event_id", type=int)
@click.option("--attendance", type=int, required=True, help="How many people came.")
@click.option("--activity", default="现场教学", show_default=True, help="现场教学, 主题党日, 调研 or 其他.")
@data_dir_option
def events_close(event_id: int, attendance: int, activity: str, data_dir: Path | None) -> None:
    """After its date, record EVENT_ID as a visit of its unit with --attendance people (once).

    Example: studykb events close 12 --attendance 96 --data-dir data
    """
    from activity.events import close_event

    try:
        visit = close_event(open_database(data_dir), _operator(), event_id, attendance, activity=activity)
    except StudyKBError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"event {event_id} recorded as visit {visit.id}: {visit.site_id} {visit.date}, "
               f"{visit.participants} people")
