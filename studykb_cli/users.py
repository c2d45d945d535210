"""`studykb users …`: manage local accounts (add, list, set-role, set-password, remove)."""

from __future__ import annotations

from pathlib import Path

import click

from studykb import auth
from studykb.errors import WeakPasswordError

from .options import data_dir_option, open_database

__all__ = ["users"]



@click.group()
def users() -> None:
    """Manage local user accounts and their roles (member, organiser, maintainer)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(auth.ROLES), default="member", show_default=True)
@click.option("--name", "display_name", default="", help="Display name, e.g. 王芳.")
@click.option("--email", default=None, help="E-mail (links an OpenID Connect login to this account).")
@click.password_option(help="Password (asked for when not given; at least 10 characters, not common or "
                            "trivially guessable).")
@data_dir_option
def add(
    username: str, role: str, display_name: str, email: str | None, password: str, data_dir: Path | None
) -> None:
    """Create an account.

    Example: studykb users add wangfang --role organiser --name 王芳
    """
    try:
        user = auth.add_user(open_database(data_dir), username, password, role, display_name=display_name,
                             email=email)
    except WeakPasswordError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {user.username} ({user.role})")


@users.command("list")
@data_dir_option
def list_(data_dir: Path | None) -> None:
    """List accounts with their roles.

    Example: studykb users list
    """
    for user in auth.list_users(open_database(data_dir)):
        click.echo(f"{user.username:<20} {user.role:<11} {user.display_name}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(auth.ROLES))
@data_dir_option
def set_role(username: str, role: str, data_dir: Path | None) -> None:
    """Change an account's role (its open browser sessions end: the person logs in again).

    Example: studykb users set-role wangfang maintainer
    """
    user = auth.set_role(open_database(data_dir), username, role)
    click.echo(f"{user.username} is now {user.role}")


@users.command("set-password")
@click.argument("username")
@click.password_option()
@data_dir_option
def set_password(username: str, password: str, data_dir: Path | None) -> None:
    """Replace an account's password (refused if weak; its open browser sessions end).

    Example: studykb users set-password wangfang
    """
    try:
        auth.set_password(open_database(data_dir), username, password)
    except WeakPasswordError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"password of {username} changed")


@users.command("remove")
@click.argument("username")
@data_dir_option
def remove(username: str, data_dir: Path | None) -> None:
    """Delete an account (its open browser sessions end at their next action).

    Example: studykb users remove wangfang
    """
    auth.remove_user(open_database(data_dir), username)
    click.echo(f"removed {username}")
