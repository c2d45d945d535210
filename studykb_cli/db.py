"""`studykb db …`: the database behind a data dir (moving a SQLite install to PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from studykb.layout import DataDir

from .options import data_path, json_option, plain_data_dir_option

__all__ = ["db"]


@click.group()
def db() -> None:
    """The shared database: move a single-machine install to PostgreSQL."""


@db.command("copy")
@plain_data_dir_option("The single-machine install whose SQLite studykb.db is copied "
                       "[default: $STUDYKB_DATA_DIR or data/].")
@click.option("--to", "url", required=True, help="postgresql://… of a new, empty database.")
@json_option
def copy(data_dir: Path | None, url: str, as_json: bool) -> None:
    """Copy every row of a SQLite install into an empty PostgreSQL database, all or nothing.

    Row counts are printed and verified on both sides before the copy is committed. The index
    version folders stay where they are: point replicas at them with the same URL.

    Example: studykb db copy --data-dir data --to postgresql://studykb:secret@db.example.org/studykb
    """
    from studykb.db_copy import copy_to_postgres
    from studykb.pg import is_postgres_url, masked

    if not is_postgres_url(url):
        raise click.BadParameter(f"{masked(url)}: only postgresql:// URLs are supported", param_hint="--to")
    data = DataDir(data_path(data_dir))
    result = copy_to_postgres(data.db_path, url)
    if as_json:
        click.echo(json.dumps({"to": result.url, "rows": dict(result.counts)}, ensure_ascii=False))
        return
    for table, n in result.counts:
        click.echo(f"{table:>20}: {n}")
    click.echo(f"copied {sum(n for _, n in result.counts)} rows into {result.url}; counts verified")
