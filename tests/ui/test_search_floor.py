"""AppTest of the 检索 page over the sample corpus indexed with the multilingual USE: the relevance
floor (nothing relevant, weak hits under a divider, the count of relevant passages) and the
cross-lingual placeholder."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.test_search_page import open_app, search

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def app(use_data: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(use_data))
    return open_app()


def page_text(at: AppTest, query: str) -> str:
    """The captions and notices shown for `query`."""
    search(at, query)
    return "\n".join([c.value for c in at.caption] + [i.value for i in at.info])


def test_nonsense_says_nothing_relevant_and_never_claims_100(app: AppTest) -> None:
    page = page_text(app, "香蕉 火箭 钢琴 沙漠")
    assert "未找到高度相关的内容" in page and "以下结果相关度较低" in page
    assert "找到 0 个相关段落" in page and "100 个以上" not in page


def test_a_real_question_shows_relevant_hits_first(app: AppTest) -> None:
    page = page_text(app, "浦江经验是怎么形成的")
    assert "未找到高度相关的内容" not in page
    assert "找到 0 个" not in page and "100 个以上" not in page


def test_placeholder_says_english_works_too(app: AppTest) -> None:
    placeholder = app.text_input(key="q").placeholder
    assert "英文" in placeholder and "跨语言" in placeholder
