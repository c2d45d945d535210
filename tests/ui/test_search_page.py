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
    assert any("《traditional》" in c for c in loose)  # 經驗 alone matches without quotes
    at = search(at, "“浦江经验”")
    exact = cards(at)
    assert exact and len(exact) < len(loose)
    assert not any("《traditional》" in c for c in exact)
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
    rank = next(i for i, c in enumerate(cards(at)) if "《主题教育学习辅导》" in c)
    buttons(at, "read-")[rank].click().run()
    assert not at.exception
    assert [s.value for s in at.main.subheader] == ["《主题教育学习辅导》"]
    assert "位置：一、深刻领悟两个确立" in caption_text(at)  # the title is not repeated as a heading
    text = "\n".join(m.value for m in at.markdown)
    marked = re.findall(r":orange-background\[(.*?)\](?:  |\n|$)", text)
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


def test_a_date_range_past_the_newest_document_is_applied_as_typed(data_dir: Path) -> None:
    at = search(open_app(), "学习 主题教育")
    everything = cards(at)
    at.sidebar.text_input(key="f_from").input("2024-01-01").run()
    at.sidebar.text_input(key="f_to").input("2030年12月31日").run()  # past the newest document
    assert not at.exception and not at.error
    assert "日期：2024\\-01\\-01 至 2030\\-12\\-31" in caption_text(at) or \
        "日期：2024-01-01 至 2030-12-31" in caption_text(at)
    narrowed = cards(at)
    assert narrowed and len(narrowed) < len(everything)
    assert all(d >= "2024" for c in narrowed for d in re.findall(r"\d{4}\\-\d\d\\-\d\d", c))


def test_a_date_that_cannot_be_read_is_named_in_chinese_and_not_applied(data_dir: Path) -> None:
    at = search(open_app(), "学习 主题教育")
    everything = cards(at)
    at.sidebar.text_input(key="f_to").input("明年").run()
    assert [e.value for e in at.error] and "“明年”不是日期" in at.error[0].value
    assert cards(at) == everything


def test_a_link_with_a_query_opens_with_results_and_the_url_follows_the_reader(data_dir: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params["q"] = "浦江经验"
    at.run()
    assert not at.exception
    assert at.text_input(key="q").value == "浦江经验"
    assert cards(at)
    buttons(at, "read-")[0].click().run()
    assert at.query_params["q"] == "浦江经验"  # the reader keeps the query in the address
    assert at.query_params["read"] == str(at.session_state["reader"])


def test_cards_cite_the_issuing_body_and_keep_maintainer_details_off_the_member_pages(data_dir: Path) -> None:
    at = search(open_app(), "中国式现代化 本质要求")
    shown = "\n".join([*cards(at), caption_text(at), *(m.value for m in at.markdown)])
    assert not re.search(r"\w\\\.(pdf|md|txt|docx|html)\b", shown)  # no file names
    for leak in ("匹配：", "模型", "索引 ", "英文备用模型"):
        assert leak not in shown
    assert "资料库：" in caption_text(at)
    guide = next(c for c in cards(at) if "《党支部主题教育学习辅导读本》" in c)
    assert re.search(r":gray\[某区委组织部 · 2023\\-04\\-10 · 第\d+(–\d+)?页\]", guide), guide


def test_the_maintainer_page_shows_model_versions_and_the_last_run(data_dir: Path) -> None:
    from studykb.auth import User

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["user"] = User(-5, "admin", "maintainer")
    at.run()
    at.switch_page("views/maintain.py").run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "**模型**" in text and "**索引版本**" in text and "关键词（BM25）+ 语义" in text
    assert any("最近一次导入" == s.value for s in at.subheader)
    member = AppTest.from_file(str(APP), default_timeout=180)
    member.session_state["user"] = User(-6, "lihua", "member")
    member.run()
    with pytest.raises(ValueError, match="navigation page"):  # not in a member's navigation at all
        member.switch_page("views/maintain.py")


def test_a_document_reads_whole_with_contents_sections_font_size_and_traditional(data_dir: Path) -> None:
    at = search(open_app(), "两个确立 决定性意义")
    rank = next(i for i, c in enumerate(cards(at)) if "《主题教育学习辅导》" in c)
    buttons(at, "read-")[rank].click().run()
    contents = [b for b in at.button if str(b.key).startswith("doc-sec-") and "-toc-" in str(b.key)]
    assert len(contents) >= 3 and any("命中段落所在" in b.label for b in contents)
    opened = next(b for b in contents if "命中段落所在" in b.label)
    assert opened.disabled  # the section shown
    at.button(key=next(str(b.key) for b in at.button if str(b.key).endswith("-next"))).click().run()
    assert not at.exception
    later = "\n".join(m.value for m in at.markdown)
    assert ":orange-background[" not in later  # another section, without the hit
    assert any(b.label == "回到命中段落" for b in at.button)
    next(b for b in at.button if b.label == "回到命中段落").click().run()
    prefix = str(opened.key).split("-toc-")[0]
    at.session_state[f"{prefix}-script"] = "繁體"
    at.session_state[f"{prefix}-size"] = "大"
    at.run()
    assert not at.exception
    assert any("font-size: 22px" in str(h.proto) for h in at.get("html"))
    text = "\n".join(m.value for m in at.markdown)
    assert "兩個確立" in text and "決定性意義" in text  # shown in Traditional, marks kept
    assert ":orange-background[" in text


def test_a_link_names_a_category_by_its_plain_name(data_dir: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params["q"] = "学习"
    at.query_params["f_cat"] = "摘编"  # the name a reader would type or share: no count in it
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_cat").value == ["摘编"]
    assert cards(at) and all(":blue-badge[摘编]" in c for c in cards(at))
