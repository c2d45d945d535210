"""Tests for scripts/build_corpus.py and the committed sample corpus under corpus/."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "scripts" / "build_corpus.py"
CORPUS = REPO_ROOT / "corpus"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# One sentence per PDF, copied from its source, that must come back out of pypdf.
KNOWN_SENTENCES = {
    "study-guide.pdf": "调查研究是我们党的传家宝，也是做好各项工作的基本功。",
    "excerpts-compilation.pdf": "中国式现代化是中国共产党领导的社会主义现代化。",
    "instructions.pdf": "党组织书记是第一责任人，要亲自抓部署、抓推进、抓落实；",
}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_corpus", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


bc = _load_script()
DOCS = bc.load_sources()
PDF_DOCS = [d for d in DOCS if d.fmt == "pdf"]
DOCX_DOCS = [d for d in DOCS if d.fmt == "docx"]
HTML_DOCS = [d for d in DOCS if d.fmt == "html"]
LEGACY_DOCS = [d for d in DOCS if d.fmt in ("txt-gb18030", "txt-big5")]


def _font_available() -> bool:
    try:
        bc.find_font()
    except bc.CorpusError:
        return False
    return True


needs_font = pytest.mark.skipif(not _font_available(), reason=f"apt-get install -y {bc.FONT_APT_PACKAGE}")


def squash(text: str) -> str:
    """Remove all whitespace (PDF extraction adds line breaks wherever the layout wrapped)."""
    return re.sub(r"\s+", "", text)


def pdf_body_text(doc: Any) -> str:
    """Extracted text of a committed PDF with each page's running header and footer removed."""
    import pypdf

    body: list[str] = []
    for number, page in enumerate(pypdf.PdfReader(CORPUS / doc.output).pages, start=1):
        lines = [ln for ln in page.extract_text().split("\n") if ln.strip()]
        assert lines[0].strip() == doc.short_title, f"page {number}: header {lines[0]!r}"
        footer = bc.PDF_FOOTER_FORMAT.format(page=number)
        assert lines[-1].strip() == footer, f"page {number}: footer {lines[-1]!r}"
        body += lines[1:-1]
    return "\n".join(body)


def sample_sentences(doc: Any) -> list[str]:
    """First full sentence of the first, middle and last long paragraph of a source."""
    paras = [b.text for b in doc.blocks if b.kind == "para" and len(b.text) >= 30]
    picks = {paras[0], paras[len(paras) // 2], paras[-1]}
    return [re.split(r"(?<=[。；])", p)[0] for p in sorted(picks)]


# --- building -----------------------------------------------------------------


def test_sources_parse_and_have_bodies() -> None:
    assert len(DOCS) >= 12
    for doc in DOCS:
        assert doc.blocks, doc.path
        assert any(b.kind == "para" for b in doc.blocks), doc.path


def test_non_pdf_sources_build(tmp_path: Path) -> None:
    formats = [f for f in bc.FORMATS if f != "pdf"]
    bc.build_all(DOCS, tmp_path, formats)
    for doc in DOCS:
        if doc.fmt != "pdf":
            assert (tmp_path / doc.output).stat().st_size > 0, doc.output


@needs_font
def test_pdf_sources_build(tmp_path: Path) -> None:
    bc.build_all(PDF_DOCS, tmp_path, ["pdf"])
    for doc in PDF_DOCS:
        assert (tmp_path / doc.output).read_bytes().startswith(b"%PDF-")


@needs_font
def test_pdf_list_items_and_latin_text_extract(tmp_path: Path) -> None:
    import pypdf

    sentence = "学习贯彻 Xi Jinping Thought 的体会，坚持 2023 年的部署。"
    body = "# 标题\n\n" + sentence * 8 + "\n\n- 第一条\n- 第二条\n"
    src = tmp_path / "src" / "x.md"
    src.parent.mkdir()
    front = '+++\noutput = "x.pdf"\nformat = "pdf"\ntitle = "测试文档"\n+++\n\n'
    src.write_text(front + body, encoding="utf-8")
    doc = bc.parse_source(src)
    bc.build_document(doc, tmp_path)
    text = pypdf.PdfReader(tmp_path / "x.pdf").pages[0].extract_text()
    assert squash("Xi Jinping Thought") in squash(text)
    assert squash(f"{bc.PDF_LIST_BULLET}第一条{bc.PDF_LIST_BULLET}第二条") in squash(text)


@needs_font
def test_build_is_byte_identical_on_rebuild(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    written = bc.build_all(DOCS, first)
    bc.build_all(DOCS, second)
    for path in written:
        rel = path.relative_to(first)
        assert path.read_bytes() == (second / rel).read_bytes(), rel


def test_committed_text_outputs_are_current(tmp_path: Path) -> None:
    """md/html/txt outputs, sidecars and catalog.toml in corpus/ match a fresh build."""
    text_formats = [f for f in bc.FORMATS if f not in ("pdf", "docx")]
    written = bc.build_all(DOCS, tmp_path, text_formats)
    for path in written:
        rel = path.relative_to(tmp_path)
        committed = CORPUS / rel
        assert committed.is_file(), f"{rel} missing: run python scripts/build_corpus.py"
        assert committed.read_bytes() == path.read_bytes(), f"{rel} stale: run python scripts/build_corpus.py"


def test_every_output_is_committed() -> None:
    for doc in DOCS:
        assert (CORPUS / doc.output).is_file(), doc.output


# --- PDFs ---------------------------------------------------------------------


def test_known_sentences_are_from_sources() -> None:
    by_output = {d.output: d for d in PDF_DOCS}
    for output, sentence in KNOWN_SENTENCES.items():
        assert sentence in by_output[output].body, output


@pytest.mark.parametrize("doc", PDF_DOCS, ids=lambda d: d.output)
def test_pdf_extracts_known_sentences(doc: Any) -> None:
    text = squash(pdf_body_text(doc))
    sentences = sample_sentences(doc) + [KNOWN_SENTENCES.get(doc.output, "")]
    for sentence in filter(None, sentences):
        assert squash(sentence) in text, sentence


@pytest.mark.parametrize("doc", PDF_DOCS, ids=lambda d: d.output)
def test_pdf_text_round_trips_exactly(doc: Any) -> None:
    expected = "".join(bc.PDF_LIST_BULLET + b.text if b.kind == "item" else b.text for b in doc.blocks)
    assert squash(pdf_body_text(doc)) == squash(expected)


@pytest.mark.parametrize("doc", PDF_DOCS, ids=lambda d: d.output)
def test_pdf_layout_font_and_metadata(doc: Any) -> None:
    import pypdf

    reader = pypdf.PdfReader(CORPUS / doc.output)
    assert len(reader.pages) >= 2, "header/footer handling needs multi-page samples"
    info = reader.metadata
    assert info is not None
    assert info.title == doc.meta["title"]
    assert info.author == doc.meta["author"]
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842), "A4"
        fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
        for font in fonts.values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), "font not embedded"


def test_missing_font_names_apt_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(bc.FONT_ENV_VAR, raising=False)
    monkeypatch.setattr(bc, "FONT_CANDIDATES", (tmp_path / "nope.ttc",))
    with pytest.raises(bc.CorpusError, match=bc.FONT_APT_PACKAGE):
        bc.find_font()
    assert bc.main(["--out", str(tmp_path / "out")]) == 1
    assert f"apt-get install -y {bc.FONT_APT_PACKAGE}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists(), "nothing may be written when the font is missing"


# --- other formats ------------------------------------------------------------


@pytest.mark.parametrize("doc", LEGACY_DOCS, ids=lambda d: d.output)
def test_legacy_encoded_text_files(doc: Any) -> None:
    data = (CORPUS / doc.output).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.decode(bc.TXT_ENCODINGS[doc.fmt]) == bc.plain_text(doc)


def _write_source(folder: Path, name: str, fmt: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(
        f'+++\noutput = "{name}.txt"\nformat = "{fmt}"\ntitle = "测试"\n+++\n\n{body}\n', encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("fmt", "body", "encoding"),
    [
        ("txt-gb18030", "学习贯彻党的二十大精神。", "gb18030"),
        ("txt-big5", "學習貫徹黨的二十大精神。", "big5"),
    ],
)
def test_txt_writer_encodings(tmp_path: Path, fmt: str, body: str, encoding: str) -> None:
    doc = bc.parse_source(_write_source(tmp_path / "src", "x", fmt, body))
    bc.build_document(doc, tmp_path)
    data = (tmp_path / "x.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.decode(encoding) == body + "\n"


def test_utf8_bom_writer(tmp_path: Path) -> None:
    doc = bc.parse_source(_write_source(tmp_path / "src", "x", "txt-utf8-bom", "正文。"))
    bc.build_document(doc, tmp_path)
    assert (tmp_path / "x.txt").read_bytes() == "\ufeff正文。\n".encode("utf-8")


def test_big5_refuses_simplified_text(tmp_path: Path) -> None:
    doc = bc.parse_source(_write_source(tmp_path / "src", "x", "txt-big5", "这个问题要认真对待。"))
    with pytest.raises(bc.CorpusError, match="Big5"):
        bc.build_document(doc, tmp_path)


@pytest.mark.parametrize("doc", DOCX_DOCS, ids=lambda d: d.output)
def test_docx_headings_and_properties(doc: Any) -> None:
    import docx

    document = docx.Document(str(CORPUS / doc.output))
    assert document.core_properties.title == doc.meta["title"]
    assert document.core_properties.author == doc.meta["author"]
    styled = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    got = [(name, text) for name, text in styled if name.startswith("Heading")]
    want = [(f"Heading {b.level}", b.text) for b in doc.blocks if b.kind == "heading"]
    assert got == want
    assert {"Heading 1", "Heading 2"} <= {name for name, _ in got}


@pytest.mark.parametrize("doc", HTML_DOCS, ids=lambda d: d.output)
def test_html_page_structure(doc: Any) -> None:
    page = (CORPUS / doc.output).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>{doc.meta['title']}</title>" in page
    assert f'<meta name="date" content="{doc.meta["date"]}">' in page
    assert "<h1>" in page and "<nav>" in page and "<footer" in page


def test_notice_metadata_left_to_inference() -> None:
    notice = next(d for d in DOCS if d.output == "notice.html")
    assert not notice.in_catalog and not notice.has_sidecar and "category" not in notice.meta
    assert "（2023年5月8日）" in (CORPUS / "notice.html").read_text(encoding="utf-8")


# --- metadata -----------------------------------------------------------------


def test_catalog_lists_exactly_the_catalogued_documents() -> None:
    catalog = tomllib.loads((CORPUS / bc.CATALOG_NAME).read_text(encoding="utf-8"))["documents"]
    expected = {d.output: d.metadata() for d in DOCS if d.in_catalog}
    assert catalog == expected
    assert all({"title", "date", "category"} <= set(meta) for meta in catalog.values())


def test_sidecars_hold_metadata_outside_the_catalog() -> None:
    catalog = tomllib.loads((CORPUS / bc.CATALOG_NAME).read_text(encoding="utf-8"))["documents"]
    for doc in DOCS:
        sidecar = CORPUS / (doc.output + bc.SIDECAR_SUFFIX)
        assert sidecar.exists() == doc.has_sidecar, doc.output
        if doc.has_sidecar:
            assert tomllib.loads(sidecar.read_text(encoding="utf-8")) == doc.metadata()
            assert doc.output not in catalog


# --- corpus content -----------------------------------------------------------


def test_corpus_size() -> None:
    han = sum(len(HAN.findall(doc.body)) for doc in DOCS)
    assert len(DOCS) >= 12
    assert han >= 40_000, f"only {han} Han characters in corpus_src bodies"


def test_compilation_reprints_two_excerpts_verbatim() -> None:
    excerpts = next(d for d in DOCS if d.output == "excerpts-compilation.pdf")
    compilation = next(d for d in DOCS if d.output == "instructions.pdf")
    items = {re.sub(r"^\d+\.\s*", "", b.text) for b in excerpts.blocks if b.kind == "para"}
    reprinted = [b.text for b in compilation.blocks if b.text in items]
    assert len(reprinted) >= 2


# --- parser and layout helpers ------------------------------------------------


def test_front_matter_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(bc.CorpusError, match=r"\+\+\+"):
        bc.parse_source(bad)
    bad.write_text('+++\noutput = "a.pdf"\nformat = "rtf"\ntitle = "t"\n+++\n正文\n', encoding="utf-8")
    with pytest.raises(bc.CorpusError, match="format"):
        bc.parse_source(bad)
    bad.write_text('+++\noutput = "../a.md"\nformat = "md"\ntitle = "t"\n+++\n正文\n', encoding="utf-8")
    with pytest.raises(bc.CorpusError, match="relative"):
        bc.parse_source(bad)


def test_parse_body_blocks() -> None:
    blocks = bc.parse_body("# 标题\n\n第一段\n续行。\n\n- 条目一\n- 条目二\n\n### 小节\n")
    assert blocks == [
        bc.Block("heading", "标题", 1),
        bc.Block("para", "第一段续行。"),
        bc.Block("item", "条目一"),
        bc.Block("item", "条目二"),
        bc.Block("heading", "小节", 3),
    ]


def test_wrap_line_keeps_width_and_punctuation_rules() -> None:
    text = "学习贯彻党的二十大精神，推进中国式现代化。“两个确立”具有决定性意义。" * 3
    lines = bc.wrap_line(text, 10, lambda s: float(len(s)))
    assert "".join(lines) == text
    for line in lines:
        assert line[0] not in bc.NO_LINE_START
        assert line[-1] not in bc.NO_LINE_END
        assert len(line.rstrip("".join(bc.NO_LINE_START))) <= 10
