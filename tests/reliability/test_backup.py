"""Backup and restore with a damaged index, a damaged archive, and a server running on the data dir."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from search.engine import Engine
from studykb.auth import add_user, get_user
from studykb.db import connect
from studykb.layout import DataDir

CLI = [sys.executable, "-m", "studykb_cli"]
OPTS = IngestOptions(model="minilm", max_chars=120, overlap=20)  # the session index's chunking


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300)


def one_line(text: str) -> str:
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def with_user(workspace: tuple[Path, Path]) -> tuple[Path, Path]:
    """The workspace with an organiser account: the part of the database a backup must never lose."""
    add_user(connect(workspace[1] / "studykb.db"), "wangfang", None, "organiser", email="wf@example.org")
    return workspace


@pytest.fixture
def backed_up(with_user: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    """(corpus, data dir, archive): a good backup of the workspace with its organiser account."""
    corpus, data = with_user
    archive = tmp_path / "good.tar"
    assert cli("backup", "-o", archive, "--data-dir", data).returncode == 0
    return corpus, data, archive


def damage_faiss(data: Path) -> str:
    dd = DataDir(data)
    name = dd.current() or ""
    path = dd.version_path(name) / "faiss.index"
    path.write_bytes(path.read_bytes()[:500])
    return name


def members(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.getnames()


def test_backup_of_a_damaged_index_keeps_the_database_and_says_so(
    with_user: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, data = with_user
    name = damage_faiss(data)
    archive = tmp_path / "b.tar"
    out = cli("backup", "-o", archive, "--data-dir", data)
    assert out.returncode == 3
    line = one_line(out.stderr)
    assert "database only" in line and name in line and "faiss.index" in line and "studykb ingest" in line
    assert "studykb.db" in members(archive) and not any(m.startswith("versions/") for m in members(archive))

    target = tmp_path / "restored"
    out = cli("restore", archive, "--data-dir", target)
    assert out.returncode == 3 and "database only" in one_line(out.stderr)
    assert get_user(connect(target / "studykb.db"), "wangfang") is not None
    assert ingest([corpus], target, OPTS).embedded == 0  # rebuilt from the database
    assert Engine.open(target).search("浦江经验", k=1).hits


def contents(data: Path) -> dict[str, int]:
    """Size of every file of the data dir but its locks and SQLite's journal files."""
    return {p.relative_to(data).as_posix(): p.stat().st_size for p in data.rglob("*")
            if p.is_file() and not p.name.endswith((".lock", "-wal", "-shm"))}


def tampered(archive: Path, out: Path, change: dict[str, bytes]) -> Path:
    """A copy of `archive` with some members' contents replaced."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            payload = src.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            for suffix, replacement in change.items():
                if member.name.endswith(suffix):
                    payload = replacement
            if payload is not None:
                member.size = len(payload)
                dst.addfile(member, io.BytesIO(payload))
            else:
                dst.addfile(member)
    return out


def test_an_archive_with_a_damaged_index_restores_its_database_alone(
    backed_up: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    corpus, data, good = backed_up
    bad = tampered(good, tmp_path / "bad.tar", {"faiss.index": b"\x00" * 100})
    target = tmp_path / "restored"
    out = cli("restore", bad, "--data-dir", target)
    assert out.returncode == 3, out.stderr
    line = one_line(out.stderr)
    assert "restored the database only" in line and "faiss.index" in line and "studykb ingest" in line
    assert get_user(connect(target / "studykb.db"), "wangfang") is not None
    assert DataDir(target).current() is None
    ingest([corpus], target, OPTS)
    assert Engine.open(target).search("浦江经验", k=1).hits


@pytest.mark.parametrize(
    ("change", "says"),
    [({"backup.json": b"[1, 2]"}, "not a studykb backup"),
     ({"backup.json": b"\xff\xfe"}, "not a readable studykb backup"),
     ({"studykb.db": b"SQLite format 3\x00" + os.urandom(8192)}, "its database is damaged"),
     ({"studykb.db": b"not a database at all" * 100}, "its database is damaged")],
    ids=["backup-json-list", "backup-json-binary", "db-garbled-pages", "db-not-sqlite"],
)
def test_a_damaged_archive_is_one_line_and_changes_nothing(
    backed_up: tuple[Path, Path, Path], tmp_path: Path, change: dict[str, bytes], says: str
) -> None:
    _, data, good = backed_up
    before = contents(data)
    out = cli("restore", tampered(good, tmp_path / "bad.tar", change), "--data-dir", data, "--force")
    assert out.returncode == 2 and says in one_line(out.stderr)
    assert contents(data) == before
    assert get_user(connect(data / "studykb.db"), "wangfang") is not None


def lock_holder(data: Path) -> str:
    path = data / "serve.lock"
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_restore_is_refused_while_a_server_runs_and_a_killed_one_does_not_block(
    backed_up: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _, data, archive = backed_up
    server = subprocess.Popen([*CLI, "serve", "--data-dir", str(data), "--port", str(free_port())],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while lock_holder(data) != str(server.pid):
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.2)
        out = cli("restore", archive, "--data-dir", data, "--force")
        assert out.returncode == 2
        assert f"server (pid {server.pid})" in one_line(out.stderr)
        assert not list(tmp_path.glob("data.before-restore-*")), "nothing may be moved aside"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(30)
    assert (data / "serve.lock").read_text().strip() == str(server.pid)  # stale: left by the killed server
    out = cli("restore", archive, "--data-dir", data, "--force")
    assert out.returncode == 0, out.stderr
    assert "restored index version" in out.stdout
