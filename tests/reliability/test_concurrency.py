"""Serving while ingesting, stale-lock recovery, and no lost updates under concurrent writers."""

from __future__ import annotations

import multiprocessing as mp
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from search.engine import Engine
from studykb.db import connect, write
from studykb.layout import DataDir


def version_documents(data: Path, version: str) -> set[int]:
    rows = connect(data / "studykb.db").execute(
        "SELECT document_id FROM version_documents v JOIN index_versions i ON i.id = v.version_id "
        "WHERE i.name = ?",
        (version,),
    )
    return {r[0] for r in rows}


def test_searches_continue_during_ingest_and_pick_up_the_new_version(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    engine = Engine.open(data)
    old = DataDir(data).current()
    (corpus / "fresh.md").write_text("# 新材料\n\n红色基因要代代相传，红船精神永放光芒。\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "studykb_cli", "ingest", str(corpus), "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen: list[tuple[str, set[int]]] = []
    while proc.poll() is None:
        result = engine.search("红船精神 浦江经验", k=10)  # must never fail mid-publish
        seen.append((result.version, {h.document.id for h in result.hits}))
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
    final = engine.search("红船精神", k=3)
    new = DataDir(data).current()
    assert new != old and final.version == new
    assert final.hits[0].document.path == "fresh.md"
    assert len(seen) > 3
    for version, docs in seen + [(final.version, {h.document.id for h in final.hits})]:
        assert version in {old, new}
        assert docs <= version_documents(data, version), "a query mixed documents of two versions"


def test_lock_of_a_killed_ingest_is_recovered(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from studykb.lock import IngestLock; from pathlib import Path;"
            f"lock = IngestLock(Path({str(DataDir(data).lock_path)!r})).__enter__();"
            "print('held', flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
    busy = subprocess.run(
        [sys.executable, "-m", "studykb_cli", "ingest", str(corpus), "--data-dir", str(data)],
        capture_output=True,
        text=True,
    )
    assert busy.returncode == 2 and "another studykb ingest" in busy.stderr
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    after = subprocess.run(
        [sys.executable, "-m", "studykb_cli", "ingest", str(corpus), "--data-dir", str(data)],
        capture_output=True,
        text=True,
    )
    assert after.returncode == 0, after.stderr


def _increment(db: str, times: int) -> None:
    conn = connect(db)
    for _ in range(times):
        with write(conn):
            (value,) = conn.execute("SELECT value FROM counter WHERE id = 1").fetchone()
            conn.execute("UPDATE counter SET value = ? WHERE id = 1", (value + 1,))
    conn.close()


def test_no_update_lost_with_threads_and_processes(tmp_path: Path) -> None:
    db = str(tmp_path / "studykb.db")
    conn = connect(db)
    conn.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
    conn.execute("INSERT INTO counter VALUES (1, 0)")
    threads = [threading.Thread(target=_increment, args=(db, 50)) for _ in range(4)]
    procs = [mp.get_context("spawn").Process(target=_increment, args=(db, 50)) for _ in range(4)]
    for w in [*threads, *procs]:
        w.start()
    for t in threads:
        t.join()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert conn.execute("SELECT value FROM counter").fetchone()[0] == 8 * 50
