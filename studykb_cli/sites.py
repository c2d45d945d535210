"""`studykb sites …`: import the learning-sites directory from CSV and export it back."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from studykb.auth import User
from studykb.errors import ValidationError

from .options import data_dir_option, open_database

__all__ = ["sites"]



def _operator() -> User:
    """The person at the server's command line: whoever can run this can already edit the database
    file, so the CLI acts with the maintainer role, recorded as `cli:<login name>`."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return User(0, f"cli:{login}", "maintainer")


@click.group()
def sites() -> None:
    """Manage the learning-sites directory (学习地图): import and export sites.csv."""


@sites.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
def import_(file: Path, data_dir: Path | None) -> None:
    """Validate FILE (sites.csv format) and upsert its sites by id.

    A file with any bad row changes nothing: every bad row is listed (line, field, reason) and the
    exit status is 1. Re-importing updates changed sites instead of duplicating them.

    Example: studykb sites import corpus/sites.csv --data-dir data
    """
    from sites.store import import_file

    try:
        report = import_file(open_database(data_dir), _operator(), file)
    except ValidationError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported; fix these rows and run the import again.") \
            from None
    click.echo(report.summary())


@sites.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--province", multiple=True, help="Only sites in this province (repeatable), e.g. 浙江省.")
@click.option("--city", multiple=True, help="Only sites in this city (repeatable), e.g. 嘉兴市.")
@click.option("--type", "types", multiple=True, help="Only sites of this type (repeatable), e.g. 纪念馆.")
@click.option("--theme", multiple=True, help="Only sites with this theme (repeatable), e.g. 抗战.")
@click.option("--query", default="", help="Only sites whose name, address or description has these words.")
@click.option("--include-hidden", is_flag=True, help="Also export sites organisers have hidden.")
@data_dir_option
def export(output: Path | None, province: tuple[str, ...], city: tuple[str, ...], types: tuple[str, ...],
           theme: tuple[str, ...], query: str, include_hidden: bool, data_dir: Path | None) -> None:
    """Export sites as CSV in the sites.csv format (the import reads it back).

    Example: studykb sites export -o zhejiang.csv --province 浙江省
    """
    from sites import dump_sites
    from sites.store import SiteFilter, ensure_loaded, list_sites

    conn = open_database(data_dir)
    ensure_loaded(conn)
    where = SiteFilter(provinces=province, cities=city, types=types, themes=theme, text=query,
                       include_hidden=include_hidden)
    found = list_sites(conn, where)
    text = dump_sites(item.site for item in found)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(found)} sites to {output}", err=True)
