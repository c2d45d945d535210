"""`studykb topics …`: research topics (调研课题) of units — register, list, import and export topics.csv."""

from __future__ import annotations

import json
from pathlib import Path

import click

from studykb.errors import StudyKBError, ValidationError

from .activity import _import_csv, _output, _output_option
from .options import data_dir_option, open_database
from .sites import _operator

__all__ = ["field_errors", "topics"]


def field_errors(exc: StudyKBError) -> str:
    """A refused single record (checked like a file row) as `field: reason` lines, without the
    `form line 2` a file import would name."""
    from activity.csvfile import RowsInvalid

    if isinstance(exc, RowsInvalid):
        return "\n".join(f"{p.field}: {p.reason}" for p in exc.problems)
    return str(exc)


@click.group()
def topics() -> None:
    """Research topics (调研课题) of units: register, list, import, export."""


@topics.command("add")
@click.argument("unit_id")
@click.argument("title")
@click.option("--theme", required=True, help="One of 高质量发展 科技创新 乡村振兴 基层治理 民生保障 生态文明 "
              "党的建设 安全稳定 其他.")
@click.option("--lead", default="", help="Who leads the research.")
@click.option("--status", default="立项", show_default=True, help="立项, 进行中 or 已结题.")
@click.option("--start", default=None, metavar="YYYY-MM-DD", help="First day of the research.")
@click.option("--end", default=None, metavar="YYYY-MM-DD", help="Planned or actual last day.")
@click.option("--id", "topic_id", default=None, help="The topic's id (default: one is made).")
@data_dir_option
def topics_add(
    unit_id: str,
    title: str,
    theme: str,
    lead: str,
    status: str,
    start: str | None,
    end: str | None,
    topic_id: str | None,
    data_dir: Path | None,
) -> None:
    """Register a research topic TITLE of unit UNIT_ID (checked like a row of topics.csv).

    Example: studykb topics add zb11 "社区治理“一网统管”调研" --theme 基层治理 --lead 张三 --start 2026-03-01
    """
    from activity.topics import add_topic

    try:
        topic = add_topic(
            open_database(data_dir), _operator(), unit_id=unit_id, title=title, theme=theme, lead=lead,
            status=status, start_date=start, end_date=end, topic_id=topic_id,
        )
    except ValidationError as exc:
        raise click.ClickException(field_errors(exc)) from None
    click.echo(f"{topic.id}\t{topic.unit_id}\t{topic.theme}\t{topic.status}\t{topic.title}")


@topics.command("list")
@click.option("--unit", default=None, help="Only this unit and the units below it.")
@click.option("--by-theme", is_flag=True, help="Count topics per theme with their share instead.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@data_dir_option
def topics_list(unit: str | None, by_theme: bool, as_json: bool, data_dir: Path | None) -> None:
    """List research topics, or with --by-theme the number and percentage of topics per theme.

    Example: studykb topics list --by-theme --json --data-dir data
    """
    from activity.topics import list_topics, theme_shares
    from activity.units import subtree

    conn = open_database(data_dir)
    unit_ids = subtree(conn, unit) if unit else None
    if unit and not unit_ids:
        raise click.BadParameter(f"no unit {unit!r} (`studykb units list` shows them)", param_hint="--unit")
    if by_theme:
        shares = theme_shares(conn, unit_ids)
        if as_json:
            click.echo(json.dumps([{"theme": s.theme, "topics": s.topics, "percent": s.percent}
                                   for s in shares], ensure_ascii=False))
        for share in [] if as_json else shares:
            click.echo(f"{share.theme}\t{share.topics} 项\t{share.percent:.2f}%")
        return
    found = sorted(list_topics(conn, unit_ids), key=lambda t: t.id)
    if as_json:
        click.echo(json.dumps([{"id": t.id, "unit_id": t.unit_id, "title": t.title, "theme": t.theme,
                                "lead": t.lead, "status": t.status, "start": t.start_date,
                                "end": t.end_date} for t in found], ensure_ascii=False))
        return
    for t in found:
        dates = f"{t.start_date or '?'}–{t.end_date or '?'}" if t.start_date or t.end_date else ""
        click.echo(f"{t.id}\t{t.unit_id}\t{t.theme}\t{t.status}\t{t.title}\t{t.lead}\t{dates}".rstrip())


@topics.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
def topics_import(file: Path, data_dir: Path | None) -> None:
    """Validate FILE (id,unit_id,title,theme[,lead,status,start,end]) and upsert its topics by id.

    Unknown units or themes, impossible dates or an end before the start refuse the whole file, each
    bad row named by line and field (exit status 1). Importing the same file again changes nothing.

    Example: studykb topics import topics.csv --data-dir data
    """
    from activity.topics import import_topics

    _import_csv(import_topics, data_dir, file)


@topics.command("export")
@_output_option
@click.option("--unit", default=None, help="Only this unit and the units below it.")
@data_dir_option
def topics_export(output: Path | None, unit: str | None, data_dir: Path | None) -> None:
    """Export research topics as CSV in the import's format (every column), by id.

    Example: studykb topics export -o topics.csv --data-dir data
    """
    from activity.topics import export_topics
    from activity.units import subtree

    conn = open_database(data_dir)
    _output(export_topics(conn, subtree(conn, unit) if unit else None), output, "topics")

