"""Crash safety of ingestion: SIGKILL at many points, and writes failing as on a full disk.

After every interruption the previous or the new version must be served complete (verify passes:
checksums, FAISS/BM25/database counts agree), and a re-run must finish without re-embedding what
the interrupted run already embedded. The default run tries a handful of kill points; `-m slow`
tries 50.
"""

from __future__ import annotations

import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.engine import Engine
from search.snapshot import verify_version
from studykb.db import connect
from studykb.layout import DataDir

CLI = [sys.executable, "-m", "studykb_cli"]


def mutate(corpus: Path) -> None:
    """An edit, an addition and a deletion, as in a real maintenance run."""
    with open(corpus / "guide.md", "a", encoding="utf-8") as fh:
        fh.write("\n## 四、整改落实\n\n" + "检视问题要列出清单，逐项整改，按期销号。" * 6 + "\n")
    (corpus / "added.md").write_text(
        "# 新增学习材料\n\n"
        + "".join(f"第{i}条：坚持以学促干，在推动高质量发展上取得新成效。" for i in range(12)),
        encoding="utf-8",
    )
    (corpus / "english.md").unlink()


def served_ok(data: Path) -> str:
    """Assert a version is served, verifies (checksums, counts), and answers a query; return its name."""
    dd = DataDir(data)
    name = dd.current()
    assert name is not None
    assert verify_version(dd, connect(dd.db_path)) == []
    assert Engine.open(data).search("浦江经验", k=1).hits
    return str(name)


def embeddings(data: Path) -> int:
    return int(connect(data / "studykb.db").execute("SELECT count(*) FROM embeddings").fetchone()[0])


def run_ingest(corpus: Path, data: Path, **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, "ingest", str(corpus), "--data-dir", str(data), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )  # type: ignore[call-overload]


@pytest.fixture
def reference(workspace: tuple[Path, Path]) -> tuple[float, int]:
    """Duration of an uninterrupted run of the mutation, and how many passages it embedded."""
    import json

    corpus, data = workspace
    mutate(corpus)
    t = time.perf_counter()
    proc = run_ingest(corpus, data)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    return time.perf_counter() - t, int(json.loads(out)["embedded"])


def kill_points(count: int, duration: float) -> list[float]:
    rng = random.Random(20261127)
    return sorted(rng.uniform(0.05, duration * 1.1) for _ in range(count))


def _kill_and_recover(built: tuple[Path, Path, object], tmp: Path, delay: float, needed: int) -> str:
    import json
    import shutil

    from ingest.pipeline import ingest

    corpus, data = tmp / "corpus", tmp / "data"
    shutil.copytree(built[0], corpus)
    shutil.copytree(built[1], data)
    ingest([corpus], data)  # the copy adopts its corpus (a no-op run), as the workspace fixture does
    before = DataDir(data).current()
    mutate(corpus)
    base = embeddings(data)
    proc = run_ingest(corpus, data)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(60)
    after_kill = served_ok(data)
    done_by_killed = embeddings(data) - base
    rerun = run_ingest(corpus, data)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()
    report = json.loads(out)
    assert served_ok(data) == report["version"]
    if after_kill == before:  # the killed run did not publish: the re-run finishes its work
        assert report["embedded"] == needed - done_by_killed, "re-embedded work the killed run had done"
    return "old" if after_kill == before else "new"


def _kill_at(points: int, built, reference, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    duration, needed = reference
    outcomes = [
        _kill_and_recover(built, tmp_path / f"k{i}", delay, needed)
        for i, delay in enumerate(kill_points(points, duration))
    ]
    print(f"kill points survived: {len(outcomes)} ({outcomes.count('old')} old version served, "
          f"{outcomes.count('new')} new)")


@pytest.mark.timeout(1800)
def test_sigkill_at_a_handful_of_points(built, reference, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _kill_at(4, built, reference, tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(7200)
def test_sigkill_at_fifty_points(built, reference, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _kill_at(50, built, reference, tmp_path)


def _limit_file_size(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("limit_kb", [64, 256, 700, 1500], ids=lambda kb: f"fsize-{kb}k")
def test_failing_writes_leave_a_served_version(workspace: tuple[Path, Path], limit_kb: int) -> None:
    corpus, data = workspace
    before = DataDir(data).current()
    mutate(corpus)
    proc = run_ingest(corpus, data, preexec_fn=_limit_file_size(limit_kb * 1024))
    _, err = proc.communicate(timeout=600)
    name = served_ok(data)
    print(
        f"file-size limit {limit_kb} KiB: exit {proc.returncode}, served {'old' if name == before else 'new'}"
    )
    if proc.returncode != 0:
        assert name == before, "a failed run must not publish"
        assert err.strip(), "the failure must be reported"
        message = err.decode(errors="replace").strip()
        assert "Traceback" not in message and len(message.splitlines()) == 1, message
        assert message.startswith("Error: ") and ("space" in message or "size limit" in message), message
    rerun = run_ingest(corpus, data)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()
    assert DataDir(data).current() != before
    served_ok(data)
