"""GB/T 9704-2012 conventions (studykb/gbt9704.py): dates, and a fresh document's page, styles and footer."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from studykb.gbt9704 import ROLES, add_page_numbers, date_zh, new_document, paragraph


@pytest.mark.parametrize(("iso", "written"), [
    ("2024-05-01", "2024年5月1日"), ("2024-10-16", "2024年10月16日"), ("2024-09", "2024年9月"),
    ("2024", "2024年"), ("2024年5月", "2024年5月"), ("", ""), (None, ""),
], ids=["full", "two-digit", "month", "year", "already-chinese", "empty", "none"])
def test_dates_are_written_in_full_without_leading_zeros(iso: str | None, written: str) -> None:
    assert date_zh(iso) == written


def test_a_new_document_round_trips_with_every_role_black_and_upright() -> None:
    doc = new_document(title="测试")
    for role in ROLES:
        if role != "page_number":
            paragraph(doc, role, f"{role}文字")
    add_page_numbers(doc, first_page=True)
    buf = io.BytesIO()
    doc.save(buf)
    back = docx.Document(io.BytesIO(buf.getvalue()))
    section = back.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for name, role in ROLES.items():
        rpr = back.styles[role.style].element.find(qn("w:rPr"))
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == role.font, name
        assert rpr.find(qn("w:color")).get(qn("w:val")) == "000000", name
        assert rpr.find(qn("w:i")).get(qn("w:val")) == "0", name
        assert int(rpr.find(qn("w:sz")).get(qn("w:val"))) == role.size_pt * 2, name
    assert not section.different_first_page_header_footer  # first_page=True numbers the first page too
    assert "PAGE" in section.footer._element.xml
