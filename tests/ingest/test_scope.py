"""Tests for what an ingest of some paths may remove: a file or folder inside the indexed corpus updates
just that part; another root is refused unless --prune; a moved corpus is adopted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from ingest.report import IngestReport
from search.engine import Engine
from studykb.errors import CorpusRootError
from studykb.layout import DataDir

OPTS = IngestOptions(model="minilm", max_chars=120, overlap=20)


def statuses(report: IngestReport) -> dict[str, str]:
    return {o.path: o.status for o in report.outcomes}


def indexed(data: Path) -> set[str]:
    return {d.path for d in Engine.open(data).documents()}


def test_a_single_file_of_the_corpus_updates_only_that_file(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    with open(corpus / "guide.md", "a", encoding="utf-8") as fh:
        fh.write("\n## 四、补充\n\n支部书记要带头讲党课，每年至少一次。\n")
    (corpus / "english.md").unlink()  # outside the scope: not re-checked, so not removed either
    report = ingest([corpus / "guide.md"], data, OPTS)
    assert statuses(report) == {"guide.md": "updated"}
    assert report.n_documents == 5 and report.scope == ["guide.md"]
    assert indexed(data) == {"guide.md", "compilation.txt", "zhejiang.txt", "traditional.txt", "english.md"}
    assert Engine.open(data).search("讲党课").hits[0].document.path == "guide.md"


def test_a_subfolder_removes_only_what_left_that_subfolder(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.md").write_text("# 甲\n\n红船精神是中国革命精神之源。\n", encoding="utf-8")
    (corpus / "sub" / "b.md").write_text("# 乙\n\n下姜村是乡村振兴的样板。\n", encoding="utf-8")
    assert statuses(ingest([corpus], data, OPTS))["sub/b.md"] == "added"
    (corpus / "sub" / "b.md").unlink()
    (corpus / "english.md").unlink()
    report = ingest([corpus / "sub"], data, OPTS)
    assert statuses(report) == {"sub/a.md": "unchanged", "sub/b.md": "removed"}
    assert "english.md" in indexed(data) and "sub/b.md" not in indexed(data)


def test_another_root_is_refused_and_nothing_changes(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, data = workspace
    other = tmp_path / "other"
    other.mkdir()
    (other / "glossary.md").write_text("# 词汇\n\n千万工程：浙江的乡村整治工程。\n", encoding="utf-8")
    before = DataDir(data).current()
    with pytest.raises(CorpusRootError) as caught:
        ingest([other], data, OPTS)
    message = str(caught.value)
    assert str(corpus.resolve()) in message and "--prune" in message and "5" in message
    assert DataDir(data).current() == before and len(indexed(data)) == 5


def test_prune_replaces_the_index_with_another_root(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    _, data = workspace
    other = tmp_path / "other"
    other.mkdir()
    (other / "glossary.md").write_text("# 词汇\n\n千万工程：浙江的乡村整治工程。\n", encoding="utf-8")
    report = ingest([other], data, IngestOptions(model="minilm", max_chars=120, overlap=20, prune=True))
    assert statuses(report)["glossary.md"] == "added" and report.count("removed") == 5
    assert indexed(data) == {"glossary.md"}


def test_prune_with_a_file_of_the_corpus_keeps_only_that_file(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    report = ingest([corpus / "guide.md"], data, IngestOptions(prune=True))
    assert report.count("removed") == 4 and indexed(data) == {"guide.md"}


def test_a_moved_corpus_is_adopted_and_downloads_follow_it(built: tuple[Path, Path, IngestReport],
                                                           tmp_path: Path) -> None:
    import shutil

    corpus, data, _ = built
    moved, copy = tmp_path / "moved", tmp_path / "data"
    shutil.copytree(corpus, moved)
    shutil.copytree(data, copy)
    report = ingest([moved], copy, OPTS)
    assert report.count("unchanged") == 5 and report.count("removed") == 0
    assert any("moved" in w for w in report.warnings)
    assert {d.root for d in Engine.open(copy).documents()} == {str(moved.resolve())}


def test_the_cli_refuses_another_root_with_exit_status_2(workspace: tuple[Path, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from studykb_cli.main import main

    corpus, data = workspace
    other = tmp_path / "other"
    other.mkdir()
    (other / "glossary.md").write_text("# 词汇\n\n千万工程。\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["studykb", "ingest", str(other), "--data-dir", str(data)])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert str(corpus.resolve()) in err and "--prune" in err and "Traceback" not in err
