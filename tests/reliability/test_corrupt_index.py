"""A damaged index version: every command says so in one line naming the rebuild, `status` fails,
plain `ingest` rebuilds it, and a running engine never switches to a damaged version."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from search.engine import Engine
from search.index_format import check_version
from search.snapshot import verify_version
from studykb.db import connect
from studykb.errors import IndexCorruptError
from studykb.layout import DataDir

CLI = [sys.executable, "-m", "studykb_cli"]
OPTS = IngestOptions(model="minilm")


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300)


def version_dir(data: Path) -> Path:
    dd = DataDir(data)
    return dd.version_path(dd.current() or "")


def truncate(rel: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / rel
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return damage


def overwrite(rel: str, at: float = 0.5, payload: bytes = b"\x00garbled\xff") -> Callable[[Path], None]:
    """Bytes overwritten in place: the size does not change."""

    def damage(folder: Path) -> None:
        path = folder / rel
        with open(path, "r+b") as fh:
            fh.seek(int(path.stat().st_size * at))
            fh.write(payload)

    return damage


def edit_manifest(folder: Path) -> None:
    """Still valid JSON, one value changed: only the manifest's own checksum can tell."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["n_chunks"] += 1
    path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")


DAMAGE = {
    "truncated-faiss": truncate("faiss.index"),
    "overwritten-faiss": overwrite("faiss.index"),
    "garbled-bm25": overwrite("bm25/data.csc.index.npy", at=0.9),
    "garbled-bm25-vocab": overwrite("bm25/vocab.index.json", payload=b"\xff\xfe\xfd"),
    "truncated-chunk-ids": truncate("chunk_ids.npy"),
    "garbled-manifest": overwrite("manifest.json", at=0.3, payload=b"}}}{{{"),
    "edited-manifest": edit_manifest,
    "missing-faiss": lambda folder: (folder / "faiss.index").unlink(),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damage_is_one_line_status_fails_and_plain_ingest_rebuilds(
    workspace: tuple[Path, Path], damage: Callable[[Path], None]
) -> None:
    corpus, data = workspace
    damaged = DataDir(data).current()
    damage(version_dir(data))

    found = cli("search", "浦江经验", "--data-dir", data)
    assert found.returncode == 2, found.stdout
    assert "Traceback" not in found.stderr
    line = found.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("Error: index version")
    assert "studykb ingest " in line and "damaged" in line and line.endswith("to rebuild it")

    status = cli("status", "--data-dir", data)
    assert status.returncode == 1 and "Traceback" not in status.stderr
    assert "damaged" in status.stderr and "studykb ingest" in status.stderr
    assert verify_version(DataDir(data), connect(data / "studykb.db"))

    report = ingest([corpus], data, OPTS)
    assert report.version != damaged, "a damaged version must be rebuilt, not reported unchanged"
    assert report.embedded == 0 and any("damaged" in w for w in report.warnings)
    assert verify_version(DataDir(data), connect(data / "studykb.db")) == []
    assert Engine.open(data).search("浦江经验", k=1).hits
    assert cli("status", "--data-dir", data).returncode == 0


def test_a_running_engine_keeps_serving_when_a_damaged_version_is_published(
    workspace: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    corpus, data = workspace
    engine = Engine.open(data)
    first = engine.snapshot().name
    (corpus / "english.md").unlink()
    second = ingest([corpus], data, OPTS).version
    overwrite("faiss.index")(version_dir(data))  # as a replica whose copy of the new version went wrong
    with caplog.at_level(logging.ERROR, logger="search.engine"):
        result = engine.search("浦江经验", k=3)
        engine.search("千万工程", k=3)
    assert result.version == first and result.hits
    refused = [r for r in caplog.records if second in r.getMessage()]
    assert len(refused) == 1, "the refusal is logged once"
    repaired = ingest([corpus], data, OPTS).version
    assert engine.search("浦江经验", k=3).version == repaired


def test_checksums_are_checked_once_per_state_of_the_files(workspace: tuple[Path, Path]) -> None:
    _, data = workspace
    dd = DataDir(data)
    name = dd.current() or ""
    assert check_version(dd, name).ok and check_version(dd, name).checksums
    overwrite("bm25/indices.csc.index.npy")(dd.version_path(name))  # same size, new mtime
    verdict = check_version(dd, name)
    assert verdict.problems == ("bm25/indices.csc.index.npy: contents do not match the checksum",)
    with pytest.raises(IndexCorruptError, match="run `studykb ingest"):
        Engine.open(data)


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"\xff\xfe\x00garbage", "not a version name"), (b"../..\n", "not a version name"),
     (b"v999999\n", "its folder is missing")],
    ids=["non-utf8", "dotdot", "missing-version"],
)
def test_a_damaged_current_pointer_is_one_line_and_ingest_repairs_it(
    workspace: tuple[Path, Path], content: bytes, why: str
) -> None:
    corpus, data = workspace
    before = DataDir(data).current()
    (data / "CURRENT").write_bytes(content)
    for command in (["search", "浦江经验"], ["status"], ["verify"]):
        out = cli(*command, "--data-dir", data)
        assert out.returncode in (1, 2) and "Traceback" not in out.stderr + out.stdout, command
        assert why in out.stderr + out.stdout, (command, out.stderr, out.stdout)
        assert len(out.stderr.strip().splitlines()) <= 1, (command, out.stderr)
    ran = cli("ingest", corpus, "--data-dir", data, "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["version"] not in (None, before)
    assert cli("status", "--data-dir", data).returncode == 0
    assert Engine.open(data).search("浦江经验", k=1).hits


def test_a_symlinked_version_outside_the_data_dir_is_refused(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    _, data = workspace
    outside = tmp_path / "elsewhere"
    version_dir(data).rename(outside)
    (data / "versions" / "v999998").symlink_to(outside)
    (data / "CURRENT").write_text("v999998\n")
    with pytest.raises(IndexCorruptError, match="outside"):
        DataDir(data).current()
