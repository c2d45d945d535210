"""`studykb backup` and `studykb restore`: the database and the published index in one archive."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import database_url_option
from .layout import default_data_dir

__all__ = ["backup", "restore"]


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Archive to write (.tar).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index and database folder [default: $STUDYKB_DATA_DIR or data/].",
)
@database_url_option
def backup(output: Path, data_dir: Path | None) -> None:
    """Back up the database (reading lists, users, sites, index metadata) and the published index.

    Safe while the app runs; waits for no one but refuses while an ingest is running. With
    PostgreSQL (--database-url) the archive holds the index version and settings; back the
    database up with pg_dump (docs/deploy.md).

    Example: studykb backup -o backups/studykb-2026-11-27.tar
    """
    from .backup import backup as run

    info = run(data_dir or default_data_dir(), output)
    click.echo(f"backed up index version {info['version']} to {output}")


@click.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to restore into [default: $STUDYKB_DATA_DIR or data/].",
)
@database_url_option
@click.option("--force", is_flag=True, help="Replace a non-empty data dir (its contents are kept aside).")
def restore(archive: Path, data_dir: Path | None, force: bool) -> None:
    """Restore a backup after verifying it (checksums, counts); the old data dir is kept aside.

    Example: studykb restore backups/studykb-2026-11-27.tar --data-dir data --force
    """
    from .backup import restore as run

    info = run(archive, data_dir or default_data_dir(), force=force)
    click.echo(f"restored index version {info['version']} (verified)")
    if info.get("previous_contents"):
        click.echo(f"previous contents kept in {info['previous_contents']}")
