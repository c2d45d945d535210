"""The options and helpers every command shares, each defined once (--data-dir, --database-url, --backend,
--json) and the data dir's database opened one way."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from studykb.backends import BACKEND_ENV, BACKENDS
from studykb.db import connect
from studykb.layout import DATA_DIR_ENV, DataDir, default_data_dir
from studykb.pg import DATABASE_URL_ENV, is_postgres_url, masked

__all__ = ["backend_option", "data_dir_option", "data_path", "database_url_option", "json_option",
           "open_database", "plain_data_dir_option", "print_json", "use_backend"]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def plain_data_dir_option(
    help: str = f"Index and database folder [default: ${DATA_DIR_ENV} or data/].",  # noqa: A002
) -> Decorator:
    """--data-dir alone (default `$STUDYKB_DATA_DIR` or `data/`): for commands where no URL applies."""
    return click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help=help)


def data_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The shared --data-dir option (default `$STUDYKB_DATA_DIR` or `data/`), with --database-url."""
    return database_url_option(plain_data_dir_option()(func))


def _use_database_url(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Make --database-url the process's database (and its children's: `serve` runs Streamlit)."""
    if value:
        if not is_postgres_url(value):
            raise click.BadParameter(f"{masked(value)}: only postgresql:// URLs are supported")
        os.environ[DATABASE_URL_ENV] = value


def database_url_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The shared --database-url option: shared state in PostgreSQL instead of the data dir's SQLite.

    It goes with every --data-dir (`data_dir_option` adds it); the value is read by `studykb.db.connect`
    through `$STUDYKB_DATABASE_URL`, so it is not passed to the command function.
    """
    return click.option(
        "--database-url", default=None, expose_value=False, is_eager=True, callback=_use_database_url,
        help=f"postgresql://user:password@host:port/db holding users, lists, sites and the library's "
             f"rows; the data dir then holds only index versions [default: ${DATABASE_URL_ENV}, "
             "else SQLite in the data dir].",
    )(func)


def backend_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The shared --backend option (default `$STUDYKB_BACKEND`, `[embedding] backend`, else auto)."""
    return click.option(
        "--backend", type=click.Choice(BACKENDS), default=None,
        help=f"Embedding backend [default: ${BACKEND_ENV}, else [embedding] backend in studykb.toml, "
             "else auto]. auto: onnx for queries, torch for passages; onnx: torch's vectors, faster "
             "queries; onnx-int8: faster still, approximate.",
    )(func)


def use_backend(backend: str | None) -> None:
    """Make --backend the process's choice (and its children's: `serve` runs Streamlit)."""
    if backend:
        os.environ[BACKEND_ENV] = backend


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The shared --json flag."""
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(func)


def data_path(data_dir: Path | None) -> Path:
    """The --data-dir given, else the default one."""
    return data_dir or default_data_dir()


def open_database(data_dir: Path | None) -> sqlite3.Connection:
    """The data dir's database (created with the folder when missing), migrated."""
    data = DataDir(data_path(data_dir))
    data.root.mkdir(parents=True, exist_ok=True)
    return connect(data.db_path)


def print_json(obj: Any) -> None:
    """One line of JSON on stdout, Chinese left readable."""
    click.echo(json.dumps(obj, ensure_ascii=False, indent=None))
