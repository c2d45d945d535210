"""AppTest of the reader's original-file download: served only while the file is the ingested one and
inside the corpus; otherwise the reader says 原文件已更改或不可用 and offers nothing to download."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.pipeline import IngestOptions, ingest

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
UNAVAILABLE = "原文件已更改或不可用"


@pytest.fixture
def own_index(ui_index: tuple[Path, Path], tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A private copy of the UI index whose corpus the test may change (the copy adopts its corpus)."""
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    shutil.copytree(ui_index[0], corpus)
    shutil.copytree(ui_index[1], data)
    ingest([corpus], data, IngestOptions())
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(data))
    return corpus, data


def read_first(query: str, title: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.text_input(key="q").input(query).run()
    cards = [m.value for m in at.markdown if re.match(r":gray\[\d+\\\.\] \*\*《", m.value)]
    rank = next(i for i, c in enumerate(cards) if f"《{title}》" in c)
    [b for b in at.button if str(b.key or "").startswith("read-")][rank].click().run()
    assert not at.exception
    return at


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_an_unchanged_file_is_offered_for_download(own_index: tuple[Path, Path]) -> None:
    at = read_first("两个确立 决定性意义", "主题教育学习辅导")
    assert [d.proto.label for d in at.get("download_button")] == ["下载原文件"]
    assert UNAVAILABLE not in captions(at)


def test_a_file_re_pointed_at_the_database_is_not_served(own_index: tuple[Path, Path]) -> None:
    corpus, data = own_index
    (corpus / "guide.md").unlink()
    (corpus / "guide.md").symlink_to(data / "studykb.db")
    at = read_first("两个确立 决定性意义", "主题教育学习辅导")
    assert not at.get("download_button")
    assert UNAVAILABLE in captions(at)
    assert "两个确立" in "\n".join(m.value for m in at.markdown)  # the indexed text is still shown


def test_a_changed_pdf_is_neither_downloaded_nor_rendered(own_index: tuple[Path, Path]) -> None:
    corpus, _ = own_index
    with open(corpus / "study-guide.pdf", "ab") as fh:
        fh.write(b"\n% changed after ingest\n")
    at = read_first("中国式现代化 本质要求", "党支部主题教育学习辅导读本")
    assert not at.get("download_button") and not at.get("image")
    assert UNAVAILABLE in captions(at)

