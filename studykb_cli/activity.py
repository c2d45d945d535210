"""`studykb units …`, `studykb visits …` and `studykb demo …`: organisation units, study visits and
their statistics, and the labelled demo data set."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from studykb.auth import User
from studykb.errors import ValidationError

from .options import data_dir_option, open_database
from .sites import _operator

__all__ = ["demo", "units", "visits"]


def _refused(exc: ValidationError) -> click.ClickException:
    return click.ClickException(f"{exc}\nNothing was imported; fix these rows and run the import again.")


def _import_csv(importer: Callable[[sqlite3.Connection, User, Path], Any], data_dir: Path | None,
                file: Path) -> None:
    """Run an all-or-nothing CSV import as the operator and print its summary (refusals: exit 1)."""
    try:
        report = importer(open_database(data_dir), _operator(), file)
    except ValidationError as exc:
        raise _refused(exc) from None
    click.echo(report.summary())


def _output(text: str, output: Path | None, what: str) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {what} to {output}", err=True)


_output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)


@click.group()
def units() -> None:
    """Organisation units (党委 → 党总支 → 党支部): import, export, list, place accounts."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
def units_import(file: Path, data_dir: Path | None) -> None:
    """Validate FILE (columns id,name,parent_id,kind) and upsert its units by id.

    A file with any bad row changes nothing: every bad row is listed (line, field, reason), exit status 1.

    Example: studykb units import units.csv --data-dir data
    """
    from activity.units import import_units

    _import_csv(import_units, data_dir, file)


@units.command("export")
@_output_option
@data_dir_option
def units_export(output: Path | None, data_dir: Path | None) -> None:
    """Export every unit as CSV (id,name,parent_id,kind) in tree order; the import reads it back.

    Example: studykb units export -o units.csv --data-dir data
    """
    from activity.units import export_units

    _output(export_units(open_database(data_dir)), output, "units")


@units.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@data_dir_option
def units_list(as_json: bool, data_dir: Path | None) -> None:
    """Show the unit tree with each unit's number of member accounts.

    Example: studykb units list --data-dir data
    """
    from activity.units import depth_of, list_units

    conn = open_database(data_dir)
    found = list_units(conn)
    counts = dict(conn.execute("SELECT unit_id, count(*) FROM unit_members GROUP BY unit_id").fetchall())
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": u.id,
                        "name": u.name,
                        "parent_id": u.parent_id,
                        "kind": u.kind,
                        "members": counts.get(u.id, 0),
                    }
                    for u in found
                ],
                ensure_ascii=False,
            )
        )
        return
    depth = depth_of(found)
    for unit in found:
        click.echo(
            f"{'  ' * depth[unit.id]}{unit.id}  {unit.name}（{unit.kind}，{counts.get(unit.id, 0)} 名成员）"
        )


@units.command("assign")
@click.argument("username")
@click.argument("unit_id", required=False)
@data_dir_option
def units_assign(username: str, unit_id: str | None, data_dir: Path | None) -> None:
    """Place the account USERNAME in unit UNIT_ID (leave UNIT_ID out to take it out of any unit).

    An organiser manages the subtree of the unit their account is in.

    Example: studykb units assign wangfang dw-jd-zb1 --data-dir data
    """
    from activity.units import set_member_unit

    set_member_unit(open_database(data_dir), _operator(), username, unit_id)
    click.echo(f"{username}: {'unit ' + unit_id if unit_id else 'no unit'}")


@units.command("assign-list")
@click.argument("list_id", type=int)
@click.argument("unit_ids", nargs=-1)
@data_dir_option
def units_assign_list(list_id: int, unit_ids: tuple[str, ...], data_dir: Path | None) -> None:
    """Make reading list LIST_ID for the units UNIT_IDS (none: for everyone again).

    Its completion is then counted over those units' members and the members of the units below them.

    Example: studykb units assign-list 3 dw-jd-zz1 dw-jd-zz2 --data-dir data
    """
    from activity.assign import assign_units

    assign_units(open_database(data_dir), _operator(), list_id, list(unit_ids))
    click.echo(f"list {list_id}: " + (", ".join(unit_ids) if unit_ids else "not assigned to units"))


@click.group()
def visits() -> None:
    """Visits to learning sites: import, export and statistics."""


@visits.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
def visits_import(file: Path, data_dir: Path | None) -> None:
    """Validate FILE (id,site_id,date,unit_id,participants,activity,topic[,notes]) and upsert by id.

    Unknown sites or units, impossible dates and counts outside 1–10000 refuse the whole file, each
    bad row named by line and field (exit status 1). Importing the same file again changes nothing.

    Example: studykb visits import visits.csv --data-dir data
    """
    from activity.visits import import_visits

    _import_csv(import_visits, data_dir, file)


_from = click.option("--from", "start", default=None, metavar="YYYY-MM-DD", help="First day (inclusive).")
_to = click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Last day (inclusive).")
_unit = click.option("--unit", default=None, help="Only this unit and the units below it.")


def _day(value: str | None, name: str) -> str | None:
    from activity.visits import parse_date

    if value is not None and parse_date(value) is None:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD", param_hint=name)
    return value


@visits.command("export")
@_output_option
@_from
@_to
@_unit
@data_dir_option
def visits_export(
    output: Path | None, start: str | None, end: str | None, unit: str | None, data_dir: Path | None
) -> None:
    """Export visits as CSV in the import's format (with notes), oldest first.

    Example: studykb visits export --from 2026-01-01 -o visits-2026.csv --data-dir data
    """
    from activity.units import subtree
    from activity.visits import export_visits

    conn = open_database(data_dir)
    unit_ids = subtree(conn, unit) if unit else None
    text = export_visits(conn, unit_ids=unit_ids, start=_day(start, "--from"), end=_day(end, "--to"))
    _output(text, output, "visits")


@visits.command("stats")
@click.option(
    "--by",
    type=click.Choice(["district", "city", "site", "unit", "month"]),
    default="district",
    show_default=True,
    help="Group visits by this key (district: the site's, or its city).",
)
@_from
@_to
@_unit
@click.option("--json", "as_json", is_flag=True, help='Print [{"key": …, "visits": n, "participants": n}].')
@data_dir_option
def visits_stats(
    by: str, start: str | None, end: str | None, unit: str | None, as_json: bool, data_dir: Path | None
) -> None:
    """Count visits and participants per district, city, site, unit or month.

    Example: studykb visits stats --by district --from 2026-01-01 --to 2026-06-30 --json
    """
    from activity.stats import visit_stats

    counts = visit_stats(open_database(data_dir), by, start=_day(start, "--from"), end=_day(end, "--to"),
                         unit=unit)
    if as_json:
        click.echo(json.dumps([c.to_json() for c in counts], ensure_ascii=False))
        return
    for count in counts:
        click.echo(f"{count.key}\t{count.visits} 次\t{count.participants} 人次")


@click.group()
def demo() -> None:
    """The labelled demo data set (示例数据): units, members and a year of visits."""


@demo.command("load")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed of the generator.")
@click.option(
    "--visits",
    "n_visits",
    type=click.IntRange(0, 1_000_000),
    default=1200,
    show_default=True,
    help="Number of visits to generate over the last 12 months.",
)
@data_dir_option
def demo_load(seed: int, n_visits: int, data_dir: Path | None) -> None:
    """Load the demo set: ids start with `demo-`, names with 【示例】; `demo remove` takes it out again.

    Example: studykb demo load --data-dir demo-data
    """
    from activity.demo import load_demo

    click.echo(load_demo(open_database(data_dir), seed=seed, n_visits=n_visits).summary())


@demo.command("remove")
@data_dir_option
def demo_remove(data_dir: Path | None) -> None:
    """Remove every demo row (ids starting with `demo-`); real data is not touched.

    Example: studykb demo remove --data-dir demo-data
    """
    from activity.demo import remove_demo

    click.echo(remove_demo(open_database(data_dir)).summary())
