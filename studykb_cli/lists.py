"""`studykb lists …`: list, show, export (JSON backup, Markdown or DOCX booklet) and import reading lists."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from studykb.auth import User, get_user
from studykb.errors import ConfigError
from studykb.layout import DataDir

from .options import data_dir_option, data_path, open_database

__all__ = ["lists"]

#: Who acts when no --as is given: the operator at the console, who can open the database anyway.
CONSOLE = User(0, "console", "maintainer", "命令行")
_STATUS = {"draft": "草稿", "published": "已发布"}
_FLAGS = {"found": "ok", "relocated": "moved", "missing": "MISSING"}


def _open(data_dir: Path | None) -> tuple[DataDir, sqlite3.Connection]:
    return DataDir(data_path(data_dir)), open_database(data_dir)


def _acting(conn: sqlite3.Connection, username: str | None) -> User:
    if username is None:
        return CONSOLE
    user = get_user(conn, username)
    if user is None:
        raise ConfigError(f"no user {username!r}: see `studykb users list`")
    return user


@click.group()
def lists() -> None:
    """Reading lists: list, show, export (JSON, Markdown or DOCX booklet) and import."""


@lists.command("list")
@data_dir_option
def list_(data_dir: Path | None) -> None:
    """Show every reading list with its id, status and number of items.

    Example: studykb lists list --data-dir data
    """
    from lists.store import lists_for

    _, conn = _open(data_dir)
    found = lists_for(conn, CONSOLE)
    if not found:
        click.echo("no reading lists yet: organisers create them on the 阅读清单 page, "
                   "or run `studykb lists import`")
    for lst in found:
        period = f"  {lst.period}" if lst.period else ""
        origin = f"  （导入自 {lst.imported_from}）" if lst.imported_from else ""
        click.echo(f"{lst.id:>4}  {_STATUS[lst.status]:<3}  {lst.n_items:>3} 项  {lst.title}{period}{origin}")


@lists.command("show")
@click.argument("list_id", type=int)
@data_dir_option
def show(list_id: int, data_dir: Path | None) -> None:
    """Show a list's items and whether each is still found in the published index.

    Example: studykb lists show 3 --data-dir data
    """
    from lists.resolve import resolve
    from lists.store import get_list, items

    data, conn = _open(data_dir)
    lst = get_list(conn, CONSOLE, list_id)
    click.echo(f"{lst.title}  ({_STATUS[lst.status]}, revision {lst.revision})")
    resolved = resolve(conn, items(conn, CONSOLE, list_id), data.current())
    for n, r in enumerate(resolved, start=1):
        kind = "全文" if r.item.kind == "document" else "段落"
        click.echo(f"{n:>3}. [{_FLAGS[r.status]:<7}] {kind} {r.citation}")
        if r.reason and r.status != "found":
            click.echo(f"       {r.reason}")
    missing = sum(r.missing for r in resolved)
    if missing:
        click.echo(f"{missing} item(s) can no longer be found: edit or remove them on the 阅读清单 page")


@lists.command("export")
@click.option("--list", "list_ids", type=int, multiple=True,
              help="List id (repeatable; JSON default: all lists).")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "docx"]), default="json", show_default=True,
              help="json = backup/transfer file; md or docx = the printable booklet of one list.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file [default: stdout for json/md; <title>.docx for docx].")
@data_dir_option
def export(list_ids: tuple[int, ...], fmt: str, output: Path | None, data_dir: Path | None) -> None:
    """Export lists as JSON (backup or transfer), or one list as a Markdown or DOCX booklet.

    Example: studykb lists export --list 3 --format docx -o 五月学习清单.docx
    """
    from lists.export import booklet_docx, booklet_markdown, booklet_name
    from lists.io import dumps, export_lists
    from lists.resolve import resolve
    from lists.store import get_list, items

    data, conn = _open(data_dir)
    if fmt == "json":
        text = dumps(export_lists(conn, CONSOLE, list(list_ids) or None))
        _write(text.encode("utf-8"), output)
        return
    if len(list_ids) != 1:
        raise click.UsageError(f"--format {fmt} makes the booklet of one list: give exactly one --list ID")
    lst = get_list(conn, CONSOLE, list_ids[0])
    resolved = resolve(conn, items(conn, CONSOLE, lst.id), data.current())
    if fmt == "md":
        _write(booklet_markdown(lst, resolved).encode("utf-8"), output)
    else:
        _write(booklet_docx(lst, resolved), output or Path(booklet_name(lst, ".docx")))
    missing = sum(r.missing for r in resolved)
    if missing:
        click.echo(f"warning: {missing} item(s) are no longer in the library; the booklet prints their saved "
                   "text and says so", err=True)


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stdout
        return
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data):,} bytes)", err=True)


@lists.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_user", default=None, metavar="USER",
              help="Account that will own the lists (an organiser) [default: the console operator].")
@click.option("--draft", is_flag=True, help="Import every list as a draft, whatever its status in the file.")
@data_dir_option
def import_(file: Path, as_user: str | None, draft: bool, data_dir: Path | None) -> None:
    """Import lists from a JSON export: the whole file is checked first, then all lists or none are added.

    Example: studykb lists import lists-backup.json --as wangfang --draft
    """
    from lists.io import import_lists

    _, conn = _open(data_dir)
    created = import_lists(conn, _acting(conn, as_user), file.read_bytes(), as_draft=draft, source=file.name)
    for lst in created:
        click.echo(f"imported {lst.id}: {lst.title} ({lst.n_items} items, {_STATUS[lst.status]})")
    if not created:
        click.echo("the file holds no lists: nothing imported")
