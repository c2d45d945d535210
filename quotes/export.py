"""The checked draft as a Word document: summary, the draft with each quotation marked, the details.

Page, fonts and colours follow GB/T 9704-2012 (studykb.gbt9704: A4 and its margins, 仿宋 body, 黑体
headings, black, no italics, page numbers); the details table is set in 4号 (its "cell" role). Marks are
run shading: green exact, amber near (its source text beside it in the details), red not found; terms
are not marked.
"""

from __future__ import annotations

import io
import re
from typing import Any

from .records import DiffOp, DraftReport, Verdict

__all__ = ["LABELS", "describe_diff", "to_docx"]

#: Chinese names of the statuses, used by the report, the page and the DOCX.
LABELS = {"exact": "原文一致", "near": "与原文有出入", "not_found": "未找到出处", "term": "术语"}
_FILL = {"exact": "C6EFCE", "near": "FFE699", "not_found": "FFC7CE"}
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def describe_diff(ops: tuple[DiffOp, ...]) -> str:
    """The differences in words: 文稿作“平整”，原文为“硬化”；文稿缺“…”；文稿多出“…”."""
    parts = []
    for op in ops:
        if op.op == "changed":
            parts.append(f"文稿作“{op.draft}”，原文为“{op.source}”")
        elif op.op == "missing":
            parts.append(f"文稿缺“{op.source}”")
        elif op.op == "extra":
            parts.append(f"文稿多出“{op.draft}”")
    return "；".join(parts)


def _clean(text: str) -> str:
    return _XML_BAD.sub("", text)


def _shade(run: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    run._r.get_or_add_rPr().append(shd)


def _marked_draft(doc: Any, report: DraftReport) -> None:
    """The draft paragraph by paragraph, each checked quotation shaded and numbered [n]."""
    numbered = [(n, v) for n, v in enumerate(report.verdicts, start=1) if v.status != "term"]
    pos = 0
    para = doc.add_paragraph()
    text = report.text

    def plain(upto: int) -> Any:
        nonlocal pos, para
        for i, line in enumerate(text[pos:upto].split("\n")):
            if i:
                para = doc.add_paragraph()
            if line:
                para.add_run(_clean(line))
        pos = upto

    for n, v in numbered:
        q = v.quotation
        if q.start < pos:
            continue
        plain(q.start)
        run = para.add_run(_clean(text[q.start : q.end]))
        _shade(run, _FILL[v.status])
        tag = para.add_run(f"[{n}]")
        tag.font.superscript = True
        pos = q.end
    plain(len(text))


def _details(doc: Any, report: DraftReport) -> None:
    from studykb.gbt9704 import ROLES

    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, ("序号", "文稿引文", "核对结论", "原文与出处"), strict=True):
        cell.text = head
        cell.paragraphs[0].runs[0].bold = True
    for n, v in enumerate(report.verdicts, start=1):
        if v.status == "term":
            continue
        cells = table.add_row().cells
        cells[0].text = str(n)
        cells[1].text = _clean(v.quotation.text)
        _shade(cells[2].paragraphs[0].add_run(LABELS[v.status]), _FILL[v.status])
        cells[3].text = _clean(_source_cell(v))
    cell_style = doc.styles[ROLES["cell"].style]
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.style = cell_style


def _source_cell(v: Verdict) -> str:
    if v.source is None:
        return "资料库中没有找到足够相近的原文，请核实出处。"
    lines = [v.source.citation, f"原文：{v.source.text}"]
    if v.diff:
        lines.append("差异：" + describe_diff(v.diff))
    return "\n".join(lines)


def to_docx(report: DraftReport, *, title: str = "原文核对报告") -> bytes:
    """The report as a Word document (bytes).

    Example: Path("核对.docx").write_bytes(to_docx(checker.check(text)))
    """
    from studykb.gbt9704 import add_page_numbers, new_document

    doc = new_document(title=title)
    add_page_numbers(doc, first_page=True)
    doc.add_heading(title, level=0)
    counts = report.counts
    doc.add_paragraph(
        f"共核对引文 {counts['exact'] + counts['near'] + counts['not_found']} 处："
        f"原文一致 {counts['exact']} 处，与原文有出入 {counts['near']} 处，"
        f"未找到出处 {counts['not_found']} 处；另有术语 {counts['term']} 处未逐句核对。"
    )
    legend = doc.add_paragraph("标注：")
    for status in ("exact", "near", "not_found"):
        _shade(legend.add_run(LABELS[status]), _FILL[status])
        legend.add_run("　")
    doc.add_heading("文稿", level=1)
    _marked_draft(doc, report)
    doc.add_heading("核对明细", level=1)
    _details(doc, report)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
