"""Tests for the `studykb` command line as a user runs it (`studykb_cli.main.main`: exit status, stdout and
stderr) on real small indexes: batch queries with a bad line, option and filter errors, literal text,
an empty corpus and catalog keys naming no document."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from studykb.errors import ConfigError

OPTS = IngestOptions(model="minilm", max_chars=120, overlap=20)


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `studykb ARGS`."""
    from studykb_cli.main import main

    monkeypatch.setattr(sys, "argv", ["studykb", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_bad_line_in_a_queries_file_is_reported_and_the_others_answered(
    built: tuple[Path, Path, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_bytes("千万工程\n".encode() + b"\xff\xfe bad line\n" + "浦江经验\n".encode())
    code, out, err = run(monkeypatch, capsys, "search", "--queries-file", str(queries),
                         "--data-dir", str(built[1]))
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert lines[0]["query"] == "千万工程" and lines[0]["hits"]
    assert lines[2]["query"] == "浦江经验" and lines[2]["hits"]
    assert lines[1]["line"] == 2 and "UTF-8" in lines[1]["error"] and lines[1]["hits"] == []
    assert "line 2" in err and "Traceback" not in err
    assert code == 3


def test_a_query_with_a_queries_file_is_a_usage_error(
    built: tuple[Path, Path, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("千万工程\n", encoding="utf-8")
    code, out, err = run(monkeypatch, capsys, "search", "浦江经验", "--queries-file", str(queries),
                         "--data-dir", str(built[1]))
    assert code == 2 and out == "" and "--queries-file" in err


@pytest.mark.parametrize(
    ("filters", "expected"),
    [(("category=小说",), "辅导读物"), (("from=2024-01-01", "to=2023-01-01"), "reversed")],
    ids=["unknown-category", "reversed-dates"],
)
def test_a_filter_that_can_match_nothing_is_an_error(
    built: tuple[Path, Path, object], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    filters: tuple[str, ...], expected: str,
) -> None:
    args = [a for f in filters for a in ("--filter", f)]
    code, out, err = run(monkeypatch, capsys, "search", "学习", *args, "--data-dir", str(built[1]))
    assert code == 2 and out == "" and expected in err


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_chunk_size_below_one_is_a_usage_error(tmp_path: Path, value: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "corpus").mkdir()
    code, _, err = run(monkeypatch, capsys, "ingest", str(tmp_path / "corpus"), "--chunk-size", value,
                       "--data-dir", str(tmp_path / "data"))
    assert code == 2 and "--chunk-size" in err
    assert not (tmp_path / "data").exists()


def test_an_overlap_as_long_as_the_chunk_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "corpus").mkdir()
    code, _, err = run(monkeypatch, capsys, "ingest", str(tmp_path / "corpus"), "--chunk-size", "100",
                       "--overlap", "100", "--data-dir", str(tmp_path / "data"))
    assert code == 2 and "overlap" in err


def test_a_zero_chunk_size_in_the_library_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    with pytest.raises(ConfigError, match="max_chars=0"):
        ingest([tmp_path / "corpus"], tmp_path / "data", IngestOptions(max_chars=0))


def test_passage_text_is_printed_literally(workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    corpus, data = workspace
    (corpus / "emoji.md").write_text(
        "# 符号\n\n红船精神的笔记 :x: 与 :thumbs_up: 以及 [bold]方括号[/bold] 原样保留。\n", encoding="utf-8"
    )
    assert not ingest([corpus], data, OPTS).failed
    code, out, _ = run(monkeypatch, capsys, "search", "红船精神的笔记", "-k", "1", "--data-dir", str(data))
    assert code == 0
    assert ":x:" in out and ":thumbs_up:" in out and "[bold]方括号[/bold]" in out
    assert "❌" not in out and "👍" not in out


def test_an_empty_corpus_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "notes.xyz").write_text("?", encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, "ingest", str(tmp_path / "corpus"),
                       "--data-dir", str(tmp_path / "data"))
    assert "None" not in out
    assert "no documents" in out and str((tmp_path / "corpus").resolve()) in out
    assert code == 0


def test_catalog_keys_naming_no_document_are_warned_about(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    with open(corpus / "catalog.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[documents."missing.md"]\ntitle = "不存在的文件"\n')
    report = ingest([corpus], data, OPTS)
    assert any("missing.md" in w and "catalog.toml" in w for w in report.warnings)
    assert not any("guide.md" in w for w in report.warnings)
