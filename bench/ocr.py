"""OCR speed and accuracy: pages/s, first-page latency and character accuracy on clean 300-dpi scans.

Renders paragraphs of our sample corpus sources (corpus_src/*.md) as A4 pages at 300 dpi with a CJK
font (12 pt body, paragraphs indented two characters; the last page in two columns), wraps them as an
image-only PDF, and in this one process measures:

- first-page latency: importing RapidOCR, loading its models and reading page 1 (a cold start);
- pages/s (and CPU seconds per page, all threads) of `ingest.extract.extract` inside an OCR session
  with the engine warm and an empty cache;
- pages/s of the same run again, served from the OCR cache;
- character accuracy per page: 1 - edit distance / reference length, after `studykb.text.normalize`
  and without whitespace (punctuation counts; a half-width comma for a full-width one is an error).

Usage: python bench/ocr.py [--pages 4] [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, emit, machine

DPI = 300
A4 = (8.27, 11.69)
FONT_CANDIDATES = (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),)


def find_font() -> Path:
    """WenQuanYi Zen Hei (Debian fonts-wqy-zenhei) or what fontconfig offers for it."""
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "WenQuanYi Zen Hei"], capture_output=True, text=True
        ).stdout
        if "wqy" in found.lower() and Path(found).is_file():
            return Path(found)
    raise SystemExit("no CJK font: apt-get install -y fonts-wqy-zenhei")


def paragraphs() -> list[str]:
    """Body paragraphs of corpus_src/*.md (front matter, headings, tables and lists left out)."""
    out: list[str] = []
    for path in sorted((ROOT / "corpus_src").glob("*.md")):
        text = re.sub(r"\A\+\+\+.*?\+\+\+", "", path.read_text(encoding="utf-8"), flags=re.S)
        for block in text.split("\n\n"):
            block = block.strip()
            prose = not re.match(r"[#|>\-*]", block) and re.search(r"[\u4e00-\u9fff]{10}", block)
            if len(block) >= 40 and prose:
                out.append(re.sub(r"\s+", "", block))
    return out


def render_pages(texts: list[str], n_pages: int, font: Path) -> list[tuple[Any, str]]:
    """`n_pages` page images and the text on each (the last page in two columns)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(A4[0] * DPI), int(A4[1] * DPI)
    margin, gutter, px = int(0.9 * DPI), int(0.35 * DPI), int(12 * DPI / 72)
    face = ImageFont.truetype(str(font), px)
    source = iter(texts)
    pages: list[tuple[Any, str]] = []
    for number in range(1, n_pages + 1):
        columns = 2 if number == n_pages and n_pages > 1 else 1
        col_width = (width - 2 * margin - (columns - 1) * gutter) // columns
        per_line = col_width // px
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        written: list[str] = []
        for column in range(columns):
            x, y = margin + column * (col_width + gutter), margin
            while True:
                text = next(source, None)
                if text is None:
                    break
                rows = [("\u3000\u3000" + text)[i : i + per_line] for i in range(0, len(text) + 2, per_line)]
                if y + len(rows) * int(px * 1.5) > height - margin:
                    source = iter([text, *source])
                    break
                for row in rows:
                    draw.text((x, y), row, font=face, fill=0)
                    y += int(px * 1.5)
                y += int(px * 0.5)
                written.append(text)
        pages.append((image, "".join(written)))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", type=int, default=4, help="pages to render and OCR (the last in two columns)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    pages = render_pages(paragraphs(), args.pages, find_font())
    work = Path(tempfile.mkdtemp(prefix="studykb-ocr-bench-"))
    try:
        pdf = work / "scan.pdf"
        pages[0][0].save(pdf, "PDF", resolution=DPI, save_all=True, append_images=[p for p, _ in pages[1:]])
        figures = run(pdf, pages, work / "ocr-cache")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["machine"] = machine()
    emit("OCR (RapidOCR, clean 300-dpi A4 scans)", figures, args.json)


def run(pdf: Path, pages: list[tuple[Any, str]], cache: Path) -> dict[str, Any]:
    """Time the cold first page, the warm run, the cached run; measure accuracy per page."""
    from ingest.extract import extract
    from ingest.ocr import OcrSettings, ocr_session
    from ingest.ocr_accuracy import char_accuracy

    t0 = time.perf_counter()
    from ingest.ocr_engine import load_engine, recognise

    load_engine()
    loaded = time.perf_counter()
    recognise(pages[0][0])
    first_page = time.perf_counter() - t0

    t, cpu = time.perf_counter(), time.process_time()
    with ocr_session(OcrSettings(cache)) as session:
        extracted = extract(pdf)
    warm, warm_cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    with ocr_session(OcrSettings(cache)) as cached_session:
        extract(pdf)
    cached = time.perf_counter() - t

    by_page: dict[int, str] = {}
    for block in extracted.blocks:
        by_page[block.page or 0] = by_page.get(block.page or 0, "") + block.text
    scores = [char_accuracy(reference, by_page.get(n, "")) for n, (_, reference) in enumerate(pages, start=1)]
    confidences = [b.ocr_confidence for b in extracted.blocks if b.ocr_confidence is not None]
    n = len(pages)
    return {
        "pages": n,
        "characters": sum(len(reference) for _, reference in pages),
        "onnx_threads": min(4, os.cpu_count() or 1),
        "import_and_model_load_s": round(loaded - t0, 2),
        "first_page_latency_s": round(first_page, 2),
        "warm_pages_per_s": round(n / warm, 3),
        "warm_s_per_page": round(warm / n, 2),
        "warm_cpu_s_per_page": round(warm_cpu / n, 2),
        "cached_pages_per_s": round(n / cached, 2),
        "ocr_pages_run": session.stats().pages,
        "ocr_pages_from_cache_on_rerun": cached_session.stats().cached,
        "char_accuracy_mean": round(statistics.fmean(scores), 4),
        "char_accuracy_min_page": round(min(scores), 4),
        "char_accuracy_two_column_page": round(scores[-1], 4),
        "mean_line_confidence": round(statistics.fmean(confidences), 4) if confidences else None,
    }


if __name__ == "__main__":
    main()
