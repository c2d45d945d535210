"""OCR of scanned PDF pages: reading order, scanned and mixed PDFs through ingest, cache, --no-ocr."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ingest.extract import extract
from ingest.ocr import OcrSettings, cache_dir, fix_punctuation, image_hash, needs_ocr, ocr_session
from ingest.ocr_accuracy import char_accuracy
from ingest.ocr_layout import OcrLine, find_column_gaps, reading_order
from ingest.pipeline import IngestOptions, ingest
from ingest.report import IngestReport

# Our own sample text: (text, is_heading) per page.
SCANNED_PAGES: list[list[tuple[str, bool]]] = [
    [
        ("第一章 学习制度", True),
        (
            "党支部应当每季度召开一次组织生活会，党员围绕学习内容逐一发言，"
            "相互提出改进意见，会后形成整改清单。",
            False,
        ),
        (
            "读书班采取集中学习与个人自学相结合的方式，每名学员至少撰写一篇心得体会，由支部统一汇编成册。",
            False,
        ),
    ],
    [
        ("第二章 实践活动", True),
        (
            "青年党员分组走进社区，协助开展垃圾分类宣传和老年人智能手机培训，用实际行动践行为民服务的承诺。",
            False,
        ),
        ("活动结束后，各小组在支部大会上汇报收获，评选出三个优秀案例，并在学习园地专栏展示。", False),
    ],
]
MIXED_TEXT_1 = [
    "第一部分 基本情况",
    "本单位现有党员四十二名，其中离退休党员九名，下设三个党支部，年度学习计划已经党委会审议通过。",
]
MIXED_SCAN_2: list[tuple[str, bool]] = [
    ("第二部分 图书资料", True),
    ("图书室新购置理论读物一百二十册，开放时间调整为每周二、周四下午，欢迎党员群众借阅。", False),
]
MIXED_TEXT_3 = ["第三部分 工作要求", "各支部要在月底前报送学习记录，党委办公室将进行抽查并通报结果。"]

DPI = 300
A5 = (5.83, 8.27)  # inches


def render(blocks: Sequence[tuple[str, bool]], font: Path, *, size: tuple[float, float] = A5) -> Any:
    """A clean 300-dpi greyscale 'scan' of `blocks`: 16 pt headings, 12 pt paragraphs indented by two
    characters."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(size[0] * DPI), int(size[1] * DPI)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    margin = int(0.6 * DPI)
    y = margin
    for text, heading in blocks:
        px = int((16 if heading else 12) * DPI / 72)
        face = ImageFont.truetype(str(font), px)
        text = text if heading else "\u3000\u3000" + text
        per_line = (width - 2 * margin) // px
        for start in range(0, len(text), per_line):
            draw.text((margin, y), text[start : start + per_line], font=face, fill=0)
            y += int(px * 1.5)
        y += int(px * 0.5)
    return image


# -- reading order (no OCR engine needed) -------------------------------------------------------


def line(text: str, x0: float, y0: float, x1: float, y1: float, confidence: float = 0.99) -> OcrLine:
    return OcrLine(text, confidence, x0, y0, x1, y1)


def test_two_columns_read_left_then_right_under_a_spanning_title() -> None:
    lines = [
        line("右栏第一行文字", 600, 140, 1000, 180),
        line("左栏第一行文字", 100, 140, 500, 180, 0.9),
        line("学习园地", 100, 60, 1000, 110),  # a title across both columns
        line("左栏第二行", 100, 200, 400, 240, 0.7),
        line("右栏第二行", 600, 200, 820, 240),
    ]
    assert find_column_gaps(lines) == [(500, 600)]
    paragraphs = reading_order(lines)
    assert [p.text for p in paragraphs] == [
        "学习园地",
        "左栏第一行文字左栏第二行",
        "右栏第一行文字右栏第二行",
    ]
    assert paragraphs[1].confidence == pytest.approx(0.8)


def test_a_box_drawn_into_the_gutter_keeps_the_columns() -> None:
    left = [line(f"左{i}", 100, 100 + 60 * i, 560 if i == 5 else 500, 140 + 60 * i) for i in range(21)]
    right = [line(f"右{i}", 600, 100 + 60 * i, 1000, 140 + 60 * i) for i in range(21)]
    assert find_column_gaps(left + right) == [(500, 600)]
    text = "".join(p.text for p in reading_order(right + left))
    assert text == "".join(f"左{i}" for i in range(21)) + "".join(f"右{i}" for i in range(21))


def test_centred_headings_over_full_lines_are_not_two_columns() -> None:
    lines = [
        line("第一章", 450, 60, 650, 100),
        line("正文第一行写满整个版心的宽度", 100, 140, 1000, 180),
        line("末行较短。", 100, 200, 300, 240),
        line("第二章", 450, 300, 650, 340),
        line("正文第二段也写满整个版心宽度", 100, 380, 1000, 420),
        line("末行。", 100, 440, 250, 480),
    ]
    assert find_column_gaps(lines) == []
    assert [p.text for p in reading_order(lines)] == [
        "第一章",
        "正文第一行写满整个版心的宽度末行较短。",
        "第二章",
        "正文第二段也写满整个版心宽度末行。",
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # full line, then an indented line: a new paragraph starts at the indent
        (
            [("第一段文字写满一整行内容", 100, 1000), ("第二段开头", 200, 700)],
            ["第一段文字写满一整行内容", "第二段开头"],
        ),
        # full line, then a line at the margin: the same paragraph continues
        (
            [("一段文字写满一整行内容", 100, 1000), ("接着写完。", 100, 500)],
            ["一段文字写满一整行内容接着写完。"],
        ),
        # a short line ends its paragraph
        ([("标题", 100, 300), ("正文从页边开始写满一行", 100, 1000)], ["标题", "正文从页边开始写满一行"]),
    ],
    ids=["indent-opens", "wrap-joins", "short-closes"],
)
def test_paragraphs_by_indent_and_short_lines(rows: list[tuple[str, int, int]], expected: list[str]) -> None:
    lines = [line(text, x0, 100 + 60 * i, x1, 140 + 60 * i) for i, (text, x0, x1) in enumerate(rows)]
    assert [p.text for p in reading_order(lines)] == expected


def test_boxes_on_one_row_are_joined_left_to_right() -> None:
    lines = [line("总则", 500, 100, 600, 140), line("第一章", 100, 102, 260, 141)]
    assert [p.text for p in reading_order(lines)] == ["第一章 总则"]


def test_needs_ocr_below_ten_characters() -> None:
    assert needs_ocr("") and needs_ocr(" 12 \n") and needs_ocr("第三章 附则")
    assert not needs_ocr("党支部应当每季度召开一次组织生活会")


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ('“两个确立"的决定性意义', "“两个确立”的决定性意义"),
        ('集中"体检"和"充电"', "集中“体检”和“充电”"),
        ("学习,思考;实践:总结?", "学习，思考；实践：总结？"),
        ('He said "yes", 2023,1', 'He said "yes", 2023,1'),
    ],
    ids=["closing-quote", "straight-quotes", "ascii-marks", "latin-untouched"],
)
def test_fix_punctuation(raw: str, fixed: str) -> None:
    assert fix_punctuation(raw) == fixed


# -- OCR through ingest ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scans(cjk_font: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus with an image-only PDF (2 pages) and a mixed PDF (text, scanned clipping, text)."""
    from fpdf import FPDF

    corpus = tmp_path_factory.mktemp("scans") / "corpus"
    corpus.mkdir()
    first, *rest = [render(page, cjk_font) for page in SCANNED_PAGES]
    first.save(corpus / "scanned.pdf", "PDF", resolution=DPI, save_all=True, append_images=rest)

    clipping = render(MIXED_SCAN_2, cjk_font, size=(A5[0], 2.2))
    clipping_path = corpus.parent / "clipping.png"
    clipping.save(clipping_path)
    pdf = FPDF(format=(148, 210))  # A5 in mm
    pdf.add_font("zh", fname=str(cjk_font))
    for paragraphs in (MIXED_TEXT_1, None, MIXED_TEXT_3):
        pdf.add_page()
        if paragraphs is None:  # a pasted scan in the upper part of the page: rendered, not extracted
            pdf.image(str(clipping_path), x=0, y=10, w=pdf.w)
            continue
        pdf.set_font("zh", size=12)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 8, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(corpus / "mixed.pdf"))
    return corpus


@pytest.fixture(scope="module")
def scanned_index(scans: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestReport]:
    """The corpus of `scans` ingested with OCR into a fresh data dir."""
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR needs `pip install rapidocr-onnxruntime`")
    data = tmp_path_factory.mktemp("ocr-data")
    return data, ingest([scans], data, IngestOptions(model="minilm"))


def outcome(report: IngestReport, path: str) -> Any:
    return next(o for o in report.outcomes if o.path == path)


@pytest.mark.slow
def test_scanned_pages_are_ocred_and_reported(scanned_index: tuple[Path, IngestReport]) -> None:
    _, report = scanned_index
    scanned, mixed = outcome(report, "scanned.pdf"), outcome(report, "mixed.pdf")
    assert (scanned.status, scanned.ocr_pages, scanned.ocr_cached) == ("added", 2, 0)
    assert (mixed.status, mixed.ocr_pages, mixed.ocr_cached) == ("added", 1, 0)
    assert report.exit_code == 0
    assert report.to_json()["ocr"]["pages"] == 3
    assert report.ocr_summary().startswith("OCR: 3 page(s) in 2 file(s), 0 from cache")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "path", "page", "ocr"),
    [
        ("组织生活会", "scanned.pdf", 1, True),
        ("垃圾分类宣传", "scanned.pdf", 2, True),
        ("年度学习计划", "mixed.pdf", 1, False),
        ("图书室新购置理论读物", "mixed.pdf", 2, True),
        ("报送学习记录", "mixed.pdf", 3, False),
    ],
    ids=["scan-p1", "scan-p2", "mixed-text-p1", "mixed-scan-p2", "mixed-text-p3"],
)
def test_search_finds_ocr_passages_on_their_pages(
    scanned_index: tuple[Path, IngestReport], query: str, path: str, page: int, ocr: bool
) -> None:
    from search.engine import Engine

    data, _ = scanned_index
    hit = Engine.open(data).search(query, k=3).hits[0]
    assert (hit.document.path, hit.page) == (path, page)
    assert query in hit.text
    if ocr:
        assert hit.ocr_confidence is not None and 0.8 <= hit.ocr_confidence <= 1
    else:
        assert hit.ocr_confidence is None


@pytest.mark.slow
def test_character_accuracy_on_clean_scans(
    scanned_index: tuple[Path, IngestReport], record_property: Any
) -> None:
    from search.engine import Engine

    data, _ = scanned_index
    engine = Engine.open(data)
    doc = next(d for d in engine.documents() if d.path == "scanned.pdf")
    _, text, _ = engine.document(doc.id)
    reference = "".join(t for page in SCANNED_PAGES for t, _ in page)
    accuracy = char_accuracy(reference, text)
    record_property("ocr_char_accuracy", round(accuracy, 4))
    print(f"OCR character accuracy on clean 300-dpi scans: {accuracy:.4f}")
    assert accuracy >= 0.9


@pytest.mark.slow
def test_same_page_images_come_from_the_cache(scans: Path, scanned_index: tuple[Path, IngestReport]) -> None:
    data, first = scanned_index
    assert len(list(cache_dir(data).rglob("*.json"))) == 3
    shutil.copy(scans / "scanned.pdf", scans / "scanned-copy.pdf")
    try:
        again = ingest([scans], data, IngestOptions())
    finally:
        (scans / "scanned-copy.pdf").unlink()
    copy = outcome(again, "scanned-copy.pdf")
    assert (copy.status, copy.ocr_pages, copy.ocr_cached) == ("added", 0, 2)
    assert again.ocr_summary().startswith("OCR: 2 page(s) in 1 file(s), 2 from cache")


@pytest.mark.slow
def test_low_confidence_pages_are_listed(scans: Path, scanned_index: tuple[Path, IngestReport]) -> None:
    data, _ = scanned_index
    # From the cache (no OCR runs); a threshold above any real confidence flags every page.
    with ocr_session(OcrSettings(cache_dir(data), low_confidence=1.01)) as session:
        result = extract(scans / "scanned.pdf")
    assert session.stats().cached == 2 and session.stats().pages == 0
    assert [page for page, _ in session.stats().low_confidence] == [1, 2]
    assert any(w.startswith("low OCR confidence (below 1.01) on page(s) 1 (") for w in result.warnings)
    assert "OCR on page(s) 1-2 (mean confidence" in result.warnings[0]


ORIENTATION_LINES = ["第一行：学习贯彻会议精神。", "第二行：组织党员集中研讨。", "第三行：撰写心得体会文章。"]


def orientation_sample(font: Path, how: str) -> Any:
    """Three short lines (or, for "vertical", three columns right to left), turned as `how` says."""
    from PIL import Image, ImageDraw, ImageFont

    face = ImageFont.truetype(str(font), 50)
    if how == "vertical":
        image = Image.new("L", (700, 1050), 255)
        draw = ImageDraw.Draw(image)
        for column, text in enumerate(ORIENTATION_LINES):
            for row, char in enumerate(text.rstrip("。")):
                draw.text((550 - 150 * column, 100 + 62 * row), char, font=face, fill=0)
        return image
    image = Image.new("L", (1500, 700), 255)
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(ORIENTATION_LINES):
        draw.text((100, 100 + 150 * row), text, font=face, fill=0)
    return image.rotate(
        {"upright": 0, "clockwise": -90, "counter-clockwise": 90, "upside-down": 180}[how], expand=True
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "orientation"),
    [
        ("upright", "upright"),
        ("clockwise", "top-at-right"),
        ("counter-clockwise", "top-at-left"),
        ("upside-down", "upside-down"),
        ("vertical", "top-at-right"),
    ],
    ids=["upright", "turned-cw", "turned-ccw", "upside-down", "vertical-text"],
)
def test_turned_pages_and_vertical_text_read_in_order(cjk_font: Path, how: str, orientation: str) -> None:
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR needs `pip install rapidocr-onnxruntime`")
    from ingest.ocr_engine import recognise

    result = recognise(orientation_sample(cjk_font, how))
    assert result.orientation == orientation
    text = "".join(p.text for p in reading_order(result.lines))
    marks = ["第一", "第二", "第三"]
    assert all(mark in text for mark in marks), text
    assert [text.index(mark) for mark in marks] == sorted(text.index(mark) for mark in marks)
    assert "组织党员集中研讨" in text


def test_missing_rapidocr_names_the_pip_command(scans: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from ingest import ocr_engine
    from studykb.errors import ConfigError

    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # as if not installed
    monkeypatch.setattr(ocr_engine, "_ENGINE", None)
    with pytest.raises(ConfigError, match=r"pip install rapidocr-onnxruntime"), ocr_session(OcrSettings()):
        extract(scans / "scanned.pdf")


def test_cache_key_is_the_page_image(cjk_font: Path) -> None:
    page = render(SCANNED_PAGES[0], cjk_font)
    assert image_hash(page) == image_hash(page.copy())
    assert image_hash(page) != image_hash(render(SCANNED_PAGES[1], cjk_font))


def test_without_ocr_a_scan_has_no_text_layer(scans: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from studykb_cli.main import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(scans / "scanned.pdf", corpus / "scanned.pdf")
    args = [
        "ingest",
        str(corpus),
        "--data-dir",
        str(tmp_path / "data"),
        "--model",
        "minilm",
        "--no-ocr",
        "--json",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    failed = [(o["path"], o["reason"]) for o in report["outcomes"] if o["status"] == "failed"]
    assert failed == [("scanned.pdf", "no text layer (scanned?)")]
    assert report["ocr"]["pages"] == 0


def test_a_garbled_text_layer_is_replaced_by_ocr(cjk_font: Path, tmp_path: Path) -> None:
    """A page whose text layer reads as Hangul (what CID codes without a Unicode map turn into) over
    a rendered Chinese page: both extractors give the garbled layer, OCR gives the page's text."""
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR needs `pip install rapidocr-onnxruntime`")
    from fpdf import FPDF
    from fpdf.enums import TextMode

    from ingest.pdf import looks_garbled

    image_path = tmp_path / "page.png"
    render(MIXED_SCAN_2, cjk_font, size=(A5[0], 2.2)).save(image_path)
    pdf = FPDF(format=(148, 210))
    pdf.add_font("zh", fname=str(cjk_font))
    pdf.add_page()
    pdf.image(str(image_path), x=0, y=10, w=pdf.w)
    pdf.set_font("zh", size=10)
    pdf.text_mode = TextMode.INVISIBLE
    pdf.set_xy(10, 20)
    pdf.multi_cell(0, 6, "가나다라마바사아자차카타파하 " * 6)
    path = tmp_path / "garbled.pdf"
    pdf.output(str(path))

    plain = extract(path)
    assert looks_garbled(" ".join(b.text for b in plain.blocks))  # without OCR: the layer as it is
    with ocr_session(OcrSettings()):
        read = extract(path)
    text = "".join(b.text for b in read.blocks)
    assert char_accuracy("".join(t for t, _ in MIXED_SCAN_2), text) > 0.95, text
    assert all(b.page == 1 and b.ocr_confidence for b in read.blocks)
    assert "page(s) 1: garbled text layer, read by OCR" in read.warnings
