"""The `studykb` command line: thin click glue over the ingest, search, ui and feature packages.

This package sits on top of all the others (nothing imports it); `studykb` (the base package) never
imports it. `python -m studykb_cli` runs it like the console command.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from ingest.chunk import MIN_MAX_CHARS
from ingest.pipeline import IngestOptions
from ingest.pipeline import ingest as run_ingest
from studykb.db import connect
from studykb.errors import StudyKBError
from studykb.layout import DataDir
from studykb.pg import database_url
from studykb.storage import storage_error
from ui.launch import launch

from . import activity, admin, api, db, events, lists, quotes, sites, topics, users
from .options import backend_option, data_dir_option, data_path, json_option, print_json, use_backend
from .progress import RichProgress, print_hits, print_report
from .search import EXIT_FAILED_QUERIES, run_batch

# search.snapshot, search.status, search.engine and search.filters are imported in the commands that use
# them: they bring numpy, FAISS, BM25 or the text tools (-X importtime: ~115 ms for search.snapshot,
# ~160 ms with search.engine, ~13 ms for search.filters), which `studykb ingest` with nothing to do
# (measured by bench/ingest.py) and every other command would otherwise pay at start-up.

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="studykb")
def cli() -> None:
    """studykb — a knowledge base with hybrid Chinese search for political study materials."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@data_dir_option
@click.option("--model", default=None, help="Embedding model: hub id, local path, or alias `minilm`.")
@backend_option
@click.option("--rebuild", is_flag=True, help="Re-process every file (needed to switch models).")
@click.option("--chunk-size", type=click.IntRange(min=MIN_MAX_CHARS), default=None,
              help="Maximum passage length in characters [default: the index's setting, else 320].")
@click.option("--overlap", type=click.IntRange(min=0), default=None,
              help="Characters of whole sentences repeated between passages, fewer than --chunk-size "
                   "[default: the index's, else 60].")
@click.option("--prune", is_flag=True,
              help="Let the paths given replace the indexed corpus: remove every document not under them "
                   "(needed when they lie outside the corpus the index was built from).")
@click.option("--timeout", "timeout_s", type=float, default=None,
              help="Seconds allowed to extract one file [default: 120, plus 20 per page to OCR].")
@click.option("--no-ocr", is_flag=True,
              help="Do not OCR scanned PDF pages (they are reported as having no text).")
@json_option
def ingest(paths: tuple[Path, ...], data_dir: Path | None, model: str | None, backend: str | None,
           rebuild: bool, chunk_size: int | None, overlap: int | None, prune: bool, timeout_s: float | None,
           no_ocr: bool, as_json: bool) -> None:
    """Index the documents under PATHS (default: corpus/) into the data dir, incrementally.

    Unchanged files are skipped, changed ones re-read, removed ones dropped; the new index version
    is published atomically. Exit status 3 when some files failed (they are listed with reasons).
    PDF pages without a text layer are OCR'd (cached in <data-dir>/ocr-cache/) unless --no-ocr.
    Files or folders inside the indexed corpus update just them; paths elsewhere that would remove
    indexed documents are refused (exit status 2) unless --prune. Symbolic links that leave the
    corpus are never followed.

    Example: studykb ingest corpus --data-dir data
    """
    if chunk_size is not None and overlap is not None and overlap >= chunk_size:
        raise click.BadParameter(f"{overlap} must be smaller than --chunk-size ({chunk_size})",
                                 param_hint="'--overlap'")
    defaults = IngestOptions()
    opts = IngestOptions(model=model, rebuild=rebuild, max_chars=chunk_size, overlap=overlap,
                         timeout_s=timeout_s or defaults.timeout_s, ocr=not no_ocr, backend=backend,
                         prune=prune)
    with RichProgress(enabled=not as_json) as progress:
        report = run_ingest(list(paths) or [Path("corpus")], data_path(data_dir), opts, progress)
    if as_json:
        print_json(report.to_json())
    else:
        print_report(report)
    sys.exit(report.exit_code)


@cli.command()
@data_dir_option
@json_option
def status(data_dir: Path | None, as_json: bool) -> None:
    """Show the published index: documents, passages, model, index type and size, last run.

    Exit status 1 when the published version's files are damaged (the message names the rebuild).

    Example: studykb status --data-dir data
    """
    from search.status import index_status

    info = index_status(data_path(data_dir))
    if as_json:
        print_json(info)
    else:
        for key, value in info.items():
            if key == "damaged":
                continue
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
            click.echo(f"{key:>16}: {shown}")
    if info["damaged"]:
        click.echo(f"Error: {info['damaged']}", err=True)
        sys.exit(1)


@cli.command()
@data_dir_option
@click.option("--version", "version", default=None, help="Version to check [default: the published one].")
@json_option
def verify(data_dir: Path | None, version: str | None, as_json: bool) -> None:
    """Check an index version: checksums, and FAISS / BM25 / database counts agreeing.

    Exit status 1 when a problem is found.

    Example: studykb verify --data-dir data
    """
    from search.snapshot import verify_version

    data = DataDir(data_path(data_dir))
    if not data.has_database():
        raise StudyKBError(f"no database in {data.root}: run `studykb ingest` first")
    conn = connect(data.db_path)
    problems = verify_version(data, conn, version)
    name = version or data.current()
    if as_json:
        print_json({"version": name, "ok": not problems, "problems": problems})
    else:
        click.echo("\n".join(problems) if problems else f"{name}: OK")
    sys.exit(1 if problems else 0)


@cli.command()
@click.argument("query", required=False)
@data_dir_option
@click.option("-k", "k", type=click.IntRange(1, 200), default=10, show_default=True, help="Number of hits.")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="category=讲话, document=PATH, tag=TAG, from=YYYY-MM-DD, to=YYYY-MM-DD (repeatable).")
@click.option("--queries-file", type=click.File("rb"), default=None,
              help="Batch mode: one UTF-8 query per line in; one JSON line of hits per query out (a line "
                   "that fails gets a JSON error line naming it; exit status 3).")
@backend_option
@json_option
def search(query: str | None, data_dir: Path | None, k: int, filters: tuple[str, ...],
           queries_file: Any, backend: str | None, as_json: bool) -> None:
    """Search the library. Put a phrase in quotes for exact wording: '"浦江经验"'.

    With --queries-file, exit status 3 when some lines failed (each has a JSON error line).

    Example: studykb search 千万工程的经验 -k 5 --filter category=辅导读物
    """
    from search.engine import Engine
    from search.filters import parse_filters

    if queries_file is None and not query:
        raise click.UsageError("give a QUERY or --queries-file FILE")
    if queries_file is not None and query:
        raise click.UsageError("give either a QUERY or --queries-file FILE, not both")
    parsed = parse_filters(filters)
    engine = Engine.open(data_path(data_dir), backend=backend)
    if queries_file is not None:
        failed = run_batch(engine, queries_file, k=k, filters=parsed)
        sys.exit(EXIT_FAILED_QUERIES if failed else 0)
    result = engine.search(query or "", k=k, filters=parsed)
    if as_json:
        print_json(result.to_json())
    else:
        print_hits(result)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@data_dir_option
@click.option("--port", type=int, default=8501, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (127.0.0.1 = this machine only).")
@backend_option
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
def serve(data_dir: Path | None, port: int, host: str, backend: str | None,
          streamlit_args: tuple[str, ...]) -> None:
    """Start the web app (Streamlit). Extra options are passed on to `streamlit run`.

    Example: studykb serve --data-dir data --port 8501
    """
    use_backend(backend)
    if database_url() is not None:  # unreachable or unmigratable: one line and exit 2, before Streamlit
        connect(data_path(data_dir) / "studykb.db").close()
    launch(data_path(data_dir), host=host, port=port, extra=list(streamlit_args))


for _group in (users.users, lists.lists, sites.sites, admin.backup, admin.restore, api.api, api.keys,
               quotes.quotes, db.db, activity.units, activity.visits, activity.demo, topics.topics,
               events.events):
    cli.add_command(_group)


def main() -> None:
    """Console entry point: run the CLI and turn studykb errors into a one-line message."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except StudyKBError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except (OSError, sqlite3.Error) as exc:  # read-only storage, a full disk: one line, not a traceback
        error = storage_error(exc)
        if error is None:
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted: the previously published index is unchanged.", err=True)
        sys.exit(130)

