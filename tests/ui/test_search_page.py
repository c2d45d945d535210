"""AppTest of the 检索 page on a real small index: result cards, Traditional/Simplified, exact phrases,
filters, the reader, similar passages, paging, the empty state, the no-index message and escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import MARKUP_TITLE
from ui.state import INDEX_DAMAGED

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
PAGE_CITATION = re.compile(r"第\d+(–\d+)?页")
UNESCAPED_TAG = re.compile(r"(?<!\\)[<>]")


@pytest.fixture
def data_dir(ui_index: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The indexed data dir, served by the app."""
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(ui_index[1]))
    return ui_index[1]


def open_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception
    return at


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="q").input(query).run()
    assert not at.exception
    return at


def cards(at: AppTest) -> list[str]:
    """The Markdown heading (rank, title, citation line) of every result card, in order."""
    return [m.value for m in at.markdown if re.match(r":gray\[\d+\\\.\] \*\*《", m.value)]


def snippets(at: AppTest) -> list[str]:
    """The Markdown of every highlighted snippet (and reader text) on the page."""
    return [m.value for m in at.markdown if ":red[**" in m.value]


def buttons(at: AppTest, prefix: str) -> list:  # type: ignore[type-arg]
    return [b for b in at.button if str(b.key or "").startswith(prefix)]


def caption_text(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_a_query_shows_cards_with_title_page_citation_and_highlighted_snippet(data_dir: Path) -> None:
    at = search(open_app(), "中国式现代化")
    found = cards(at)
    assert found, "no result cards"
    assert any("《主题教育学习辅导》" in c for c in found)
    pdf_cards = [c for c in found if "《党支部主题教育学习辅导读本》" in c]
    assert pdf_cards and all(PAGE_CITATION.search(c) for c in pdf_cards)
    assert any(":red[**中国式现代化**]" in s for s in snippets(at))
    assert "综合检索" in caption_text(at)


def test_a_traditional_query_finds_simplified_text(data_dir: Path) -> None:
    at = search(open_app(), "浦江經驗")
    assert any("《浙江基层治理经验》" in c for c in cards(at))
    # the Simplified words of the passage are highlighted although the query was Traditional
    assert any("浦江" in s for s in snippets(at))


def test_a_quoted_phrase_shows_only_passages_with_that_phrase(data_dir: Path) -> None:
    at = search(open_app(), "浦江经验")
    loose = cards(at)
    assert any("traditional\\.txt" in c for c in loose)  # 經驗 alone matches without quotes
    at = search(at, "“浦江经验”")
    exact = cards(at)
    assert exact and len(exact) < len(loose)
    assert not any("traditional\\.txt" in c for c in exact)
    assert "原文精确匹配" in caption_text(at)
    assert len(snippets(at)) == len(exact)
    assert all("浦江经验" in s.replace("*", "") for s in snippets(at))


def test_a_category_filter_narrows_the_results(data_dir: Path) -> None:
    at = search(open_app(), "学习")
    before = cards(at)
    assert any(":blue-badge[摘编]" not in c for c in before)
    at.multiselect(key="f_cat").set_value(["摘编"]).run()
    after = cards(at)
    assert after and all(":blue-badge[摘编]" in c for c in after)
    assert "筛选：类别：摘编" in caption_text(at)
    at.button(key="f_clear").click().run()
    assert len(cards(at)) == len(before)


def test_reading_the_source_shows_page_metadata_download_and_back_keeps_the_results(data_dir: Path) -> None:
    at = search(open_app(), "中国式现代化 本质要求")
    first = cards(at)
    rank = next(i for i, c in enumerate(first) if "《党支部主题教育学习辅导读本》" in c)
    buttons(at, "read-")[rank].click().run()
    assert not at.exception
    assert [s.value for s in at.main.subheader] == ["《党支部主题教育学习辅导读本》"]
    text = "\n".join(m.value for m in at.markdown)
    assert ":blue-badge[辅导读物]" in text and "2023\\-04\\-10" in text
    assert ":orange-background[" in text  # the passage is marked on its page
    assert re.search(r"第 \d+ 页", text)
    downloads = at.get("download_button")
    assert [d.proto.label for d in downloads] == ["下载原文件"]
    assert at.get("image"), "the PDF page is not rendered as an image"
    at.button(key="reader-back").click().run()
    assert at.text_input(key="q").value == "中国式现代化 本质要求"
    assert cards(at) == first


def test_reading_a_markdown_hit_shows_the_passage_in_its_section(data_dir: Path) -> None:
    at = search(open_app(), "两个确立 决定性意义")
    rank = next(i for i, c in enumerate(cards(at)) if "guide\\.md" in c)
    buttons(at, "read-")[rank].click().run()
    assert not at.exception
    assert [s.value for s in at.main.subheader] == ["《主题教育学习辅导》"]
    assert "位置：一、深刻领悟两个确立" in caption_text(at)  # the title is not repeated as a heading
    text = "\n".join(m.value for m in at.markdown)
    marked = re.findall(r":orange-background\[(.*?)\]  ", text + "  ")
    assert any("决定性意义" in m for m in marked)
    plain = re.sub(r":red\[\*\*(.*?)\*\*\]", r"\1", text)
    assert "一、深刻领悟两个确立" in plain  # the section's heading line is shown with it
    assert not at.get("image")


def test_similar_passages_come_from_other_documents(data_dir: Path) -> None:
    at = search(open_app(), "学思用贯通")
    own = cards(at)[0]
    buttons(at, "sim-")[0].click().run()
    assert not at.exception
    assert any(m.value.startswith("**与第 1 条相似的其他文档段落") for m in at.markdown)
    similar = [c for c in cards(at) if c not in own][: len(buttons(at, "read-sim-"))]
    assert buttons(at, "read-sim-"), "no similar passages shown"
    title = re.search(r"《.*?》", own)
    assert title and all(title.group(0) not in c for c in similar)


def test_more_results_pages_on(data_dir: Path) -> None:
    at = search(open_app(), "学习 主题教育 中国式现代化")
    assert len(cards(at)) == 10
    at.button(key="more").click().run()
    assert len(cards(at)) > 10


def test_the_empty_state_offers_example_queries_that_search(data_dir: Path) -> None:
    at = open_app()
    examples = buttons(at, "ex-")
    assert len(examples) >= 2
    assert not cards(at)
    label = examples[0].label
    examples[0].click().run()
    assert at.text_input(key="q").value == label
    assert cards(at)


def test_an_empty_data_dir_shows_the_ingest_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(tmp_path / "empty"))
    at = open_app()
    assert "还没有可检索的索引" in at.warning[0].value
    assert any("studykb ingest" in c.value for c in at.code)
    assert not at.main.text_input


@pytest.mark.parametrize("pointer", [None, b"\xff\xfe../.."], ids=["truncated-faiss", "garbled-current"])
def test_a_damaged_index_shows_a_chinese_message_without_traceback_or_paths(
    ui_index: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pointer: bytes | None
) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ui_index[1], data)
    if pointer is None:
        faiss = next(data.glob("versions/*/faiss.index"))
        faiss.write_bytes(faiss.read_bytes()[:1000])
    else:
        (data / "CURRENT").write_bytes(pointer)
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(data))
    at = open_app()
    assert [e.value for e in at.error] == [INDEX_DAMAGED]
    shown = "\n".join(str(el.value) for el in [*at.markdown, *at.error, *at.caption, *at.warning])
    assert str(tmp_path) not in shown and "Traceback" not in shown
    for page in ("views/lists.py", "views/sites.py"):  # the other pages still work
        at.switch_page(page).run()
        assert not at.exception, page


def test_document_markup_renders_as_literal_text(data_dir: Path) -> None:
    at = search(open_app(), "纪律教育")
    source = "\n".join(m.value for m in at.markdown)
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in source
    assert "\\*\\*bold\\*\\*" in source
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in source
    assert not UNESCAPED_TAG.search(source) and "**bold**" not in source
    assert MARKUP_TITLE not in source
    buttons(at, "read-")[0].click().run()
    reader = "\n".join(m.value for m in at.markdown) + "\n".join(s.value for s in at.subheader)
    assert "\\<script\\>" in reader and not UNESCAPED_TAG.search(reader)
    assert "\\[链接\\]\\(javascript\\:alert\\(1\\)\\)" in reader


def test_a_query_of_only_punctuation_explains_itself_in_chinese(data_dir: Path) -> None:
    at = search(open_app(), "，。！")
    assert not cards(at)
    assert "没有可检索的字词" in at.warning[0].value
