"""PDF extraction speed: pages/s of `ingest.extract.extract` (pypdf + cleaning) and of pypdfium2.

Generates a Chinese PDF of --pages pages (default 320) with fpdf2 and a CJK TrueType font
(WenQuanYi Zen Hei from Debian's fonts-wqy-zenhei, or $STUDYKB_CJK_FONT), with a running header
and page-number footers that cleaning must remove, then times in one process:

- `ingest.extract.extract(path)`: what ingestion runs (pypdf per page, pdfium only for pages that
  come out empty or garbled, then header/footer removal and line joining);
- raw pypdf text extraction alone, and the cleaning step alone;
- raw pypdfium2 text extraction, and pypdfium2 followed by the same cleaning.

Quality: the share of generated paragraphs found verbatim in each path's cleaned text. Times are
CPU seconds of this process (single-threaded work; robust to the other jobs on this machine).

Usage: python bench/extract.py [--pages 320] [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from common import cache_dir, cpu_timed, emit, timed

FONT_ENV = "STUDYKB_CJK_FONT"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
)
HEADER = "合成学习材料汇编（基准测试用）"


class FontMissing(SystemExit):
    """No CJK TrueType font: the message says what to install."""


def find_font() -> Path:
    """A CJK TrueType font: $STUDYKB_CJK_FONT, WenQuanYi Zen Hei, or what fontconfig offers."""
    override = os.environ.get(FONT_ENV)
    if override:
        if Path(override).is_file():
            return Path(override)
        raise FontMissing(f"{FONT_ENV}={override} does not exist")
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    if shutil.which("fc-match"):
        for family in ("WenQuanYi Zen Hei", "Noto Sans CJK SC"):
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", family], capture_output=True, text=True
            ).stdout
            if found and any(k in found.lower() for k in ("wqy", "cjk", "zenhei")) and Path(found).is_file():
                return Path(found)
    raise FontMissing(
        "no CJK TrueType font found: install one with `apt-get install -y fonts-wqy-zenhei` "
        f"(or fonts-noto-cjk), or point {FONT_ENV} at a .ttf/.ttc with Chinese glyphs"
    )


def make_pdf(path: Path, pages: int, font: Path, seed: int = 3) -> list[str]:
    """Write a PDF of at least `pages` pages; return its paragraphs (the expected text)."""
    import logging

    from fpdf import FPDF
    from synth import passages

    logging.getLogger("fontTools").setLevel(logging.ERROR)

    class _Pdf(FPDF):
        def header(self) -> None:
            self.set_font("cjk", size=9)
            self.cell(0, 8, HEADER, align="C", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("cjk", size=9)
            self.cell(0, 8, f"— {self.page_no()} —", align="C")

    pdf = _Pdf(format="A4")
    pdf.set_margins(22, 22, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_font(
        "cjk", "", str(font), **({"collection_font_number": 0} if font.suffix.lower() == ".ttc" else {})
    )
    pdf.add_page()
    pdf.set_font("cjk", size=11)
    per_line = int(pdf.epw // pdf.get_string_width("中"))
    stream = passages(pages * 40, seed)
    paragraphs: list[str] = []
    chapter = 0
    while pdf.page_no() < pages:
        if len(paragraphs) % 12 == 0:
            chapter += 1
            pdf.set_font("cjk", size=14)
            pdf.cell(0, 10, f"第{chapter}章　专题学习", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", size=11)
        text = "\u3000\u3000" + next(stream)[1]
        paragraphs.append(text.strip("\u3000"))
        for i in range(0, len(text), per_line):
            pdf.cell(0, 6.2, text[i : i + per_line], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.output(str(path))
    return paragraphs


def _found(paragraphs: list[str], text: str) -> float:
    """Share of `paragraphs` that appear verbatim (whitespace ignored) in `text`."""
    flat = "".join(text.split())
    return sum("".join(p.split()) in flat for p in paragraphs) / len(paragraphs)


def measure(pages: int) -> dict[str, Any]:
    """Generate (or reuse) the PDF and time each extraction path."""
    import pypdfium2
    from pypdf import PdfReader

    from ingest.clean import clean_pages
    from ingest.extract import extract

    font = find_font()
    path = cache_dir() / f"bench-{pages}p-{font.stem}.pdf"
    expected_file = path.with_suffix(".txt")
    if not (path.exists() and expected_file.exists()):
        paragraphs, gen_s = timed(lambda: make_pdf(path, pages, font))
        expected_file.write_text("\n".join(paragraphs), encoding="utf-8")
    else:
        paragraphs, gen_s = expected_file.read_text(encoding="utf-8").split("\n"), 0.0

    extracted, extract_s = cpu_timed(lambda: extract(path))
    n = extracted.pages or pages

    def pypdf_raw() -> list[str]:
        return [page.extract_text() or "" for page in PdfReader(path).pages]

    def pdfium_raw() -> list[str]:
        doc = pypdfium2.PdfDocument(path)
        try:
            out = []
            for page in doc:
                textpage = page.get_textpage()
                out.append(str(textpage.get_text_range()).replace("\r\n", "\n"))
                textpage.close()
                page.close()
            return out
        finally:
            doc.close()

    pypdf_texts, pypdf_s = cpu_timed(pypdf_raw)
    cleaned, clean_s = cpu_timed(lambda: clean_pages(pypdf_texts))
    pdfium_texts, pdfium_s = cpu_timed(pdfium_raw)
    pdfium_cleaned, pdfium_clean_s = cpu_timed(lambda: clean_pages(pdfium_texts))
    pipeline_text = "\n".join(b.text for b in extracted.blocks)
    return {
        "pages": n,
        "font": font.name,
        "pdf_mb": path.stat().st_size / 2**20,
        "generate_s": gen_s,
        "extract_pages_per_s": n / extract_s,
        "extract_s": extract_s,
        "pypdf_raw_pages_per_s": n / pypdf_s,
        "clean_pages_per_s": n / clean_s,
        "pdfium_raw_pages_per_s": n / pdfium_s,
        "pdfium_plus_clean_pages_per_s": n / (pdfium_s + pdfium_clean_s),
        "speedup_pdfium_plus_clean_vs_extract": extract_s / (pdfium_s + pdfium_clean_s),
        "pages_read_with_pdfium_in_extract": sum("used pypdfium2" in w for w in extracted.warnings),
        "paragraphs_verbatim_extract": _found(paragraphs, pipeline_text),
        "paragraphs_verbatim_pdfium_plus_clean": _found(
            paragraphs, "\n".join(p for ps in pdfium_cleaned for p in ps)
        ),
        "paragraphs_verbatim_pypdf_plus_clean": _found(
            paragraphs, "\n".join(p for ps in cleaned for p in ps)
        ),
        "header_left_in_extract": pipeline_text.count(HEADER),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=320)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    emit(f"PDF extraction, {args.pages} pages", measure(args.pages), args.json)


if __name__ == "__main__":
    main()
