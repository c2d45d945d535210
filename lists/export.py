"""The booklet ("one book") of a reading list, as DOCX set to GB/T 9704-2012 and as Markdown.

Both have the same structure: the title, the facts (面向, 学习时间, 编制, 状态, 篇目, 生成日期) and the
description; 目录, one entry per item; then for each item a first-level heading "N. 《title》 · section",
its source line (issuing body, title, date, page: `source_line`, never a file name), the organiser's
按语, and the text: the passage, or the whole document with its own headings kept as second- to
fourth-level headings. Items whose text is gone say so and print the copy saved with them. Texts are
printed verbatim; the DOCX only drops characters XML forbids, the Markdown escapes its own syntax.

DOCX (page, fonts, page numbers: studykb.gbt9704): the 目录 is written out as paragraphs, each a link to
its item, so it is complete when the file opens, with no field to update. Page numbers are only known
once Word lays out the pages, so 目录 entries carry the item numbers that head the items; every item
starts on a new page, and the cover page carries no page number.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

from studykb.gbt9704 import date_zh

from .records import ReadingList, ResolvedItem

__all__ = [
    "booklet_docx", "booklet_markdown", "booklet_name", "item_heading", "item_label", "source_line",
    "source_of",
]

_STATUS = {"draft": "草稿", "published": "已发布"}
_NOTE_LABEL = "组织员按语："
_INLINE = re.compile(r"([\\`*_\[\]<>#|~])")
_LINE_MARK = re.compile(r"^(\s*)([-+=]|>)", re.M)
_LINE_NUMBER = re.compile(r"^(\s*\d+)([.)])", re.M)
_LINE = re.compile(r"[^\n]+")
# Characters XML 1.0 forbids (PDF extraction can leave form feeds and other controls behind).
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Booklet heading level (2..4) → Markdown heading marks; level 1 is the item heading.
_MD_HEADING = {1: "##", 2: "###", 3: "####", 4: "#####"}


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


def source_line(r: ResolvedItem) -> str:
    """Where the item's text comes from, as the booklet prints it: "出处：" and `source_of(r)`.

    Example: "出处：中共上海市某区委组织部《基层党组织主题教育工作指引汇编》（2024年9月10日），第3页"
    """
    return "出处：" + source_of(r)


def source_of(r: ResolvedItem) -> str:
    """Issuing body, title, date (written out) and page, or 全文 — never a file name."""
    body = (r.document.source or "") if r.document else ""
    line = f"{body}《{r.title}》"
    if r.date:
        line += f"（{date_zh(r.date)}）"
    if r.item.kind == "document":
        line += "，全文"
    elif r.page:
        line += f"，第{r.page}页" if r.page_end in (None, r.page) else f"，第{r.page}–{r.page_end}页"
    return line


def booklet_name(lst: ReadingList, suffix: str) -> str:
    """A file name for the booklet: the title with unsafe characters replaced, plus `suffix`."""
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", lst.title).strip("._") or f"reading-list-{lst.id}"
    return f"{stem[:80]}{suffix}"


def _today() -> str:
    return time.strftime("%Y-%m-%d")


def _facts(lst: ReadingList, count: int, generated: str) -> list[tuple[str, str]]:
    period = ""
    if lst.period_start or lst.period_end:
        period = f"{date_zh(lst.period_start) or '…'}至{date_zh(lst.period_end) or '…'}"
    facts = [("面向", lst.audience), ("学习时间", period), ("编制", lst.owner_name),
             ("状态", _STATUS.get(lst.status, lst.status)), ("篇目", f"共{count}项"),
             ("生成日期", date_zh(generated))]
    return [(k, v) for k, v in facts if v]


def _missing_line(r: ResolvedItem) -> str:
    if r.item.kind == "document":
        return "注意：该文档已不在当前资料库中，无法收录全文。"
    return "注意：该段落在当前资料库中已找不到（原文可能已修改或删除），以下为加入清单时保存的文字。"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _body(r: ResolvedItem) -> Iterator[tuple[int, str]]:
    """The item's text as (level, line): level 0 for text, 2..4 for a whole document's own headings.

    A leading heading that only repeats the document's title is left out (the item heading names it);
    the outermost remaining heading level becomes level 2.
    """
    heads = {h.start: h for h in r.headings}
    lines = [(m.start() + len(m.group()) - len(m.group().lstrip()), m.group().strip())
             for m in _LINE.finditer(r.text)]
    lines = [(at, line) for at, line in lines if line]
    if lines and lines[0][0] in heads and lines[0][1] in r.title:
        lines = lines[1:]
    depths = [heads[at].depth for at, _ in lines if at in heads]
    top = min(depths, default=1)
    for at, line in lines:
        yield (min(heads[at].depth - top + 2, 4) if at in heads else 0), line


# -- Markdown --------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Escape Markdown syntax so the text reads literally."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_NUMBER.sub(r"\1\\\2", text)
    return _LINE_MARK.sub(r"\1\\\2", text)


def booklet_markdown(lst: ReadingList, resolved: Sequence[ResolvedItem], *,
                     generated: str | None = None) -> str:
    """The booklet as one Markdown document (all document text escaped, nothing in italics)."""
    out = [f"# {_md(lst.title)}", ""]
    out += [f"- **{k}**：{_md(v)}" for k, v in _facts(lst, len(resolved), generated or _today())]
    out += [""]
    if lst.description:
        out += [_md(p) + "\n" for p in _paragraphs(lst.description)]
    out += ["## 目录", ""]
    out += [f"{n}. {_md(item_label(r))}" for n, r in enumerate(resolved, start=1)]
    out += ["", "---", ""]
    for n, r in enumerate(resolved, start=1):
        out += [f"## {n}. {_md(item_label(r))}", "", _md(source_line(r)), ""]
        if r.item.note:
            note = "  \n> ".join(_md(p) for p in _paragraphs(r.item.note))
            out += [f"> **{_NOTE_LABEL[:-1]}**：{note}", ""]
        if r.missing:
            out += [f"**{_missing_line(r)}**", ""]
        for level, line in _body(r):
            out += [f"{_MD_HEADING[level]} {_md(line)}" if level else _md(line), ""]
        out += ["---", ""]
    return "\n".join(out).rstrip() + "\n"


# -- DOCX ------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _XML_BAD.sub("", text)


def _link(paragraph: Any, text: str, anchor: str) -> None:
    """Append `text` to `paragraph` as a link to bookmark `anchor` (plain text style: black, upright)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def booklet_docx(lst: ReadingList, resolved: Sequence[ResolvedItem], *, generated: str | None = None,
                 ) -> bytes:
    """The booklet as a Word document (bytes): cover, 目录, one first-level heading per item."""
    from studykb.gbt9704 import add_page_numbers, bookmark, new_document, paragraph

    doc = new_document(title=_clean(lst.title), author=_clean(lst.owner_name or "studykb"))
    paragraph(doc, "title", _clean(lst.title))
    paragraph(doc, "cover")
    for key, value in _facts(lst, len(resolved), generated or _today()):
        paragraph(doc, "cover", _clean(f"{key}：{value}"))
    paragraph(doc, "cover")
    for para in _paragraphs(lst.description):
        paragraph(doc, "body", _clean(para))

    toc = paragraph(doc, "toc_heading", "目录")
    toc.paragraph_format.page_break_before = True
    for n, r in enumerate(resolved, start=1):
        _link(paragraph(doc, "toc"), _clean(item_heading(n, r)), f"item_{n}")

    for n, r in enumerate(resolved, start=1):
        head = paragraph(doc, "heading1", _clean(item_heading(n, r)))
        head.paragraph_format.page_break_before = True
        bookmark(head, f"item_{n}", n)
        paragraph(doc, "citation", _clean(source_line(r)))
        for i, para in enumerate(_paragraphs(r.item.note)):
            note = paragraph(doc, "note")
            if i == 0:
                note.add_run(_NOTE_LABEL).bold = True
            note.add_run(_clean(para))
        if r.missing:
            paragraph(doc, "body").add_run(_missing_line(r)).bold = True
        for level, line in _body(r):
            paragraph(doc, f"heading{level}" if level else "body", _clean(line))

    add_page_numbers(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
