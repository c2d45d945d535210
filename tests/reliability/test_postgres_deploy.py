"""Shared state on PostgreSQL, through the CLI only: a writer, read-only replicas, restarts, `db copy`.

The whole "done when" of issue 15 as one scripted flow, on a real server (tests/pg_server.py).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studykb.db import connect, connect_sqlite
from studykb.errors import DatabaseUnavailableError, LockedError
from studykb.lock import PgIngestLock
from studykb.pg import INGEST_LOCK_KEY
from tests.conftest import write_corpus
from tests.pg_server import PgServer

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Qiushi-2026-xuexi!"


def studykb(*args: str, url: str | None, timeout: float = 900,
            cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `studykb ARGS` as a user would, with or without $STUDYKB_DATABASE_URL, from `cwd`."""
    env = {k: v for k, v in os.environ.items() if k not in ("STUDYKB_DATABASE_URL", "STUDYKB_DATA_DIR")}
    if url is not None:
        env["STUDYKB_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "studykb_cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def sqlite_files(root: Path) -> list[Path]:
    """Every file under `root` that is a SQLite database (by its header), or named like one or its
    WAL/journal (*.db, *.sqlite, *.sqlite3, *-wal, *-shm, *-journal)."""
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                if fh.read(16) == b"SQLite format 3\x00" or re.search(r"\.(db|sqlite3?)(-\w+)?$", path.name):
                    found.append(path)
    return found


def replica_of(writer: Path, replica: Path) -> Path:
    """A data dir holding only the writer's version folders (no CURRENT: the database says which version
    is published; tests/reliability/test_replicas.py copies CURRENT too, as a shared volume holds it)."""
    replica.mkdir(parents=True)
    shutil.copytree(writer / "versions", replica / "versions")
    return replica


def reads(replica: Path, url: str, out: Path) -> None:
    """On the replica (run from an empty folder): the user is listed, the sites export, a search answers."""
    users = studykb("users", "list", "--data-dir", str(replica), url=url, cwd=out.parent)
    assert users.returncode == 0, users.stderr
    assert "wangfang" in users.stdout and "organiser" in users.stdout
    export = studykb("sites", "export", "-o", str(out), "--data-dir", str(replica), url=url, cwd=out.parent)
    assert export.returncode == 0, export.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 58 and any(r["name"].startswith("南湖革命纪念馆") for r in rows)
    search = studykb("search", "千万工程", "-k", "3", "--json", "--data-dir", str(replica), url=url,
                     cwd=out.parent)
    assert search.returncode == 0, search.stderr
    assert "千万工程" in search.stdout or "千萬工程" in search.stdout


def test_writer_and_replica_share_postgres_and_survive_its_restart(pg_server: PgServer,
                                                                    tmp_path: Path) -> None:
    url = pg_server.new_database()
    writer, cwd = tmp_path / "writer", tmp_path / "cwd"
    cwd.mkdir()  # the commands run from here: nothing may land in the working folder either
    ingest = studykb("ingest", str(ROOT / "corpus"), "--data-dir", str(writer), "--model", "minilm", url=url,
                     cwd=cwd)
    assert ingest.returncode in (0, 3), ingest.stderr  # 3: a file the extractors cannot read fails alone
    assert "published" in ingest.stdout
    added = studykb("users", "add", "wangfang", "--role", "organiser", "--password", PASSWORD,
                    "--data-dir", str(writer), url=url, cwd=cwd)
    assert added.returncode == 0, added.stderr
    sites_csv = str(ROOT / "corpus" / "sites.csv")
    imported = studykb("sites", "import", sites_csv, "--data-dir", str(writer), url=url, cwd=cwd)
    assert imported.returncode == 0, imported.stderr
    assert sqlite_files(tmp_path) == []  # the writer's data dir, the working folder: no SQLite file

    replica = replica_of(writer, tmp_path / "replica")
    reads(replica, url, cwd / "sites-1.csv")
    assert sqlite_files(tmp_path) == []

    pg_server.stop()
    down = studykb("users", "list", "--data-dir", str(replica), url=url, cwd=cwd)
    assert down.returncode == 2
    assert down.stderr.count("\n") == 1 and f"127.0.0.1:{pg_server.port}/" in down.stderr
    pg_server.start()
    reads(replica, url, cwd / "sites-2.csv")
    assert sqlite_files(tmp_path) == []


def test_db_copy_moves_a_sqlite_install_into_an_empty_database(pg_server: PgServer, tmp_path: Path) -> None:
    data = tmp_path / "single"
    assert studykb("users", "add", "wangfang", "--role", "organiser", "--password", PASSWORD,
                   "--data-dir", str(data), url=None).returncode == 0
    assert studykb("sites", "import", str(ROOT / "corpus" / "sites.csv"), "--data-dir", str(data),
                   url=None).returncode == 0
    url = pg_server.new_database()
    copied = studykb("db", "copy", "--data-dir", str(data), "--to", url, url=None)
    assert copied.returncode == 0, copied.stderr
    assert "users: 1" in copied.stdout and "sites: 58" in copied.stdout and "counts verified" in copied.stdout
    listed = studykb("users", "list", "--data-dir", str(tmp_path / "elsewhere"), url=url)
    assert "wangfang" in listed.stdout, listed.stderr
    # A user added after the copy gets a fresh id (the identity sequence moved past the copied ids).
    assert studykb("users", "add", "lisi", "--password", PASSWORD, "--data-dir", str(tmp_path / "elsewhere"),
                   url=url).returncode == 0

    again = studykb("db", "copy", "--data-dir", str(data), "--to", url, url=None)
    assert again.returncode == 2 and "not empty" in again.stderr and "users (2 rows)" in again.stderr
    conn = connect(url)
    assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 58
    conn.close()


def test_db_copy_moves_study_activity_with_units_below_units(pg_server: PgServer, tmp_path: Path) -> None:
    """The demo unit tree stores 党支部 ids that sort before their 党总支 (demo-zb… < demo-zz…):
    PostgreSQL checks each unit's parent as the row arrives, so parents must be copied first."""
    data = tmp_path / "single"
    loaded = studykb("demo", "load", "--visits", "200", "--data-dir", str(data), url=None)
    assert loaded.returncode == 0, loaded.stderr
    url = pg_server.new_database()
    copied = studykb("db", "copy", "--data-dir", str(data), "--to", url, url=None)
    assert copied.returncode == 0, copied.stderr
    assert "units: 12" in copied.stdout and "visits: 200" in copied.stdout
    assert "counts verified" in copied.stdout
    stats = ("visits", "stats", "--by", "unit", "--json", "--data-dir")
    here = studykb(*stats, str(data), url=None)
    there = studykb(*stats, str(tmp_path / "replica"), url=url)
    assert there.returncode == 0 and there.stdout == here.stdout


def test_db_copy_is_all_or_nothing(pg_server: PgServer, tmp_path: Path) -> None:
    data = tmp_path / "single"
    data.mkdir()
    src = connect_sqlite(data / "studykb.db")
    src.execute("INSERT INTO users(username, role) VALUES ('wangfang', 'organiser')")
    # A row PostgreSQL refuses (a NUL character in text) halfway through the copy.
    src.execute("INSERT INTO login_failures(username, at) VALUES (?, 1.0)", ("bad\x00name",))
    src.close()
    url = pg_server.new_database()
    copied = studykb("db", "copy", "--data-dir", str(data), "--to", url, url=None)
    assert copied.returncode == 2 and "nothing was copied" in copied.stderr
    conn = connect(url)
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    conn.close()


def test_unreachable_database_is_one_line_with_the_password_masked(tmp_path: Path) -> None:
    url = "postgresql://studykb:geheim@127.0.0.1:9/studykb"  # the discard port: nothing listens
    for args in (("users", "list"), ("serve", "--port", "8599")):
        done = studykb(*args, "--data-dir", str(tmp_path), url=url, timeout=60)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1, done.stderr
        assert "127.0.0.1:9/studykb" in done.stderr and "geheim" not in done.stderr and "***" in done.stderr


def test_a_second_ingest_anywhere_is_refused(pg_server: PgServer, tmp_path: Path) -> None:
    url = pg_server.new_database()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("学习贯彻党的二十大精神。", encoding="utf-8")
    with PgIngestLock(url):  # a writer on another host, with another data dir
        done = studykb("ingest", str(corpus), "--data-dir", str(tmp_path / "data"), "--model", "minilm",
                       url=url)
        assert done.returncode == 2 and "another studykb ingest" in done.stderr
        with pytest.raises(LockedError):
            PgIngestLock(url).__enter__()
    with PgIngestLock(url):  # released with its session
        pass


def test_a_killed_writer_leaves_the_published_version_serving_and_no_lock(pg_server: PgServer,
                                                                          tmp_path: Path) -> None:
    url = pg_server.new_database()
    corpus, writer = write_corpus(tmp_path / "corpus"), tmp_path / "writer"
    first = studykb("ingest", str(corpus), "--data-dir", str(writer), "--model", "minilm", url=url)
    assert first.returncode == 0, first.stderr
    replica = replica_of(writer, tmp_path / "replica")

    (corpus / "new.txt").write_text("新时代枫桥经验：矛盾不上交，就地化解。\n", encoding="utf-8")
    env = {**os.environ, "STUDYKB_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "studykb_cli", "ingest", str(corpus), "--data-dir",
                             str(writer), "--model", "minilm"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watcher = connect(url)
    deadline = time.monotonic() + 120
    while not watcher.execute(  # until the writer, holding the lock, has stored the new document's rows
            "SELECT count(*) FROM documents WHERE path = 'new.txt'").fetchone()[0]:
        assert proc.poll() is None and time.monotonic() < deadline, "the writer stored nothing"
        time.sleep(0.05)
    assert watcher.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = ?",
        (INGEST_LOCK_KEY & 0xFFFF_FFFF,)).fetchone()[0] == 1
    watcher.close()
    proc.kill()
    proc.wait()

    with PgIngestLock(url):  # the lock went with the killed writer's database session
        pass
    found = studykb("search", "两个确立", "-k", "3", "--json", "--data-dir", str(replica), url=url)
    assert found.returncode == 0 and "两个确立" in found.stdout, found.stderr
    assert (writer / "CURRENT").read_text(encoding="utf-8").strip() == "v000001"
    again = studykb("ingest", str(corpus), "--data-dir", str(writer), "--model", "minilm", url=url)
    assert again.returncode == 0, again.stderr
    assert (writer / "CURRENT").read_text(encoding="utf-8").strip() != "v000001"
    found = studykb("search", "新时代枫桥经验", "-k", "3", "--json", "--data-dir", str(writer), url=url)
    assert "就地化解" in found.stdout, found.stderr


def test_a_connection_recovers_after_the_server_restarts(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    conn = connect(url)
    conn.execute("INSERT INTO users(username, role) VALUES ('wangfang', 'member')")
    pg_server.stop()
    try:
        with pytest.raises(DatabaseUnavailableError, match="127.0.0.1"):
            conn.execute("SELECT count(*) FROM users")  # the statement in that moment: a clear message
    finally:
        pg_server.start()
    # The first statement after the restart runs on a new connection (the old one was dropped idle).
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    pg_server.stop()
    pg_server.start()
    conn.execute("INSERT INTO users(username, role) VALUES ('lihua', 'member')")  # 57P01: never kept
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 2

    # A transaction that loses its connection is not replayed: it fails, and nothing of it is kept.
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO users(username, role) VALUES ('zhaolei', 'member')")
    pg_server.stop()
    pg_server.start()
    with pytest.raises(DatabaseUnavailableError, match="数据库暂时无法连接"):
        conn.execute("INSERT INTO users(username, role) VALUES ('chenjing', 'member')")
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 2
    conn.close()


def test_backup_and_restore_with_postgres_cover_the_index_files(pg_server: PgServer, tmp_path: Path) -> None:
    url = pg_server.new_database()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("学习贯彻党的二十大精神，推进中国式现代化。", encoding="utf-8")
    data = tmp_path / "data"
    built = studykb("ingest", str(corpus), "--data-dir", str(data), "--model", "minilm", url=url)
    assert built.returncode == 0, built.stderr
    archive = tmp_path / "backup.tar"
    made = studykb("backup", "-o", str(archive), "--data-dir", str(data), "--database-url", url, url=None)
    assert made.returncode == 0, made.stderr
    import tarfile

    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "studykb.db" not in names and any(n.startswith("versions/v000001/") for n in names)
    back = studykb("restore", str(archive), "--data-dir", str(tmp_path / "restored"), url=url)
    assert back.returncode == 0, back.stderr
    assert (tmp_path / "restored" / "CURRENT").read_text(encoding="utf-8").strip() == "v000001"
    assert sqlite_files(tmp_path / "restored") == []
