"""Tests of PDF extraction on PDFs generated here: pages, furniture, encryption, damage, fallback."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.pdf import extract_pdf, garble_share, looks_garbled
from studykb.errors import ExtractionError
from tests.pdfs import raw_pdf

P1 = (
    "坚持和加强党的全面领导，是推进中国式现代化的根本保证。我们要深入学习贯彻新时代中国特色社会主义思想，"
    "不断提高政治判断力、政治领悟力、政治执行力。"
)
P2 = (
    "全面从严治党永远在路上，党的自我革命永远在路上。"
    "必须坚持以人民为中心的发展思想，着力解决好人民群众急难愁盼问题。"
)
P3 = (
    "教育是国之大计、党之大计。要加快建设教育强国、科技强国、人才强国，办好人民满意的教育，"
    "培养德智体美劳全面发展的社会主义建设者和接班人。"
)
P4 = (
    "要坚定不移走中国特色社会主义法治道路，全面推进国家各方面工作法治化，"
    "在法治轨道上全面建设社会主义现代化国家。"
)
P5 = "中国式现代化是人口规模巨大的现代化，是全体人民共同富裕的现代化，是物质文明和精神文明相协调的现代化。"
P6 = "坚持人与自然和谐共生，牢固树立和践行绿水青山就是金山银山的理念，站在人与自然和谐共生的高度谋划发展。"

HEADER = "《学习参考》2023年第5期 · {page}"
FOOTER = "- {page} -"


@pytest.fixture(scope="module")
def multipage(make_pdf: Callable[..., Path]) -> Path:
    pages = [
        ["第一章 总则", "\u3000\u3000" + P1, "\u3000\u3000" + P2],
        ["第二章 教育", "\u3000\u3000" + P3, "\u3000\u3000" + P4],
        ["第三章 发展", "\u3000\u3000" + P5, "\u3000\u3000" + P6],
    ]
    info = {"title": "学习参考资料", "author": "中央党校", "subject": "理论学习", "keywords": "党建, 学习"}
    return make_pdf("multi.pdf", pages, header=HEADER, footer=FOOTER, info=info)


def test_multipage_paragraphs_and_page_numbers(multipage: Path) -> None:
    result = extract(multipage)
    assert result.format == "pdf"
    assert result.pages == 3
    assert [(b.text, b.page) for b in result.blocks] == [
        ("第一章 总则", 1),
        (P1, 1),
        (P2, 1),
        ("第二章 教育", 2),
        (P3, 2),
        (P4, 2),
        ("第三章 发展", 3),
        (P5, 3),
        (P6, 3),
    ]
    assert all(b.heading_level is None for b in result.blocks)


def test_running_header_and_page_number_footer_removed(multipage: Path) -> None:
    text = extract(multipage).text
    assert "学习参考》" not in text
    assert "- 2 -" not in text
    assert "\n2\n" not in f"\n{text}\n"


def test_wrapped_lines_joined_without_spaces(multipage: Path) -> None:
    blocks = extract(multipage).blocks
    long_paragraph = next(b.text for b in blocks if b.text.startswith("坚持和加强"))
    assert "\n" not in long_paragraph
    assert " " not in long_paragraph


def test_pdf_info_becomes_meta(multipage: Path) -> None:
    meta = extract(multipage).meta
    assert meta == {
        "title": "学习参考资料",
        "author": "中央党校",
        "subject": "理论学习",
        "keywords": "党建, 学习",
        "date": "2023-05-24",
    }


def test_encrypted_with_empty_user_password_opens(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf("open.pdf", [[P1]], info={"title": "加密文件"}, encrypt=("", "owner-secret"))
    result = extract(path)
    assert [b.text for b in result.blocks] == [P1]
    assert result.meta["title"] == "加密文件"


def test_encrypted_with_password_is_rejected(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf("locked.pdf", [[P1]], encrypt=("user-secret", "owner-secret"))
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == "encrypted PDF: password required"


def test_truncated_pdf_is_corrupt(multipage: Path, tmp_path: Path) -> None:
    data = multipage.read_bytes()
    broken = tmp_path / "truncated.pdf"
    broken.write_bytes(data[: len(data) // 3])
    with pytest.raises(ExtractionError) as info:
        extract(broken)
    assert info.value.reason.startswith("corrupt PDF: ")
    assert "\n" not in info.value.reason


def test_file_without_pdf_header(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("这不是PDF文件", encoding="utf-8")
    with pytest.raises(ExtractionError, match="not a PDF file"):
        extract(path)


def test_page_with_only_a_rectangle_has_no_text_layer(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 80, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == "no text layer (scanned?)"


def test_blank_page_among_text_pages_is_reported(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf("blank.pdf", [[P1], [], [P2]])
    result = extract(path)
    assert [(b.text, b.page) for b in result.blocks] == [(P1, 1), (P2, 3)]
    assert "no text on page(s) 2 (blank or scanned)" in result.warnings


def test_office_export_title_is_tidied(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf("word.pdf", [[P1]], info={"title": "Microsoft Word - 学习通知.docx"})
    assert extract(path).meta["title"] == "学习通知"


def test_zero_byte_pdf_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "zero.pdf"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError, match="empty file"):
        extract(path)


# --- pypdfium2 fallback -------------------------------------------------------------------------


def _cid_pdf(lines: list[str], cmap: str, codec: str, ordering: str, font: str) -> bytes:
    """A PDF whose text uses a predefined Adobe CJK CMap and a non-embedded CID font.

    This is how many Chinese PDFs from older producers are built (PDF 1.7 table 118 lists the
    CMaps). pypdf does not implement GBKp-EUC-H or B5pc-H and reads their codes as UTF-16.
    """
    shows = " ".join(f"<{line.encode(codec).hex()}> Tj 0 -20 Td" for line in lines)
    content = f"BT /F1 14 Tf 72 760 Td {shows} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{font} /Encoding /{cmap}"
        " /DescendantFonts [6 0 R] >>".encode(),
        f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{font} /CIDSystemInfo"
        f" << /Registry (Adobe) /Ordering ({ordering}) /Supplement 2 >> /FontDescriptor 7 0 R >>".encode(),
        f"<< /Type /FontDescriptor /FontName /{font} /Flags 6 /FontBBox [0 -200 1000 900]"
        " /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".encode(),
    ]
    return raw_pdf(objects, version=b"1.4")


@pytest.mark.parametrize(
    ("lines", "cmap", "codec", "ordering", "font"),
    [
        (["第一章 总则", "中华人民共和国宪法是国家的根本法。"], "GBKp-EUC-H", "gbk", "GB1", "STSong-Light"),
        (["第一章 總則", "中華民國憲法是國家的根本大法。"], "B5pc-H", "big5", "CNS1", "MSung-Light"),
    ],
    ids=["gbk-mac-cmap", "big5-mac-cmap"],
)
def test_garbled_pypdf_page_falls_back_to_pdfium(
    tmp_path: Path, lines: list[str], cmap: str, codec: str, ordering: str, font: str
) -> None:
    from pypdf import PdfReader

    path = tmp_path / f"{cmap}.pdf"
    path.write_bytes(_cid_pdf(lines, cmap, codec, ordering, font))
    if not looks_garbled(PdfReader(path).pages[0].extract_text()):
        pytest.skip(f"this pypdf decodes {cmap}: the fallback is not exercised")
    result = extract_pdf(path)
    assert [b.text for b in result.blocks] == lines
    assert result.warnings == ("page 1: pypdf text garbled, used pypdfium2",)


def test_fallback_works_on_encrypted_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    lines = ["中华人民共和国宪法是国家的根本法。"]
    writer = PdfWriter(
        clone_from=PdfReader(io.BytesIO(_cid_pdf(lines, "GBKp-EUC-H", "gbk", "GB1", "STSong-Light")))
    )
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "encrypted-garbled.pdf"
    writer.write(path)
    assert [b.text for b in extract_pdf(path).blocks] == lines


# --- garble detector ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "坚持和加强党的全面领导，是推进中国式现代化的根本保证。",
        "中華民國憲法是國家的根本大法。",
        "2023年GDP增长5.2%，CPI同比上涨0.2%。",
        "The quick brown fox jumps over the lazy dog.",
        "第一章 总则 ①②③ ※ —— “引号” 《书名》",
        "",
    ],
    ids=["simplified", "traditional", "mixed-digits", "english", "symbols", "empty"],
)
def test_clean_text_is_not_garbled(text: str) -> None:
    assert not looks_garbled(text)


@pytest.mark.parametrize(
    "text",
    [
        "훐뮪죋쏱릲뫍맺쿜램ꆣ",  # GBK codes read as UTF-16 (pypdf on GBKp-EUC-H)
        "2ࣨ\n˜\nɚཧɚɧϋ\nʬ˜ɧɤ˚ɚཧɚɚϋ",  # CID codes read as Unicode (pypdf #2295)
        "\x00中\x00华\x00人\x00民\x00共\x00和\x00国",  # NUL-interleaved UTF-16
        "\ue000\ue001\ue002\ue003学习",  # private-use glyph codes
        "\ufffd\ufffd\ufffd\ufffd学习",  # replacement characters
        "(cid:123)(cid:456)(cid:789) 学习",  # pdfminer-style CID artefacts
        # rare Han from a wrong map
        "丟丠丢丣丩丮丯丱丳丵丷丼乀乁乂乄乆乊乑乕乗乚乛乢乣乤乥乧乨乪乫乬乭乮乯乲",
    ],
    ids=[
        "hangul-junk",
        "mixed-script-junk",
        "nul-interleaved",
        "private-use",
        "replacement",
        "cid",
        "rare-han",
    ],
)
def test_garbled_text_is_detected(text: str) -> None:
    assert looks_garbled(text)


def test_garble_share_counts_bad_characters() -> None:
    assert garble_share("学习\ufffd\ufffd") == pytest.approx(0.5)
    assert garble_share("   ") == 0.0
