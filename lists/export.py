"""The booklet ("one book") of a reading list, as Markdown and as DOCX.

Both have a title page (title, audience, period, description, editor), a table of contents and, for
each item, a heading, its citation (document title, date, page), the organiser's note and the full
text of the passage (or the whole document). Items whose text is gone say so and print the saved copy.
The DOCX table of contents is a real Word TOC field (Word fills in page numbers when fields update)
followed by a plain list of the item titles, so it reads correctly even where fields never update.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Sequence
from typing import Any

from .records import ReadingList, ResolvedItem

__all__ = ["booklet_docx", "booklet_markdown", "booklet_name", "item_heading", "item_label"]

_STATUS = {"draft": "草稿", "published": "已发布"}
_TOC_HINT = "（在 Word 中右键此处选择“更新域”可生成带页码的目录）"
_INLINE = re.compile(r"([\\`*_\[\]<>#|~])")
_LINE_MARK = re.compile(r"^(\s*)([-+=]|>)", re.M)
_LINE_NUMBER = re.compile(r"^(\s*\d+)([.)])", re.M)
# Characters XML 1.0 forbids (PDF extraction can leave form feeds and other controls behind).
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def item_label(r: ResolvedItem) -> str:
    """An item's title: "《title》 · section" (the section only for passages)."""
    head = f"《{r.title}》"
    section = r.heading_path[-1] if r.heading_path else ""
    if r.item.kind == "passage" and section and section != r.title:
        head += f" · {section}"
    return head


def item_heading(number: int, r: ResolvedItem) -> str:
    """The heading of item `number` (1-based): "1. 《title》 · section"."""
    return f"{number}. {item_label(r)}"


def booklet_name(lst: ReadingList, suffix: str) -> str:
    """A file name for the booklet: the title with unsafe characters replaced, plus `suffix`."""
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", lst.title).strip("._") or f"reading-list-{lst.id}"
    return f"{stem[:80]}{suffix}"


def _today() -> str:
    return time.strftime("%Y-%m-%d")


def _facts(lst: ReadingList, count: int) -> list[tuple[str, str]]:
    facts = [("面向", lst.audience), ("学习时间", lst.period), ("编制", lst.owner_name),
             ("状态", _STATUS.get(lst.status, lst.status)), ("篇目", f"共 {count} 项")]
    return [(k, v) for k, v in facts if v]


def _source_line(r: ResolvedItem) -> str:
    where = "全文" if r.item.kind == "document" else ""
    parts = [f"出处：{r.citation}"] + ([where] if where else []) + [r.item.anchor.doc_path]
    return " · ".join(parts)


def _missing_line(r: ResolvedItem) -> str:
    if r.item.kind == "document":
        return "注意：该文档已不在当前资料库中，无法收录全文。"
    return "注意：该段落在当前资料库中已找不到（原文可能已修改或删除），以下为加入清单时保存的文字。"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# -- Markdown --------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Escape Markdown syntax so the text reads literally."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_NUMBER.sub(r"\1\\\2", text)
    return _LINE_MARK.sub(r"\1\\\2", text)


def booklet_markdown(lst: ReadingList, resolved: Sequence[ResolvedItem], *,
                     generated: str | None = None) -> str:
    """The booklet as one Markdown document (all document text escaped)."""
    out = [f"# {_md(lst.title)}", ""]
    out += [f"- **{k}**：{_md(v)}" for k, v in _facts(lst, len(resolved))]
    out += [f"- **生成日期**：{generated or _today()}", ""]
    if lst.description:
        out += [_md(p) + "\n" for p in _paragraphs(lst.description)]
    out += ["## 目录", ""]
    out += [f"{n}. {_md(item_label(r))}" for n, r in enumerate(resolved, start=1)]
    out += ["", "---", ""]
    for n, r in enumerate(resolved, start=1):
        out += [f"## {n}. {_md(item_label(r))}", "", f"*{_md(_source_line(r))}*", ""]
        if r.item.note:
            out += ["> **组织员按语**：" + "  \n> ".join(_md(p) for p in _paragraphs(r.item.note)), ""]
        if r.missing:
            out += [f"**{_missing_line(r)}**", ""]
        out += [p for para in _paragraphs(r.text) for p in (_md(para), "")]
        out += ["---", ""]
    return "\n".join(out).rstrip() + "\n"


# -- DOCX ------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _XML_BAD.sub("", text)


def _east_asian(style: Any, font: str) -> None:
    """Give a style an East Asian font (Word otherwise renders Chinese in a fallback font)."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """Append a Word field (e.g. TOC or PAGE) showing `placeholder` until Word updates it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    begin = paragraph.add_run()._r
    begin.append(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(char("end"))


def _update_fields_on_open(document: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    document.settings.element.append(el)


def booklet_docx(lst: ReadingList, resolved: Sequence[ResolvedItem], *, generated: str | None = None,
                 ) -> bytes:
    """The booklet as a Word document (bytes): title page, TOC, one Heading 1 per item."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import RGBColor

    doc = Document()
    doc.core_properties.title = _clean(lst.title)
    doc.core_properties.author = _clean(lst.owner_name or "studykb")
    _east_asian(doc.styles["Normal"], "宋体")
    for name in ("Title", "Heading 1", "TOC Heading"):
        _east_asian(doc.styles[name], "黑体")
    _update_fields_on_open(doc)

    title = doc.add_paragraph(_clean(lst.title), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for key, value in _facts(lst, len(resolved)) + [("生成日期", generated or _today())]:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(f"{key}：").bold = True
        p.add_run(_clean(value))
    for para in _paragraphs(lst.description):
        doc.add_paragraph(_clean(para))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    doc.add_paragraph("目录", style="TOC Heading")
    _field(doc.add_paragraph(), 'TOC \\o "1-1" \\h \\z \\u', _TOC_HINT)
    for n, r in enumerate(resolved, start=1):
        doc.add_paragraph(_clean(item_heading(n, r)))

    for n, r in enumerate(resolved, start=1):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(_clean(item_heading(n, r)), level=1)
        source = doc.add_paragraph().add_run(_clean(_source_line(r)))
        source.italic = True
        source.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        if r.item.note:
            note = doc.add_paragraph(style="Intense Quote")
            note.add_run("组织员按语：").bold = True
            note.add_run(_clean(r.item.note))
        if r.missing:
            warn = doc.add_paragraph().add_run(_missing_line(r))
            warn.bold = True
            warn.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
        for para in _paragraphs(r.text):
            doc.add_paragraph(_clean(para))

    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
