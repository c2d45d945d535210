"""`studykb api` (serve the HTTP API) and `studykb keys …` (create, list, revoke its API keys)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from studykb.auth import ROLES

from .options import data_dir_option, data_path, json_option, open_database

__all__ = ["api", "keys"]


@click.command()
@data_dir_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1 = this machine only)."
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8600, show_default=True, help="Port to listen on."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (each loads the index; they share the port).",
)
def api(data_dir: Path | None, host: str, port: int, workers: int) -> None:
    """Serve the HTTP API (FastAPI on uvicorn): search, documents, reading lists and sites as JSON.

    Interactive documentation at /docs, the schema at /openapi.json, Prometheus metrics at /metrics.

    Example: studykb api --data-dir data --port 8600 --workers 2
    """
    from api.server import serve

    serve(data_path(data_dir), host=host, port=port, workers=workers)



@click.group()
def keys() -> None:
    """Manage the API keys of `studykb api` (only their SHA-256 is stored)."""


@keys.command("create")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="member",
    show_default=True,
    help="What the key may do: the same role rules as the web app.",
)
@click.option(
    "--unit",
    default=None,
    help="The unit id (`studykb units list`) the key is issued to: its writes stay in that subtree.",
)
@click.option(
    "--user",
    "username",
    default=None,
    help="Act as this account (its reading progress; the role may not exceed the account's).",
)
@data_dir_option
@json_option
def create(
    name: str, role: str, unit: str | None, username: str | None, data_dir: Path | None, as_json: bool
) -> None:
    """Create a key and print its token once (it cannot be shown again).

    Example: studykb keys create portal-zz2 --role organiser --unit zz2
    """
    from api.keys import create_key

    key, token = create_key(open_database(data_dir), name, role, unit=unit, username=username)
    if as_json:
        click.echo(
            json.dumps(
                {"name": key.name, "role": key.role, "unit": key.unit, "token": token}, ensure_ascii=False
            )
        )
        return
    click.echo(f"created key {key.name} ({key.role}{', ' + key.unit if key.unit else ''})")
    click.echo(f"token (shown only now): {token}")


@keys.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked keys.")
@data_dir_option
@json_option
def list_(include_revoked: bool, data_dir: Path | None, as_json: bool) -> None:
    """List keys: name, token prefix, role, unit, account, created, revoked.

    Example: studykb keys list --all
    """
    from api.keys import list_keys

    found = list_keys(open_database(data_dir), include_revoked=include_revoked)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": k.name,
                        "prefix": k.prefix,
                        "role": k.role,
                        "unit": k.unit,
                        "user": k.username,
                        "created_at": k.created_at,
                        "revoked_at": k.revoked_at,
                    }
                    for k in found
                ],
                ensure_ascii=False,
            )
        )
        return
    for k in found:
        state = f"revoked {k.revoked_at}" if k.revoked_at else "active"
        click.echo(
            f"{k.name:<24} {k.prefix}…  {k.role:<10} {k.unit or '-':<16} {k.username or '-':<12} "
            f"{k.created_at}  {state}"
        )


@keys.command("revoke")
@click.argument("name")
@data_dir_option
def revoke(name: str, data_dir: Path | None) -> None:
    """Revoke a key: its token is refused (401) from the next request on.

    Example: studykb keys revoke portal-zj
    """
    from api.keys import revoke_key

    key = revoke_key(open_database(data_dir), name)
    click.echo(f"revoked {key.name}")
