"""Booklet export: Markdown and DOCX (reopened with python-docx): title page, TOC, notes, text, citations."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from lists import store
from lists.export import booklet_docx, booklet_markdown, booklet_name
from lists.records import (
    Anchor,
    Item,
    ReadingList,
    ResolvedItem,
    anchor_for_document,
    anchor_for_hit,
    passage_hash,
)
from lists.resolve import resolve
from search.engine import Engine
from search.records import DocumentInfo
from studykb import auth
from studykb.db import connect
from studykb.layout import DataDir

LIST = ReadingList(id=7, title="2024年5月主题教育必读篇目",
                   description="本月集中学习以下篇目。\n每周三下午集体研讨。", audience="机关第一党支部",
                   period_start="2024-05-01", period_end="2024-05-31", status="published", owner_name="王芳")
DOC = DocumentInfo(id=3, path="speeches/2023.pdf", root="/corpus", title="在主题教育工作会议上的讲话",
                   format="pdf", date="2023-04-03")
PASSAGE = "要坚持学思用贯通、知信行统一，把学习成果转化为推动高质量发展的实际成效。"
WHOLE = ("第一部分 总体要求\n各级党组织要把学习贯彻作为首要政治任务。\n"
         "\f第二部分 方法步骤\n坚持读原著、学原文、悟原理。")


def _resolved() -> list[ResolvedItem]:
    p = Item(1, 7, 0, Anchor("passage", DOC.path, DOC.title, text=PASSAGE, text_hash=passage_hash(PASSAGE),
                             page=3, page_end=4, heading_path=("二、学习要求",)),
             note="请结合本支部实际写心得。")
    d = Item(2, 7, 1, anchor_for_document(DOC), note="")
    gone = Item(3, 7, 2, Anchor("passage", "old.txt", "旧文件", doc_date="2020-01-01",
                                text="已删除的段落 *原文*", text_hash="x"), note="# 这条按语不是标题")
    return [
        ResolvedItem(p, "found", PASSAGE, DOC, 11, 3, 4, ("二、学习要求",)),
        ResolvedItem(d, "found", WHOLE, DOC, 10),
        ResolvedItem(gone, "missing", "已删除的段落 *原文*", None, None, reason="gone"),
    ]


def _docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_docx_booklet_has_title_page_toc_headings_notes_text_and_citations() -> None:
    doc = _docx(booklet_docx(LIST, _resolved(), generated="2024-04-28"))
    paras = doc.paragraphs
    texts = [p.text for p in paras]
    assert paras[0].style.name == "Title" and paras[0].text == LIST.title
    assert "面向：机关第一党支部" in texts and "学习时间：2024-05-01 至 2024-05-31" in texts
    assert "生成日期：2024-04-28" in texts and "每周三下午集体研讨。" in texts
    assert doc.core_properties.title == LIST.title
    # table of contents: a real TOC field, then the item titles as plain text
    toc = texts.index("目录")
    assert any("TOC" in (t.text or "") for t in doc.element.body.iter(docx.oxml.ns.qn("w:instrText")))
    headings = [p.text for p in paras if p.style.name == "Heading 1"]
    assert headings == ["1. 《在主题教育工作会议上的讲话》 · 二、学习要求",
                        "2. 《在主题教育工作会议上的讲话》", "3. 《旧文件》"]
    assert texts[toc + 2 : toc + 5] == headings
    body = "\n".join(texts)
    assert "组织员按语：请结合本支部实际写心得。" in texts
    assert PASSAGE in texts
    assert "出处：《在主题教育工作会议上的讲话》，2023-04-03，第3–4页 · speeches/2023.pdf" in texts
    assert "出处：《在主题教育工作会议上的讲话》，2023-04-03 · 全文 · speeches/2023.pdf" in texts
    assert "坚持读原著、学原文、悟原理。" in texts and "\f" not in body  # control characters removed
    assert "组织员按语：# 这条按语不是标题" in texts
    assert any("已找不到" in t for t in texts) and "已删除的段落 *原文*" in texts
    footer = doc.sections[0].footer._element.iter(docx.oxml.ns.qn("w:instrText"))
    assert "PAGE" in "".join(t.text or "" for t in footer)


def test_markdown_booklet_is_escaped_and_complete() -> None:
    md = booklet_markdown(LIST, _resolved(), generated="2024-04-28")
    lines = md.splitlines()
    assert lines[0] == "# 2024年5月主题教育必读篇目"
    assert "- **面向**：机关第一党支部" in lines and "- **学习时间**：2024-05-01 至 2024-05-31" in lines
    assert "## 目录" in lines
    assert "1. 《在主题教育工作会议上的讲话》 · 二、学习要求" in lines
    assert "## 1. 《在主题教育工作会议上的讲话》 · 二、学习要求" in lines
    assert "*出处：《在主题教育工作会议上的讲话》，2023-04-03，第3–4页 · speeches/2023.pdf*" in lines
    assert "> **组织员按语**：请结合本支部实际写心得。" in lines
    assert PASSAGE in lines and "坚持读原著、学原文、悟原理。" in lines
    assert "> **组织员按语**：\\# 这条按语不是标题" in lines  # no heading injected by a note
    assert "已删除的段落 \\*原文\\*" in lines
    assert md.count("已找不到") == 1


@pytest.mark.parametrize(("title", "name"), [
    ("五月/六月：学习?", "五月_六月：学习.docx"), ("   ", "reading-list-7.docx"),
], ids=["unsafe-characters", "blank"])
def test_booklet_file_names_are_safe(title: str, name: str) -> None:
    assert booklet_name(ReadingList(id=7, title=title), ".docx") == name


def test_booklet_of_a_real_list(workspace: tuple[Path, Path]) -> None:
    _, data = workspace
    conn = connect(data / "studykb.db")
    org = auth.add_user(conn, "wangfang", None, "organiser", display_name="王芳")
    engine = Engine.open(data)
    hit = engine.search('"浦江经验"', k=1).hits[0]
    lst = store.create_list(conn, org, "基层治理专题", audience="第二党支部")
    store.add_item(conn, org, lst.id, anchor_for_hit(hit), note="注意“下访”二字")
    resolved = resolve(conn, store.items(conn, org, lst.id), DataDir(data).current())
    doc = _docx(booklet_docx(store.get_list(conn, org, lst.id), resolved))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "基层治理专题" and "组织员按语：注意“下访”二字" in texts
    assert any(hit.text.splitlines()[0].strip() in t for t in texts)
    assert f"出处：{hit.citation} · {hit.document.path}" in texts
