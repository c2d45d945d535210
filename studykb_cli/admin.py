"""`studykb backup` and `studykb restore`: the database and the published index in one archive."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import data_dir_option, data_path, database_url_option, plain_data_dir_option

__all__ = ["backup", "restore"]


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Archive to write (.tar).",
)
@data_dir_option
def backup(output: Path, data_dir: Path | None) -> None:
    """Back up the database (reading lists, users, sites, index metadata) and the published index.

    Safe while the app runs; waits for no one but refuses while an ingest is running. An index
    version that fails verification is left out (exit status 3): the database is still backed up.
    With PostgreSQL (--database-url) the archive holds the index version and settings; back the
    database up with pg_dump (docs/deploy.md).

    Example: studykb backup -o backups/studykb-2026-11-27.tar
    """
    from .backup import backup as run

    data = data_path(data_dir)
    info = run(data, output)
    if info.get("index_problems"):
        click.echo(
            f"backed up the database only to {output}: index version {info.get('left_out')} is damaged "
            f"({'; '.join(info['index_problems'])}) and was left out; run `studykb ingest CORPUS "
            f"--data-dir {data}` to rebuild it, then back up again", err=True,
        )
        sys.exit(3)
    click.echo(f"backed up index version {info['version']} to {output}")


@click.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@plain_data_dir_option("Folder to restore into [default: $STUDYKB_DATA_DIR or data/].")
@database_url_option
@click.option("--force", is_flag=True, help="Replace a non-empty data dir (its contents are kept aside).")
def restore(archive: Path, data_dir: Path | None, force: bool) -> None:
    """Restore a backup after verifying it (checksums, counts); the old data dir is kept aside.

    Refused while `studykb serve` or an ingest runs on the data dir. If the archive's index is
    damaged, the database (users, lists, sites) is restored alone (exit status 3) and
    `studykb ingest` rebuilds the index.

    Example: studykb restore backups/studykb-2026-11-27.tar --data-dir data --force
    """
    from .backup import restore as run

    data = data_path(data_dir)
    info = run(archive, data, force=force)
    if info.get("previous_contents"):
        click.echo(f"previous contents kept in {info['previous_contents']}")
    if info.get("index_problems"):
        click.echo(
            f"restored the database only: index version {info.get('left_out')} in {archive} is damaged "
            f"({'; '.join(info['index_problems'])}); run `studykb ingest CORPUS --data-dir {data}` "
            "to rebuild the index", err=True,
        )
        sys.exit(3)
    click.echo(f"restored index version {info['version']} (verified)")
