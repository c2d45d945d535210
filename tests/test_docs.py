"""Every CLI command is documented in the README and carries an Example in its help."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from studykb_cli.main import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "studykb") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out += commands(command, full)
        else:
            out.append((full, command))
    return out


ALL = commands(cli)


def test_feature_command_groups_are_registered() -> None:
    names = {name for name, _ in ALL}
    for expected in (
        "studykb ingest",
        "studykb search",
        "studykb serve",
        "studykb users add",
        "studykb lists export",
        "studykb sites import",
        "studykb backup",
        "studykb restore",
        "studykb api",
        "studykb keys create",
    ):
        assert expected in names


@pytest.mark.parametrize(("name", "command"), ALL, ids=[name for name, _ in ALL])
def test_command_in_readme_with_example(name: str, command: click.Command) -> None:
    assert name in README, f"`{name}` is not documented in README.md"
    assert "Example:" in (command.help or ""), f"`{name}` has no Example: in its help"
