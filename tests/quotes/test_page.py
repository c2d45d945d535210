"""AppTest of the 原文核对 page on the sample-corpus index: report, cards, downloads, reader, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.quotes.test_check import DRAFT

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def page(sample_data: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(sample_data))
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.switch_page("views/quotes.py").run()
    assert not at.exception
    return at


def _submit(at: AppTest, text: str) -> AppTest:
    at.text_area(key="draft").input(text)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    return at


def test_report_counts_cards_and_downloads(page: AppTest) -> None:
    at = _submit(page, DRAFT)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"原文一致": "2", "与原文有出入": "1", "未找到出处": "1", "术语": "1"}
    text = "\n".join(m.value for m in at.markdown)
    assert ":green-badge[原文一致]" in text and ":orange-badge[与原文有出入]" in text
    assert ":orange-background[基层]" in text  # the source's differing word, marked
    assert "资料库中没有找到足够相近的原文" in text
    assert "(/quotes?passage=" in text
    captions = "\n".join(c.value for c in at.caption)
    assert "《浙江省主题教育学习实践基地简介》" in captions
    assert len(at.get("download_button")) == 2


def test_passage_link_opens_the_reader(page: AppTest, checker) -> None:  # type: ignore[no-untyped-def]
    verdict = checker.check(DRAFT).verdicts[0]
    page.query_params["passage"] = str(verdict.source.chunk_id)
    page.run()
    assert not page.exception
    shown = "\n".join(m.value for m in page.markdown) + "\n".join(c.value for c in page.caption)
    assert "城市属于人民" in shown


def test_empty_draft_gets_a_chinese_message(page: AppTest) -> None:
    at = _submit(page, "   ")
    assert [e.value for e in at.error] == ["文稿是空的：请粘贴或上传要核对的文字。"]
    assert not at.metric


def test_other_places_of_a_quotation_are_named_by_title_not_file(page: AppTest) -> None:
    at = _submit(page, "我们要做到“学思想、强党性、重实践、建新功”。")
    also = [c.value for c in at.caption if c.value.startswith("另见于")]
    assert also and "《" in also[0], also
    assert not re.search(r"\\?\.(pdf|txt|md|docx|html)\b", also[0]), also
