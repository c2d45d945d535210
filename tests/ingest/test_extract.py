"""Tests of the extraction entry point: dispatch by suffix, common errors, cheap import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingest.extract import SUFFIXES, extract
from studykb.errors import ExtractionError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "content", "format"),
    [
        ("a.txt", "正文。", "txt"),
        ("b.TXT", "正文。", "txt"),
        ("c.md", "# 标题\n正文。", "md"),
        ("d.markdown", "正文。", "md"),
        ("e.html", "<p>正文。</p>", "html"),
        ("f.HTM", "<p>正文。</p>", "html"),
    ],
    ids=["txt", "upper-case-suffix", "md", "markdown", "html", "upper-htm"],
)
def test_dispatch_by_suffix(tmp_path: Path, name: str, content: str, format: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = extract(path)
    assert result.format == format
    assert result.blocks[-1].text == "正文。"


def test_accepts_str_path(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("正文。", encoding="utf-8")
    assert extract(str(path)).text == "正文。"  # type: ignore[arg-type]


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "slides.pptx"
    path.write_bytes(b"x")
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason.startswith("unsupported file type '.pptx' (supported: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="cannot read file"):
        extract(tmp_path / "missing.txt")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(ExtractionError, match="not a regular file"):
        extract(folder)


@pytest.mark.parametrize("suffix", sorted(SUFFIXES), ids=sorted(SUFFIXES))
def test_zero_byte_file_is_empty(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"zero{suffix}"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == "empty file"
    assert info.value.path == str(path)


def test_import_is_cheap() -> None:
    code = (
        "import sys, ingest.extract; "
        "heavy = [m for m in ('pypdf', 'pypdfium2', 'docx', 'bs4', 'charset_normalizer', 'fpdf') "
        "if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert out.stdout.strip() == ""
