"""The DOCX report: A4, 仿宋 body, 黑体 headings, no italics, each quotation shaded by its verdict."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from quotes import QuoteChecker, to_docx
from tests.quotes.test_check import DRAFT


def test_docx_marks_each_quotation_and_shows_near_sources(checker: QuoteChecker) -> None:
    document = docx.Document(io.BytesIO(to_docx(checker.check(DRAFT))))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]  # GB/T 9704
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    heading = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsia")) == "黑体"
    body = "\n".join(p.text for p in document.paragraphs)
    assert "原文一致 2 处，与原文有出入 1 处，未找到出处 1 处" in body
    shaded = {}
    for p in document.paragraphs:
        for run in p.runs:
            shd = run._r.find(f"{qn('w:rPr')}/{qn('w:shd')}")
            if shd is not None and run.text:
                shaded[run.text] = shd.get(qn("w:fill"))
            assert not run.italic
    assert shaded["城市属于人民，城市建设要依靠人民、为了人民。"] == "C6EFCE"
    assert shaded["考察全程落实中央八项规定精神，轻车简从，不搞迎来送往，不给群众增加负担。"] == "FFE699"
    assert shaded["人工智能必将彻底取代所有基层党组织的学习活动。"] == "FFC7CE"
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    cell_paragraphs = [p for row in document.tables[0].rows for c in row.cells for p in c.paragraphs]
    assert {p.style.name for p in cell_paragraphs} == {"表格文字"}
    near_cell = next(c for c in cells if c.startswith("《浙江省主题教育学习实践基地简介》"))
    assert "原文：考察全程落实中央八项规定精神，轻车简从，不搞迎来送往，不给基层增加负担。" in near_cell
    assert "文稿作“群众”，原文为“基层”" in near_cell
    assert any("没有找到足够相近的原文" in c for c in cells)
