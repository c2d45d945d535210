"""Fixtures for the search-page tests: the session's small corpus plus a real PDF from the sample corpus
and a document full of markup, indexed once with the offline model; fresh Streamlit caches per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from tests.conftest import CATALOG, MODEL, write_corpus

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PDF = ROOT / "corpus" / "study-guide.pdf"

#: A plain-text document whose text and title look like Markdown/HTML (a .txt keeps them verbatim in
#: the index): the app must show them as literal text.
MARKUP_DOC = (
    "纪律教育心得\n"
    "警示教育要入脑入心。<script>alert(1)</script> 这一行里的 **bold** 与 [链接](javascript:alert(1)) "
    "都应原样显示，纪律教育不是口号。\n"
)
MARKUP_TITLE = "心得<img src=x onerror=alert(1)> **注意**"

UI_CATALOG = CATALOG + f"""
[documents."study-guide.pdf"]
title = "党支部主题教育学习辅导读本"
category = "辅导读物"
source = "某区委组织部"
date = "2023-04-10"
tags = ["主题教育", "中国式现代化"]

[documents."markup.txt"]
title = "{MARKUP_TITLE}"
category = "总结"
date = "2024-01-05"
tags = ["纪律教育"]
"""


@pytest.fixture(scope="session")
def ui_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus dir, data dir): the test corpus + a sample-corpus PDF + a markup document, indexed once."""
    base = tmp_path_factory.mktemp("ui")
    corpus = write_corpus(base / "corpus")
    shutil.copy(SAMPLE_PDF, corpus / SAMPLE_PDF.name)
    (corpus / "markup.txt").write_text(MARKUP_DOC, encoding="utf-8")
    (corpus / "catalog.toml").write_text(UI_CATALOG, encoding="utf-8")
    data = base / "data"
    report = ingest([corpus], data, IngestOptions(model=MODEL))
    assert not report.failed, report.failed
    return corpus, data


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_streamlit_caches: None) -> None:
    """Every test in tests/ui starts and ends with empty Streamlit caches."""
