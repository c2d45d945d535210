"""The booklet: a real list over the sample corpus written as DOCX (inspected as XML) and as Markdown.

The DOCX must follow GB/T 9704-2012: A4 and its margins, fonts per role (East Asian names included),
no italics, black text, a 目录 already filled in, page numbers, citations naming the issuing body,
date and page (never a file name), and whole documents keeping their headings. Each of the defects
users found (US Letter, blue theme headings, blue bold-italic notes, a TOC that needs 更新域, citations
ending in file names) has its own test here.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from lists import store
from lists.export import booklet_docx, booklet_markdown, booklet_name
from lists.records import Anchor, Item, ReadingList, ResolvedItem, anchor_for_document, anchor_for_hit
from lists.resolve import resolve
from search.engine import Engine
from search.records import Hit
from studykb import auth
from studykb.db import connect
from studykb.gbt9704 import PPR_ORDER, RPR_ORDER
from studykb.layout import DataDir

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOTE = "请结合本支部实际写心得。"
FILE_NAME = re.compile(r"\.(pdf|md|docx|txt|html?)\b", re.I)


@dataclass(frozen=True)
class Booklet:
    """One list's booklet in both formats, with what went into it."""

    docx: bytes
    markdown: str
    resolved: list[ResolvedItem]
    hit: Hit
    plan_text: str  # the stored text of the whole-document item study-plan.md

    @property
    def document(self) -> docx.document.Document:
        return docx.Document(io.BytesIO(self.docx))

    def xml(self) -> dict[str, etree._Element]:
        """Every XML part of the package by name."""
        with zipfile.ZipFile(io.BytesIO(self.docx)) as z:
            return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xml")}


@pytest.fixture(scope="module")
def booklet(sample_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Booklet:
    """A list over the sample corpus: a PDF passage with a note, a Markdown and a DOCX document whole."""
    db = tmp_path_factory.mktemp("booklet") / "studykb.db"
    with sqlite3.connect(sample_data / "studykb.db") as src, sqlite3.connect(db) as dst:
        src.backup(dst)  # the shared index stays untouched
    conn = connect(db)
    org = auth.add_user(conn, "wangfang", None, "organiser", display_name="王芳")
    engine = Engine.open(sample_data)
    hit = next(h for h in engine.search('"检视整改"', k=10).hits
               if h.document.path == "instructions.pdf" and h.page)
    docs = {d.path: d for d in engine.documents()}
    lst = store.create_list(conn, org, "2024年9月主题教育必读篇目", audience="第三党支部",
                            description="本月集中学习以下篇目。", period_start="2024-09-01",
                            period_end="2024-09-30")
    store.add_item(conn, org, lst.id, anchor_for_hit(hit), note=NOTE)
    store.add_item(conn, org, lst.id, anchor_for_document(docs["study-plan.md"]))
    store.add_item(conn, org, lst.id, anchor_for_document(docs["party-lecture.docx"]), note="重点读第二部分")
    lst = store.get_list(conn, org, lst.id)
    resolved = resolve(conn, store.items(conn, org, lst.id), DataDir(sample_data).current())
    _, plan_text, _ = engine.document(docs["study-plan.md"].id)
    return Booklet(booklet_docx(lst, resolved, generated="2024-08-28"),
                   booklet_markdown(lst, resolved, generated="2024-08-28"), resolved, hit, plan_text)


def _style_value(style: docx.styles.style.BaseStyle, path: str, attr: str) -> str | None:
    """A style's effective `attr` of the element at `path` (following basedOn, then docDefaults)."""
    s = style
    while s is not None:
        el = s.element.find(path)
        if el is not None and el.get(qn(attr)) is not None:
            return str(el.get(qn(attr)))
        s = s.base_style
    defaults = style.part.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    el = defaults.find(path) if defaults is not None else None
    return str(el.get(qn(attr))) if el is not None and el.get(qn(attr)) is not None else None


def _font(style: docx.styles.style.BaseStyle) -> tuple[str | None, float]:
    """(East Asian font, size in pt) a paragraph style gives its text."""
    east = _style_value(style, f"{qn('w:rPr')}/{qn('w:rFonts')}", "w:eastAsia")
    size = _style_value(style, f"{qn('w:rPr')}/{qn('w:sz')}", "w:val")
    return east, int(size or 0) / 2


# -- the page ----------------------------------------------------------------------------------------


def test_page_is_a4_with_the_standards_margins(booklet: Booklet) -> None:
    """Defect: US Letter with 1-inch margins. GB/T 9704 §5: A4, 天头 37, 订口 28, 版心 156 × 225 mm."""
    section = booklet.document.sections[0]
    mm = [round(x.mm, 1) for x in (section.page_width, section.page_height, section.top_margin,
                                   section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210.0, 297.0, 37.0, 35.0, 28.0, 26.0]


def test_fonts_per_role_with_east_asian_names(booklet: Booklet) -> None:
    doc = booklet.document
    paras = doc.paragraphs
    roles = {p.style.name: p.style for p in paras}
    assert paras[0].style.name == "Title" and paras[0].text == "2024年9月主题教育必读篇目"
    assert _font(roles["Title"]) == ("方正小标宋简体", 22)  # 2号 小标宋
    assert _font(roles["Heading 1"]) == ("黑体", 16)  # item headings, 3号
    assert _font(roles["Heading 2"]) == ("楷体", 16)  # a whole document's own first level
    assert _font(roles["Heading 3"]) == ("仿宋", 16)
    assert _font(roles["Normal"]) == ("仿宋", 16)  # body 3号 仿宋
    assert _font(roles["按语"]) == ("楷体", 16)
    assert _font(doc.styles["Footer"]) == ("宋体", 14)  # page numbers 4号
    # every script slot names the font (python-docx's font.name sets only the Latin ones)
    fonts = doc.styles["Normal"].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert {fonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {"仿宋"}
    assert not any(k.endswith("Theme") for f in doc.styles.element.iter(qn("w:rFonts")) for k in f.attrib)
    # no run overrides its style's font
    assert not list(doc.element.body.iter(qn("w:rFonts")))
    # fixed line pitch for the 22-line page
    spacing = doc.styles["Normal"].element.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("579", "exact")
    # the font table gives the title's fallback
    table = booklet.xml()["word/fontTable.xml"]
    alt = table.find(f"{W}font[@{W}name='方正小标宋简体']/{W}altName")
    assert alt is not None and alt.get(f"{W}val") == "黑体"


def test_properties_are_in_schema_order(booklet: Booklet) -> None:
    """Word refuses ("unreadable content") run or paragraph properties out of the schema's order."""
    for name, root in booklet.xml().items():
        for tag, order in (("rPr", RPR_ORDER), ("pPr", PPR_ORDER)):
            for props in root.iter(f"{W}{tag}"):
                seq = [order.index(c.tag[len(W):]) for c in props if c.tag[len(W):] in order]
                assert seq == sorted(seq), f"{name}: {[c.tag[len(W):] for c in props]}"


def test_no_italic_anywhere(booklet: Booklet) -> None:
    """Defect: notes in bold-italic (Intense Quote), citations in italics. Chinese print has no italics."""
    for name, root in booklet.xml().items():
        for tag in ("i", "iCs"):
            for el in root.iter(f"{W}{tag}"):
                assert el.get(f"{W}val") in ("0", "false"), f"italic {tag} in {name}"
    assert "word/stylesWithEffects.xml" not in booklet.xml()


def test_all_text_is_black(booklet: Booklet) -> None:
    """Defect: headings in python-docx's blue theme, notes in blue. Every text colour must be black."""
    for name, root in booklet.xml().items():
        for el in root.iter(f"{W}color"):
            assert el.get(f"{W}val") in ("000000", "auto"), f"colour {el.get(f'{W}val')} in {name}"
            assert el.get(f"{W}themeColor") is None, name


def test_notes_are_kai_upright_and_black(booklet: Booklet) -> None:
    doc = booklet.document
    notes = [p for p in doc.paragraphs if NOTE in p.text]
    assert [p.text for p in notes] == ["组织员按语：" + NOTE]
    assert notes[0].style.name == "按语" and _font(notes[0].style)[0] == "楷体"
    assert all(not r.italic and r.font.color.rgb is None for r in notes[0].runs)


# -- 目录 and page numbers ----------------------------------------------------------------------------


def test_table_of_contents_is_filled_in_when_the_file_opens(booklet: Booklet) -> None:
    """Defect: a TOC field that showed only a hint until 更新域. Now: one written entry per item."""
    doc = booklet.document
    paras = doc.paragraphs
    texts = [p.text for p in paras]
    toc = texts.index("目录")
    headings = [p for p in paras if p.style.name == "Heading 1"]
    entries = paras[toc + 1 : toc + 1 + len(booklet.resolved)]
    assert [p.text for p in headings] == [
        f"1. 《基层党组织主题教育工作指引汇编》 · {booklet.hit.heading_path[-1]}",
        "2. 《第三党支部2023年6月主题教育学习计划》",
        "3. 《以进一步全面深化改革推进中国式现代化——学习二十届三中全会精神专题党课》",
    ]
    assert [p.text for p in entries] == [h.text for h in headings]
    for entry, heading in zip(entries, headings, strict=True):
        link = entry._p.find(qn("w:hyperlink"))
        mark = heading._p.find(qn("w:bookmarkStart"))
        assert link is not None and mark is not None and link.get(qn("w:anchor")) == mark.get(qn("w:name"))
    assert paras[toc + 1 + len(headings)].style.name == "Heading 1"  # nothing else in the 目录
    parts = booklet.xml()
    instructions = " ".join(t.text or "" for root in parts.values() for t in root.iter(f"{W}instrText"))
    assert "TOC" not in instructions
    assert not list(parts["word/settings.xml"].iter(f"{W}updateFields"))  # no 更新域 prompt on open


def test_page_numbers_odd_right_even_left_with_em_dashes(booklet: Booklet) -> None:
    doc = booklet.document
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer and section.different_first_page_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]
        instr = "".join(t.text or "" for t in p._p.iter(qn("w:instrText")))
        assert instr.strip() == "PAGE"
        assert p.text == "— 1 —" and p.alignment is not None and p.alignment.name == side.upper()
    assert "PAGE" not in section.first_page_footer._element.xml  # the cover carries no number


# -- citations, text, headings ------------------------------------------------------------------------


def test_citations_give_issuing_body_date_and_page_never_a_file_name(booklet: Booklet) -> None:
    """Defect: citations ended with the file name ("· speeches/2023.pdf")."""
    doc = booklet.document
    cites = [p.text for p in doc.paragraphs if p.style.name == "出处"]
    page = booklet.hit.page
    assert cites == [
        f"出处：中共上海市某区委组织部《基层党组织主题教育工作指引汇编》（2024年9月10日），第{page}页",
        "出处：某街道社区党委第三党支部《第三党支部2023年6月主题教育学习计划》（2023年5月29日），全文",
        "出处：某科技园区联合党支部《以进一步全面深化改革推进中国式现代化——学习二十届三中全会精神专题党课》"
        "（2024年8月20日），全文",
    ]
    assert not [p.text for p in doc.paragraphs if FILE_NAME.search(p.text)]
    assert not FILE_NAME.search(booklet.markdown)


def test_texts_are_verbatim(booklet: Booklet) -> None:
    paras = booklet.document.paragraphs
    texts = [p.text for p in paras]
    passage = [line.strip() for line in booklet.hit.text.splitlines() if line.strip()]
    start = texts.index(passage[0])
    assert texts[start : start + len(passage)] == passage
    plan_lines = {line.strip() for line in booklet.plan_text.splitlines()}
    items = [i for i, p in enumerate(paras) if p.style.name == "Heading 1"]
    body = texts[items[1] + 2 : items[2]]  # item 2 after its heading and 出处 line
    assert len(body) > 20 and all(t in plan_lines for t in body)


def test_whole_documents_keep_their_headings(booklet: Booklet) -> None:
    paras = booklet.document.paragraphs
    levels = [(p.style.name, p.text) for p in paras if p.style.name.startswith("Heading")]
    plan = levels[levels.index(("Heading 1", "2. 《第三党支部2023年6月主题教育学习计划》")) + 1 :]
    assert plan[:3] == [("Heading 2", "一、学习目标"), ("Heading 2", "二、每周必读篇目"),
                        ("Heading 3", "学习方法提示")]
    # the document's own title line is not repeated under the item heading
    assert ("Heading 2", "第三党支部2023年6月主题教育学习计划") not in levels
    lecture = levels[[t for _, t in levels].index(next(t for _, t in levels if t.startswith("3. "))) + 1 :]
    assert lecture[0][0] == "Heading 2" and lecture[0][1].startswith("一、")
    assert lecture[1][0] == "Heading 3" and lecture[1][1].startswith("（一）")


def test_markdown_has_the_same_structure(booklet: Booklet) -> None:
    md = booklet.markdown
    lines = md.splitlines()
    assert lines[0] == "# 2024年9月主题教育必读篇目"
    assert "- **学习时间**：2024年9月1日至2024年9月30日" in lines
    toc = lines.index("## 目录")
    headings = [line[3:] for line in lines if re.match(r"## \d+\. ", line)]
    assert lines[toc + 2 : toc + 2 + len(headings)] == headings and len(headings) == 3
    assert ("出处：中共上海市某区委组织部《基层党组织主题教育工作指引汇编》（2024年9月10日），"
            f"第{booklet.hit.page}页") in lines
    assert f"> **组织员按语**：{NOTE}" in lines
    assert "### 一、学习目标" in lines and "#### 学习方法提示" in lines
    assert not re.search(r"(?<![\\*])\*(?![*])", md)  # no *italics*: only **bold** and escaped \*


# -- records without an index ------------------------------------------------------------------------

LIST = ReadingList(id=7, title="2024年5月主题教育必读篇目", description="本月集中学习以下篇目。",
                   audience="机关第一党支部", status="published", owner_name="王芳")


def _gone() -> ResolvedItem:
    anchor = Anchor("passage", "old.txt", "旧文件", doc_date="2020-01-01", text="已删除的段落 *原文*\f",
                    text_hash="x", page=2)
    item = Item(3, 7, 0, anchor, note="# 这条按语不是标题")
    return ResolvedItem(item, "missing", "已删除的段落 *原文*\f", None, None, 2, None, reason="gone")


def test_missing_items_print_their_saved_copy() -> None:
    doc = docx.Document(io.BytesIO(booklet_docx(LIST, [_gone()], generated="2024-04-28")))
    texts = [p.text for p in doc.paragraphs]
    assert "出处：《旧文件》（2020年1月1日），第2页" in texts
    assert "组织员按语：# 这条按语不是标题" in texts
    assert any("已找不到" in t for t in texts) and "已删除的段落 *原文*" in texts  # \f removed
    assert "生成日期：2024年4月28日" in texts
    md = booklet_markdown(LIST, [_gone()], generated="2024-04-28")
    assert "> **组织员按语**：\\# 这条按语不是标题" in md.splitlines()  # no heading injected by a note
    assert "已删除的段落 \\*原文\\*" in md and md.count("已找不到") == 1


@pytest.mark.parametrize(("title", "name"), [
    ("五月/六月：学习?", "五月_六月：学习.docx"), ("   ", "reading-list-7.docx"),
], ids=["unsafe-characters", "blank"])
def test_booklet_file_names_are_safe(title: str, name: str) -> None:
    assert booklet_name(ReadingList(id=7, title=title), ".docx") == name
