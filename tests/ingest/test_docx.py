"""Tests of DOCX extraction on documents built here with python-docx."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.docx import extract_docx, heading_level
from ingest.extract import extract
from studykb.errors import ExtractionError


@pytest.fixture
def report(tmp_path: Path) -> Path:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.add_paragraph("学习贯彻二十大精神", style="Title")
    document.add_heading("一、总体要求", level=1)
    document.add_paragraph("坚持和加强党的全面领导，是推进中国式现代化的根本保证。")
    document.add_paragraph("   ")
    document.add_heading("（一）指导思想", level=2)
    paragraph = document.add_paragraph("以")
    paragraph.add_run("新时代中国特色社会主义思想").bold = True
    paragraph.add_run("为指导。")
    localised = document.styles.add_style("标题 3", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("本地化样式的标题", style=localised)
    custom = document.styles.add_style("我的标题", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 2"]
    document.add_paragraph("基于二级标题的样式", style=custom)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).text = "说明"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "合并的单元格"
    document.add_paragraph("表格之后的段落。")
    props = document.core_properties
    props.title = "二十大学习材料"
    props.author = "理论学习中心组"
    props.subject = "学习"
    props.keywords = "二十大; 学习"
    props.created = datetime(2023, 5, 24, 8, 0, tzinfo=UTC)
    path = tmp_path / "report.docx"
    document.save(str(path))
    return path


def test_paragraphs_headings_and_tables_in_order(report: Path) -> None:
    result = extract(report)
    assert result.format == "docx"
    assert [(b.text, b.heading_level) for b in result.blocks] == [
        ("学习贯彻二十大精神", 1),
        ("一、总体要求", 1),
        ("坚持和加强党的全面领导，是推进中国式现代化的根本保证。", None),
        ("（一）指导思想", 2),
        ("以新时代中国特色社会主义思想为指导。", None),
        ("本地化样式的标题", 3),
        ("基于二级标题的样式", 2),
        ("项目", None),
        ("说明", None),
        ("合并的单元格", None),
        ("表格之后的段落。", None),
    ]
    assert all(b.page is None for b in result.blocks)


def test_core_properties_become_meta(report: Path) -> None:
    assert extract(report).meta == {
        "title": "二十大学习材料",
        "author": "理论学习中心组",
        "subject": "学习",
        "keywords": "二十大; 学习",
        "date": "2023-05-24",
    }


def test_python_docx_template_defaults_are_not_meta(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("正文。")
    path = tmp_path / "plain.docx"
    document.save(str(path))
    assert extract(path).meta == {}


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("Heading 1", 1),
        ("heading 2", 2),
        ("Title", 1),
        ("标题 1", 1),
        ("标题1", 1),
        ("標題 4", 4),
        ("Überschrift 3", 3),
        ("Heading 9", 6),
        ("标题", 1),
        ("Normal", None),
        ("List Number 2", None),
        ("Heading", None),
    ],
    ids=[
        "heading-1",
        "lower-case",
        "title",
        "zh-cn",
        "zh-cn-no-space",
        "zh-tw",
        "german",
        "heading-9",
        "zh-title",
        "normal",
        "list",
        "no-number",
    ],
)
def test_heading_level(name: str, level: int | None) -> None:
    assert heading_level(name) == level


def test_outline_level_marks_heading(tmp_path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    paragraph = document.add_paragraph("用大纲级别标记的标题")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "1")
    paragraph._p.get_or_add_pPr().append(outline)
    document.add_paragraph("正文。")
    path = tmp_path / "outline.docx"
    document.save(str(path))
    assert [(b.text, b.heading_level) for b in extract(path).blocks] == [
        ("用大纲级别标记的标题", 2),
        ("正文。", None),
    ]


def test_zero_byte_docx(tmp_path: Path) -> None:
    path = tmp_path / "zero.docx"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError, match="not a valid DOCX file"):
        extract_docx(path)
    with pytest.raises(ExtractionError, match="empty file"):
        extract(path)


@pytest.mark.parametrize(
    "content",
    [b"this is plain text, not a zip", b"PK\x03\x04broken zip"],
    ids=["not-zip", "broken-zip"],
)
def test_non_zip_docx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == "not a valid DOCX file"


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "不是文档")
    with pytest.raises(ExtractionError, match="not a valid DOCX file"):
        extract(path)


def test_docx_without_text(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(ExtractionError, match="no text found"):
        extract(path)
