"""The data dir's layout: a --data-dir under a regular file is one clear line for every command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from studykb_cli.main import main

COMMANDS = {
    "search": ["search", "浦江经验"],
    "status": ["status"],
    "verify": ["verify"],
    "ingest": ["ingest", "{corpus}"],
    "lists": ["lists", "list"],
    "sites": ["sites", "export"],
    "users": ["users", "list"],
    "backup": ["backup", "-o", "{tmp}/b.tar"],
    "restore": ["restore", "{tmp}/b.tar"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_data_dir_under_a_regular_file_is_one_line(
    tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.md").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    (tmp_path / "b.tar").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
    args = [a.replace("{corpus}", str(tmp_path / "corpus")).replace("{tmp}", str(tmp_path)) for a in command]
    monkeypatch.setattr(sys, "argv", ["studykb", *args, "--data-dir", str(tmp_path / "notes.txt" / "data")])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    file = tmp_path / "notes.txt"
    assert err == f"Error: data dir {file}/data: {file} is a file, not a folder: choose another --data-dir"
