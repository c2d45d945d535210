"""GB/T 9704-2012 (党政机关公文格式) page and type conventions for the Word documents we write.

The one owner of how our printed matter looks (the reading-list booklet, the quotation report):
- §5.1 A4, 210 mm × 297 mm; §5.2.1 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm, so the bottom margin is
  35 mm and the right one 26 mm;
- §5.2.2 text in 3号 (16 pt) 仿宋; §5.2.3 22 lines of 28 characters filling the 版心: a fixed line pitch
  of 28.95 pt (225 mm / 22 = 28.99 pt, the largest 0.05 pt step that still fits 22 lines) and
  characters condensed by 0.25 pt (156 mm / 28 = 15.79 pt a character: 16 pt ones fit only 27). Word's
  character grid (docGrid linesAndChars) would do the same in Word, but LibreOffice snaps each 16 pt
  character to two 15.79 pt cells, so the spacing is set on the text instead;
- §5.2.4 all text black; the title in 2号 小标宋; headings by level 黑体, 楷体, then 仿宋 (bold, plain);
  Chinese has no italics, so no style or run is italic;
- §7.5 page numbers in 4号 半角 宋体 Arabic numerals between em dashes ("— 1 —"), odd pages on the
  right and even pages on the left, one character in from the edge of the type area;
- §7.3.5.3 dates written in full with Arabic numerals and no leading zeros: 2024年5月1日.

Fonts are named as Windows names the standard's faces (仿宋, 楷体, 黑体, 宋体: present on every Windows
since Vista, where 仿宋_GB2312 and 楷体_GB2312 are not), and the title's 方正小标宋简体 as it is installed
where it is. Each name is written to every script slot of w:rFonts (ascii, hAnsi, eastAsia, cs; a bare
`font.name` in python-docx sets only the Latin ones) and declared in the font table with an alternate
name: the _GB2312 name of the same face, and 黑体 for 方正小标宋简体, which Word may substitute where the
font is missing (LibreOffice falls back to its default CJK font, a 黑体-like sans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHARS_PER_LINE", "FONTS", "LINES_PER_PAGE", "LINE_PITCH_PT", "MARGINS_MM", "PAGE_MM", "PPR_ORDER",
    "ROLES", "RPR_ORDER", "Role",
    "add_page_numbers", "bookmark", "date_zh", "new_document", "normalise_styles", "paragraph", "set_page",
]

PAGE_MM = (210.0, 297.0)
#: (top, bottom, left, right): 天头 37, 订口 28; the 156 × 225 mm 版心 fixes the other two.
MARGINS_MM = (37.0, 35.0, 28.0, 26.0)
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH_PT = 28.95
#: Character spacing in twentieths of a point: 28 characters of 15.75 pt fit the 442.2 pt line.
CONDENSE_TWIPS = -5
#: The page number's em dash sits 7 mm below the 版心 (§7.5): the footer line's middle is 28 mm above the
#: page's bottom edge, so the bottom of a 4号 footer line (about 5 mm high) is about 25.5 mm above it.
FOOTER_DISTANCE_MM = 25.5

SONG, HEI = "宋体", "黑体"
FANGSONG, KAI, XIAOBIAOSONG = "仿宋", "楷体", "方正小标宋简体"
#: Font → its alternate name in the font table (w:altName), which Word may use where it is missing.
FONTS: dict[str, str | None] = {FANGSONG: "仿宋_GB2312", KAI: "楷体_GB2312", XIAOBIAOSONG: HEI, HEI: None,
                                SONG: None}
#: Chinese point sizes (字号) used here.
SIZE_2, SIZE_3, SIZE_4 = 22.0, 16.0, 14.0

_TWIPS_PER_PT = 20
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class Role:
    """How one kind of text is set: its Word style, font, size, weight, alignment and first-line indent."""

    style: str
    font: str
    size_pt: float = SIZE_3
    bold: bool = False
    align: str = "both"  # w:jc: both (两端对齐), center, left, right
    indent_chars: int = 2  # negative: a hanging indent of that many characters (wrapped lines indented)
    outline_level: int | None = None  # 0 = level 1, for the navigation pane
    line_pt: float = LINE_PITCH_PT  # exact line spacing


#: The text roles of our documents. Styles that python-docx's template lacks are created.
ROLES: dict[str, Role] = {
    "body": Role("Normal", FANGSONG),
    "title": Role("Title", XIAOBIAOSONG, SIZE_2, align="center", indent_chars=0),
    "heading1": Role("Heading 1", HEI, outline_level=0),
    "heading2": Role("Heading 2", KAI, outline_level=1),
    "heading3": Role("Heading 3", FANGSONG, bold=True, outline_level=2),
    "heading4": Role("Heading 4", FANGSONG, outline_level=3),
    "toc_heading": Role("TOC Heading", HEI, align="center", indent_chars=0),
    "toc": Role("toc 1", FANGSONG, align="left", indent_chars=-2),
    "cover": Role("封面信息", FANGSONG, align="center", indent_chars=0),
    "citation": Role("出处", FANGSONG),
    "note": Role("按语", KAI),
    "page_number": Role("Footer", SONG, SIZE_4, align="right", indent_chars=0),
    "cell": Role("表格文字", FANGSONG, SIZE_4, align="left", indent_chars=0, line_pt=20.0),
}


def date_zh(date: str | None) -> str:
    """An ISO date as the standard writes dates: "2024-05-01" → "2024年5月1日" ("2024-05" → "2024年5月").

    Anything else is returned unchanged ("" for None).
    """
    m = _DATE.match((date or "").strip())
    if not m:
        return date or ""
    year, month, day = m.groups()
    return f"{year}年" + (f"{int(month)}月" if month else "") + (f"{int(day)}日" if day else "")


def _el(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


#: Child order of w:rPr and w:pPr in the schema (ECMA-376 CT_RPr, CT_PPr): Word refuses a file whose
#: properties are out of order ("unreadable content"), so every property goes in at its place.
RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
             "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
             "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
             "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
             "oMath")
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange")


def _put(parent: Any, tag: str, **attrs: str) -> Any:
    """Put a fresh <w:tag attrs/> into a w:rPr or w:pPr, replacing any existing one, at its schema place."""
    from docx.oxml.ns import qn

    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    order = RPR_ORDER if parent.tag == qn("w:rPr") else PPR_ORDER
    el = _el(f"w:{tag}", **attrs)
    later = set(order[order.index(tag) + 1 :])
    after = next((c for c in parent if _local(c.tag) in later), None)
    if after is None:
        parent.append(el)
    else:
        after.addprevious(el)
    return el


def _local(tag: str) -> str:
    """The local name of a namespaced tag ("{ns}rFonts" → "rFonts")."""
    return tag.rsplit("}", 1)[-1]


def _fonts(rpr: Any, font: str) -> None:
    """Name `font` in every script slot of a run-properties element (no theme fonts)."""
    _put(rpr, "rFonts", ascii=font, hAnsi=font, eastAsia=font, cs=font, hint="eastAsia")


def normalise_styles(doc: Any) -> None:
    """Make every style black and upright and drop theme fonts, so what a role sets is what prints.

    python-docx's template colours headings and the title (theme blue), makes Quote and Emphasis italic
    and takes fonts from its theme, which win over explicit font names. Its Word 2010 copy of the styles
    (stylesWithEffects) is dropped so no reader falls back on the coloured originals.
    """
    from docx.oxml.ns import qn

    for rpr in doc.styles.element.iter(qn("w:rPr")):
        for tag in ("w:i", "w:iCs"):
            for el in rpr.findall(qn(tag)):
                rpr.remove(el)
        for color in rpr.findall(qn("w:color")):
            for key in list(color.attrib):
                if key != qn("w:val"):
                    del color.attrib[key]
            color.set(qn("w:val"), "000000")
        for fonts in rpr.findall(qn("w:rFonts")):
            for key in list(fonts.attrib):
                if key.endswith(("Theme", "theme")):
                    del fonts.attrib[key]
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rel_id)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _fonts(rpr, FANGSONG)
    _put(rpr, "color", val="000000")
    _put(rpr, "spacing", val=str(CONDENSE_TWIPS))
    _put(rpr, "sz", val=str(round(SIZE_3 * 2)))
    _put(rpr, "szCs", val=str(round(SIZE_3 * 2)))
    _put(rpr, "lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    _put(ppr, "spacing", before="0", after="0", line=_pitch(), lineRule="exact")


def _pitch() -> str:
    return str(round(LINE_PITCH_PT * _TWIPS_PER_PT))


def _style(doc: Any, name: str) -> Any:
    from docx.enum.style import WD_STYLE_TYPE

    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
        return style


def _apply_role(doc: Any, role: Role) -> None:
    """Rewrite the role's style: font in all slots, size, weight, black, upright, pitch, alignment, indent."""
    from docx.oxml.ns import qn

    el = _style(doc, role.style).element
    for old in el.findall(qn("w:rPr")) + el.findall(qn("w:pPr")):
        el.remove(old)
    ppr, rpr = _el("w:pPr"), _el("w:rPr")
    if role.outline_level is not None:
        _put(ppr, "keepNext")
        _put(ppr, "keepLines")
        _put(ppr, "outlineLvl", val=str(role.outline_level))
    line = str(round(role.line_pt * _TWIPS_PER_PT))
    _put(ppr, "spacing", before="0", after="0", line=line, lineRule="exact")
    n = abs(role.indent_chars)
    chars, twips = str(n * 100), str(round(n * role.size_pt * _TWIPS_PER_PT))
    if role.indent_chars < 0:
        _put(ppr, "ind", left=twips, leftChars=chars, right="0", hanging=twips, hangingChars=chars)
    else:
        _put(ppr, "ind", left="0", right="0", firstLineChars=chars, firstLine=twips)
    _put(ppr, "jc", val=role.align)
    _fonts(rpr, role.font)
    for tag in ("b", "bCs"):
        _put(rpr, tag, val="1" if role.bold else "0")
    for tag in ("i", "iCs"):
        _put(rpr, tag, val="0")
    _put(rpr, "color", val="000000")
    _put(rpr, "sz", val=str(round(role.size_pt * 2)))
    _put(rpr, "szCs", val=str(round(role.size_pt * 2)))
    # CT_Style wants pPr then rPr after the name/basedOn/... elements and before table properties.
    tail = next((c for c in el if c.tag in (qn("w:tblPr"), qn("w:trPr"), qn("w:tcPr"), qn("w:tblStylePr"))),
                None)
    if tail is None:
        el.append(ppr)
        el.append(rpr)
    else:
        tail.addprevious(ppr)
        tail.addprevious(rpr)


def _declare_fonts(doc: Any) -> None:
    """List our fonts in the font table, each with the font to use where it is not installed."""
    from lxml import etree

    part = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable")
    root = etree.fromstring(part.blob)
    for font, fallback in FONTS.items():
        for old in root.findall(f"{_W}font[@{_W}name='{font}']"):
            root.remove(old)
        el = etree.SubElement(root, f"{_W}font", {f"{_W}name": font})
        if fallback:
            etree.SubElement(el, f"{_W}altName", {f"{_W}val": fallback})
        etree.SubElement(el, f"{_W}charset", {f"{_W}val": "86"})  # GB2312
        etree.SubElement(el, f"{_W}family", {f"{_W}val": "modern" if font == HEI else "roman"})
        etree.SubElement(el, f"{_W}pitch", {f"{_W}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)  # a plain Part


def set_page(section: Any) -> None:
    """A4, the standard's margins and footer distance, and the line pitch of the 版心."""
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    top, bottom, left, right = MARGINS_MM
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.gutter = Mm(0)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = _el("w:docGrid")
        section._sectPr.append(grid)
    grid.attrib.clear()
    grid.set(qn("w:linePitch"), _pitch())  # no grid type: the lines' exact spacing sets the pitch


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """Append a Word field (PAGE) showing `shown` until the reader lays the page out."""
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="end"))


def add_page_numbers(doc: Any, *, first_page: bool = False) -> None:
    """"— N —" at the foot of every page: odd pages right, even pages left, one character in (§7.5).

    With `first_page=False` the first page (a cover) has an empty footer.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.different_first_page_header_footer = not first_page
    if not first_page:
        section.first_page_footer.is_linked_to_previous = False
    one_char = Pt(ROLES["page_number"].size_pt)
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles[ROLES["page_number"].style]
        if odd:
            p.alignment, p.paragraph_format.right_indent = WD_ALIGN_PARAGRAPH.RIGHT, one_char
        else:
            p.alignment, p.paragraph_format.left_indent = WD_ALIGN_PARAGRAPH.LEFT, one_char
        p.add_run("— ")
        _field(p, "PAGE", "1")
        p.add_run(" —")


def new_document(*, title: str = "", author: str = "") -> Any:
    """A python-docx Document set up to the standard: page, grid, every role's style, fonts declared."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = author
    normalise_styles(doc)
    for role in ROLES.values():
        _apply_role(doc, role)
    _declare_fonts(doc)
    set_page(doc.sections[0])
    settings = doc.settings.element
    for lang in settings.iter(f"{_W}themeFontLang"):
        lang.set(f"{_W}eastAsia", "zh-CN")
    return doc


def paragraph(doc: Any, role: str, text: str = "") -> Any:
    """Add a paragraph of `role` (a key of ROLES) holding `text`."""
    return doc.add_paragraph(text, style=doc.styles[ROLES[role].style])


def bookmark(paragraph: Any, name: str, bookmark_id: int) -> None:
    """Mark the whole of `paragraph` as bookmark `name` (an internal link target)."""
    p = paragraph._p
    start = _el("w:bookmarkStart", id=str(bookmark_id), name=name)
    ppr = p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(_el("w:bookmarkEnd", id=str(bookmark_id)))
