"""Build the sample corpus under corpus/ from the Markdown sources in corpus_src/."""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import logging
import os
import re
import sys
import tomllib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = REPO_ROOT / "corpus_src"
OUT_DIR = REPO_ROOT / "corpus"
CATALOG_NAME = "catalog.toml"
SIDECAR_SUFFIX = ".meta.toml"

# Front matter: output, format and title are required; catalog (default true), sidecar
# (default false), date, category, source, author and tags are optional. Two optional
# keys only affect rendering: short_title (PDF running header; default: the title up to
# its first dash or colon) and site (site name in the HTML boilerplate).
FORMATS = ("pdf", "docx", "html", "md", "txt-utf8", "txt-utf8-bom", "txt-gb18030", "txt-big5")
CATEGORIES = ("讲话", "汇编", "文件", "摘编", "辅导读物", "总结", "词汇", "场馆介绍", "计划", "党课", "其他")
META_KEYS = ("title", "date", "category", "source", "author", "tags")
TXT_ENCODINGS = {
    "txt-utf8": "utf-8",
    "txt-utf8-bom": "utf-8-sig",
    "txt-gb18030": "gb18030",
    "txt-big5": "big5",
}

# PDF font: WenQuanYi Zen Hei is a TrueType (glyf) collection; fpdf2 embeds it as a
# CIDFontType2 subset with a ToUnicode map that pypdf reads back correctly. Noto CJK is
# CFF-based and, embedded by fpdf2, extracts with NUL bytes between characters.
FONT_APT_PACKAGE = "fonts-wqy-zenhei"
FONT_ENV_VAR = "STUDYKB_CJK_FONT"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
    Path("/usr/local/share/fonts/wqy-zenhei.ttc"),
)
FONT_FAMILY = "wqy"
PDF_FOOTER_FORMAT = "— {page} —"
PDF_LIST_BULLET = "・"
PDF_INDENT = "\u3000\u3000"
HTML_SITE_NAME = "党建学习网"

# Characters that must not start a line (closing punctuation) and must not end one.
NO_LINE_START = set("，。、；：！？）》」』】〕〉”’…—·・%,.;:!?)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")


class CorpusError(Exception):
    """Raised when a source file is invalid or an output cannot be written."""


@dataclass(frozen=True)
class Block:
    """One body element: a heading (level 1-3), a paragraph or a list item."""

    kind: str
    text: str
    level: int = 0


@dataclass
class SourceDoc:
    """A parsed corpus source: front matter plus body blocks."""

    path: Path
    meta: dict[str, Any]
    body: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def output(self) -> str:
        """Output path relative to the corpus directory."""
        return str(self.meta["output"])

    @property
    def fmt(self) -> str:
        """Output format name."""
        return str(self.meta["format"])

    @property
    def in_catalog(self) -> bool:
        """Whether the document's metadata goes into catalog.toml."""
        return bool(self.meta.get("catalog", True)) and not self.has_sidecar

    @property
    def has_sidecar(self) -> bool:
        """Whether the document's metadata goes into a <output>.meta.toml sidecar."""
        return bool(self.meta.get("sidecar", False))

    @property
    def short_title(self) -> str:
        """Running-header text for paged formats."""
        explicit = self.meta.get("short_title")
        if explicit:
            return str(explicit)
        title = str(self.meta["title"])
        head = re.split(r"——|—|：|:", title)[0].strip()
        return head if len(head) <= 24 else head[:24]

    def metadata(self) -> dict[str, Any]:
        """The catalog/sidecar metadata present in the front matter, in canonical key order."""
        return {key: self.meta[key] for key in META_KEYS if key in self.meta}


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def split_front_matter(text: str, path: Path) -> tuple[str, str]:
    """Split a source into (front matter TOML, body) at the `+++` delimiter lines."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        raise CorpusError(f"{path}: first line must be '+++'")
    for i in range(1, len(lines)):
        if lines[i].strip() == "+++":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    raise CorpusError(f"{path}: closing '+++' not found")


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def join_lines(lines: Iterable[str]) -> str:
    """Join wrapped source lines: no space between CJK characters, one space otherwise."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and not (_is_cjk(out[-1]) or _is_cjk(line[0])):
            out += " "
        out += line
    return out


def parse_body(body: str) -> list[Block]:
    """Parse the Markdown subset (#/##/### headings, paragraphs, '- ' items) into blocks."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("para", join_lines(para)))
            para.clear()

    for raw in body.split("\n"):
        line = raw.rstrip()
        heading = re.match(r"^(#{1,3})\s+(.*\S)\s*$", line)
        if heading:
            flush()
            blocks.append(Block("heading", heading.group(2), len(heading.group(1))))
        elif re.match(r"^\s*-\s+\S", line):
            flush()
            blocks.append(Block("item", line.split("-", 1)[1].strip()))
        elif not line.strip():
            flush()
        elif blocks and blocks[-1].kind == "item" and not para and raw.startswith((" ", "\t")):
            last = blocks.pop()
            blocks.append(Block("item", join_lines([last.text, line])))
        else:
            para.append(line)
    flush()
    return blocks


def validate_meta(meta: dict[str, Any], path: Path) -> None:
    """Check required keys and allowed values of a source's front matter."""
    for key in ("output", "format", "title"):
        if not meta.get(key):
            raise CorpusError(f"{path}: front matter key '{key}' is required")
    if meta["format"] not in FORMATS:
        raise CorpusError(f"{path}: format {meta['format']!r} not in {FORMATS}")
    category = meta.get("category")
    if category is not None and category not in CATEGORIES:
        raise CorpusError(f"{path}: category {category!r} not in {CATEGORIES}")
    if "date" in meta:
        try:
            dt.date.fromisoformat(str(meta["date"]))
        except ValueError as exc:
            raise CorpusError(f"{path}: date {meta['date']!r} is not ISO (YYYY-MM-DD)") from exc
    out = Path(str(meta["output"]))
    if out.is_absolute() or ".." in out.parts or out.name in (CATALOG_NAME, ""):
        raise CorpusError(f"{path}: output {meta['output']!r} must be a relative path inside corpus/")
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise CorpusError(f"{path}: tags must be a list of strings")


def parse_source(path: Path) -> SourceDoc:
    """Read and validate one corpus_src/*.md file."""
    front, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{path}: bad front matter: {exc}") from exc
    if isinstance(meta.get("date"), dt.date):
        meta["date"] = meta["date"].isoformat()
    validate_meta(meta, path)
    return SourceDoc(path=path, meta=meta, body=body.strip("\n") + "\n", blocks=parse_body(body))


def load_sources(src_dir: Path = SRC_DIR) -> list[SourceDoc]:
    """Parse every *.md source in src_dir (sorted), rejecting duplicate outputs."""
    docs = [parse_source(p) for p in sorted(src_dir.glob("*.md"))]
    seen: dict[str, Path] = {}
    for doc in docs:
        if doc.output in seen:
            raise CorpusError(f"{doc.path}: output {doc.output!r} already produced by {seen[doc.output]}")
        seen[doc.output] = doc.path
    return docs


# ---------------------------------------------------------------------------
# Plain renderings (txt, md, text used for checks)
# ---------------------------------------------------------------------------


def plain_text(doc: SourceDoc) -> str:
    """Body as plain text: headings and paragraphs separated by blank lines, items as '- '."""
    parts: list[str] = []
    for block in doc.blocks:
        parts.append(f"- {block.text}" if block.kind == "item" else block.text)
    return "\n\n".join(parts) + "\n"


def write_txt(doc: SourceDoc, dest: Path) -> None:
    """Write the plain-text rendering in the encoding named by the format."""
    encoding = TXT_ENCODINGS[doc.fmt]
    try:
        data = plain_text(doc).encode(encoding)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise CorpusError(
            f"{doc.path}: text cannot be encoded as {encoding} (first bad characters: {bad!r}); "
            "Big5 needs Traditional Chinese text"
        ) from exc
    dest.write_bytes(data)


def write_md(doc: SourceDoc, dest: Path) -> None:
    """Write the body as Markdown without front matter."""
    dest.write_bytes(doc.body.encode("utf-8"))


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------


def html_body(blocks: list[Block]) -> list[str]:
    """Render blocks as HTML lines, grouping consecutive list items into <ul>."""
    lines: list[str] = []
    in_list = False
    for block in blocks:
        if block.kind == "item" and not in_list:
            lines.append("<ul>")
            in_list = True
        if block.kind != "item" and in_list:
            lines.append("</ul>")
            in_list = False
        text = html.escape(block.text, quote=False)
        if block.kind == "heading":
            lines.append(f"<h{block.level}>{text}</h{block.level}>")
        elif block.kind == "item":
            lines.append(f"<li>{text}</li>")
        else:
            lines.append(f"<p>{text}</p>")
    if in_list:
        lines.append("</ul>")
    return lines


def esc(value: Any) -> str:
    """HTML-escape a value for element text or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def render_html(doc: SourceDoc) -> str:
    """A complete HTML page with <title>, date/author meta, nav and footer boilerplate."""
    meta = doc.meta
    site = esc(meta.get("site", HTML_SITE_NAME))
    head = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(meta['title'])}</title>",
    ]
    if "date" in meta:
        head.append(f'<meta name="date" content="{esc(meta["date"])}">')
    if "author" in meta:
        head.append(f'<meta name="author" content="{esc(meta["author"])}">')
    if meta.get("tags"):
        head.append(f'<meta name="keywords" content="{esc(",".join(meta["tags"]))}">')
    head += ['<link rel="stylesheet" href="/static/site.css">', "</head>", "<body>"]
    nav = [
        '<header class="site-header">',
        f'<div class="logo">{site}</div>',
        '<nav><a href="/">首页</a> | <a href="/notice/">通知公告</a> | <a href="/study/">学习资料</a>'
        ' | <a href="/branch/">支部风采</a> | <a href="/contact/">联系我们</a></nav>',
        '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; '
        '<a href="/notice/">通知公告</a> &gt; 正文</div>',
        "</header>",
    ]
    main = ['<main class="content">', "<article>", *html_body(doc.blocks), "</article>"]
    main += [
        '<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a>'
        ' <a href="javascript:window.close()">【关闭窗口】</a></div>',
        "</main>",
    ]
    owner = esc(meta.get("source", site))
    footer = [
        '<footer class="site-footer">',
        f"<p>主办单位：{owner}　　技术支持：街道社区党群服务中心</p>",
        "<p>建议使用1280×800以上分辨率浏览本站</p>",
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + nav + main + footer) + "\n"


def write_html(doc: SourceDoc, dest: Path) -> None:
    """Write the HTML rendering as UTF-8."""
    dest.write_bytes(render_html(doc).encode("utf-8"))


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def doc_datetime(doc: SourceDoc) -> dt.datetime:
    """The document date as a UTC datetime at midnight (fixed timestamps for outputs)."""
    day = dt.date.fromisoformat(str(doc.meta.get("date", "2000-01-01")))
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps and order so output is byte-stable."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def _set_east_asian_font(style: Any, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def render_docx(doc: SourceDoc) -> bytes:
    """Build the DOCX (real Heading 1-3 styles, core properties) and return its bytes."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    _set_east_asian_font(normal, "宋体")
    for level in (1, 2, 3):
        _set_east_asian_font(document.styles[f"Heading {level}"], "黑体")
    for block in doc.blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "item":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            document.add_paragraph(block.text).paragraph_format.first_line_indent = Pt(24)
    props = document.core_properties
    stamp = doc_datetime(doc).replace(tzinfo=None)
    props.title = str(doc.meta["title"])
    props.author = str(doc.meta.get("author", ""))
    props.last_modified_by = str(doc.meta.get("author", ""))
    props.subject = str(doc.meta.get("category", ""))
    props.keywords = ", ".join(doc.meta.get("tags", []))
    props.comments = ""
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    return normalize_zip(buf.getvalue())


def write_docx(doc: SourceDoc, dest: Path) -> None:
    """Write the DOCX rendering."""
    dest.write_bytes(render_docx(doc))


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def find_font() -> Path:
    """Locate the CJK TrueType font, or fail with the apt package to install."""
    override = os.environ.get(FONT_ENV_VAR)
    candidates = [Path(override)] if override else list(FONT_CANDIDATES)
    for path in candidates:
        if path.is_file():
            return path
    raise CorpusError(
        "CJK font for PDF output not found (looked in: "
        + ", ".join(str(p) for p in candidates)
        + f"). Install it with: apt-get install -y {FONT_APT_PACKAGE}"
        + f"  (or point {FONT_ENV_VAR} at a TrueType .ttf/.ttc with CJK glyphs)"
    )


_CMAP_CACHE: dict[Path, set[int]] = {}


def font_codepoints(font_path: Path) -> set[int]:
    """Code points covered by the font's first face."""
    if font_path not in _CMAP_CACHE:
        from fontTools.ttLib import TTCollection, TTFont

        if font_path.suffix.lower() == ".ttc":
            face = TTCollection(str(font_path)).fonts[0]
        else:
            face = TTFont(str(font_path))
        _CMAP_CACHE[font_path] = set(face.getBestCmap())
    return _CMAP_CACHE[font_path]


def check_glyphs(doc: SourceDoc, font_path: Path, extra: str) -> None:
    """Fail if any character of the document has no glyph (fpdf2 would drop it silently)."""
    covered = font_codepoints(font_path)
    text = plain_text(doc) + doc.short_title + str(doc.meta["title"]) + extra
    missing = sorted({ch for ch in text if ch not in "\n" and ord(ch) not in covered})
    if missing:
        raise CorpusError(f"{doc.path}: font {font_path.name} has no glyph for {''.join(missing)!r}")


def wrap_line(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break text into lines no wider than width, CJK-style.

    Breaks between any two characters, except that closing punctuation hangs on the
    previous line, opening punctuation moves to the next one, and runs of Latin
    letters/digits are kept whole when they fit on a line.
    """
    lines: list[str] = []
    current = ""
    for ch in text:
        if not current or measure(current + ch) <= width or ch in NO_LINE_START:
            current += ch
            continue
        carry = ""
        while current and current[-1] in NO_LINE_END:
            carry = current[-1] + carry
            current = current[:-1]
        run = re.search(r"[A-Za-z0-9.%\-]+$", current)
        if run and ch.isascii() and ch.isalnum() and run.start() > 0:
            carry = current[run.start() :] + carry
            current = current[: run.start()]
        if current:
            lines.append(current.rstrip(" "))
        current = (carry + ch).lstrip(" ")
    if current:
        lines.append(current)
    return lines


def _pdf_class() -> type:
    from fpdf import FPDF
    from fpdf.enums import TextMode

    class StudyPDF(FPDF):
        """A4 page with a running header (short title) and a centred page-number footer."""

        header_text = ""

        def header(self) -> None:
            self.text_mode = TextMode.FILL
            self.set_font(FONT_FAMILY, "", 9)
            self.set_text_color(90, 90, 90)
            self.set_y(10)
            self.cell(0, 6, self.header_text, align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(150, 150, 150)
            self.set_line_width(0.2)
            self.line(self.l_margin, 17, self.w - self.r_margin, 17)
            self.set_text_color(0, 0, 0)
            self.set_y(self.t_margin)

        def footer(self) -> None:
            self.text_mode = TextMode.FILL
            self.set_font(FONT_FAMILY, "", 9)
            self.set_text_color(90, 90, 90)
            self.set_y(-16)
            self.cell(0, 6, PDF_FOOTER_FORMAT.format(page=self.page_no()), align="C")
            self.set_text_color(0, 0, 0)

    return StudyPDF


HEADING_SIZES = {1: 18.0, 2: 14.5, 3: 12.5}
BODY_SIZE = 11.0
BODY_LINE_MM = 6.6


def paragraph_align(blocks: list[Block], index: int) -> str:
    """Alignment of a body paragraph: "C" for the subtitle/date lines under the title,
    "R" for later short parenthesised source/date lines, "L" otherwise."""
    block = blocks[index]
    if block.kind != "para" or len(block.text) > 40:
        return "L"
    parenthesised = bool(re.fullmatch(r"（[^（）]*）", block.text))
    after_title = (
        index > 0
        and all(b.kind == "para" and len(b.text) <= 40 and "。" not in b.text for b in blocks[1 : index + 1])
        and blocks[0].kind == "heading"
        and blocks[0].level == 1
    )
    if after_title:
        return "C"
    return "R" if parenthesised and re.search(r"\d{4}年", block.text) else "L"


def _pdf_heading(pdf: Any, block: Block) -> None:
    from fpdf.enums import TextMode

    size = HEADING_SIZES[block.level]
    line_h = size * 0.55
    if pdf.get_y() + 3 * line_h + 2 * BODY_LINE_MM > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3 if block.level > 1 else 0)
    pdf.set_font(FONT_FAMILY, "", size)
    pdf.text_mode = TextMode.FILL_STROKE  # faux bold: the font has no bold face
    pdf.set_line_width(size * 0.012)
    align = "C" if block.level == 1 else "L"
    for line in wrap_line(block.text, pdf.epw, pdf.get_string_width):
        pdf.cell(0, line_h, line, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.text_mode = TextMode.FILL
    pdf.ln(2)


def _pdf_paragraph(pdf: Any, block: Block, align: str) -> None:
    pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
    if align != "L":
        text = block.text
    elif block.kind == "item":
        text = f"{PDF_LIST_BULLET}{block.text}"
    else:
        text = f"{PDF_INDENT}{block.text}"
    for line in wrap_line(text, pdf.epw, pdf.get_string_width):
        pdf.cell(0, BODY_LINE_MM, line, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.6)


def render_pdf(doc: SourceDoc, font_path: Path) -> bytes:
    """Build the PDF (A4, embedded CJK subset font, header/footer, metadata) and return bytes."""
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    check_glyphs(doc, font_path, PDF_FOOTER_FORMAT + PDF_LIST_BULLET + "0123456789")
    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.header_text = doc.short_title
    pdf.set_margins(left=22, top=24, right=22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_font(FONT_FAMILY, "", str(font_path), collection_font_number=0)
    pdf.set_creation_date(doc_datetime(doc))
    pdf.set_title(str(doc.meta["title"]))
    pdf.set_author(str(doc.meta.get("author", "")))
    pdf.set_subject(str(doc.meta.get("category", "")))
    pdf.set_keywords(", ".join(doc.meta.get("tags", [])))
    pdf.set_creator("studykb scripts/build_corpus.py")
    pdf.set_lang("zh-CN")
    pdf.add_page()
    for index, block in enumerate(doc.blocks):
        if block.kind == "heading":
            _pdf_heading(pdf, block)
        else:
            _pdf_paragraph(pdf, block, paragraph_align(doc.blocks, index))
    return bytes(pdf.output())


def write_pdf(doc: SourceDoc, dest: Path) -> None:
    """Write the PDF rendering (needs the CJK font)."""
    dest.write_bytes(render_pdf(doc, find_font()))


# ---------------------------------------------------------------------------
# Metadata (catalog.toml and sidecars)
# ---------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """Serialise a string, bool, int or list of those as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON strings are valid TOML basic strings
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise CorpusError(f"cannot write {value!r} as TOML")


def toml_table(meta: dict[str, Any]) -> list[str]:
    """key = value lines for a metadata mapping."""
    return [f"{key} = {toml_value(value)}" for key, value in meta.items()]


def render_catalog(docs: list[SourceDoc]) -> str:
    """catalog.toml text: one [documents."<output>"] table per catalogued document."""
    lines = [
        "# Generated by scripts/build_corpus.py from corpus_src/ - do not edit.",
        "# Documents with catalog = false or a .meta.toml sidecar are not listed here.",
        "",
    ]
    for doc in sorted((d for d in docs if d.in_catalog), key=lambda d: d.output):
        lines.append(f"[documents.{toml_value(doc.output)}]")
        lines.extend(toml_table(doc.metadata()))
        lines.append("")
    return "\n".join(lines)


def render_sidecar(doc: SourceDoc) -> str:
    """Sidecar <output>.meta.toml text with the metadata keys at top level."""
    return "\n".join(toml_table(doc.metadata())) + "\n"


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

WRITERS: dict[str, Callable[[SourceDoc, Path], None]] = {
    "pdf": write_pdf,
    "docx": write_docx,
    "html": write_html,
    "md": write_md,
    **{name: write_txt for name in TXT_ENCODINGS},
}


def build_document(doc: SourceDoc, out_dir: Path) -> list[Path]:
    """Write one document (and its sidecar, if any); return the written paths."""
    dest = out_dir / doc.output
    dest.parent.mkdir(parents=True, exist_ok=True)
    WRITERS[doc.fmt](doc, dest)
    written = [dest]
    if doc.has_sidecar:
        sidecar = dest.with_name(dest.name + SIDECAR_SUFFIX)
        sidecar.write_bytes(render_sidecar(doc).encode("utf-8"))
        written.append(sidecar)
    return written


def build_all(docs: list[SourceDoc], out_dir: Path, formats: Iterable[str] | None = None) -> list[Path]:
    """Build the given documents (optionally only some formats) plus catalog.toml."""
    wanted = set(formats) if formats is not None else set(FORMATS)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for doc in docs:
        if doc.fmt in wanted:
            written += build_document(doc, out_dir)
    catalog = out_dir / CATALOG_NAME
    catalog.write_bytes(render_catalog(docs).encode("utf-8"))
    return written + [catalog]


def stale_files(out_dir: Path, written: list[Path]) -> list[Path]:
    """Files under out_dir that this build did not produce."""
    keep = {p.resolve() for p in written}
    return sorted(p for p in out_dir.rglob("*") if p.is_file() and p.resolve() not in keep)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, default=SRC_DIR, help="source folder (default corpus_src/)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default corpus/)")
    args = parser.parse_args(argv)
    try:
        docs = load_sources(args.src)
        if not docs:
            raise CorpusError(f"no *.md sources in {args.src}")
        if any(d.fmt == "pdf" for d in docs):
            find_font()  # fail early, before writing anything
        written = build_all(docs, args.out)
    except CorpusError as exc:
        print(f"build_corpus: error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    for path in stale_files(args.out, written):
        print(f"build_corpus: warning: {path} is not produced by any source", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
