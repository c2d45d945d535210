"""PDF text extraction: pypdf per page, pypdfium2 where pypdf's text is empty or garbled."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from ingest.clean import clean_pages, iso_date
from ingest.decode import is_common_han
from ingest.ocr import ocr_active, ocr_scanned_pages
from ingest.records import Block, Extracted
from ingest.report import page_ranges
from studykb.errors import ExtractionError

__all__ = ["extract_pdf", "garble_share", "looks_garbled"]

# Share of suspicious characters above which page text is taken to be garbled.
_GARBLED = 0.1
_CID = re.compile(r"\(cid:\d+\)")
# Code point ranges expected in Chinese study material (anything else counts as suspicious):
# Latin, Greek, Cyrillic; punctuation, symbols, arrows, maths, enclosed numbers, box drawing;
# CJK radicals, punctuation, kana, bopomofo, enclosed/compatibility CJK, ideographs; CJK
# compatibility ideographs and forms; full-width forms; supplementary ideographs.
_EXPECTED = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x370, 0x4FF),
    (0x2000, 0x2BFF),
    (0x2E80, 0x2FDF),
    (0x3000, 0x312F),
    (0x3190, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3134F),
)
_META = {"/Title": "title", "/Author": "author", "/Subject": "subject", "/Keywords": "keywords"}
# Titles that Office's PDF export makes from the file name: "Microsoft Word - 通知.docx".
_WORD_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.IGNORECASE)
_WORD_SUFFIX = re.compile(r"\.(?:docx?|pptx?|xlsx?|wps)$", re.IGNORECASE)


def _expected(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _EXPECTED)


def garble_share(text: str) -> float:
    """Share of non-space characters in `text` that suggest a broken font mapping.

    Counted: U+FFFD, private-use, control and unassigned characters, `(cid:N)` artefacts,
    characters of scripts foreign to Chinese material (Hangul, Yi, Tibetan, IPA… which is what
    CID codes read as Unicode turn into), and, when there are 20 or more Han characters of which
    under half are common, the rare ones (valid-looking ideographs from a wrong mapping).
    """
    cids = _CID.findall(text)
    text = _CID.sub("", text)
    chars = [c for c in text if not c.isspace()]
    total = len(chars) + len(cids)
    if not total:
        return 0.0
    bad = len(cids)
    han = rare = 0
    for char in chars:
        code = ord(char)
        if char == "\ufffd" or not _expected(code) or unicodedata.category(char) in ("Co", "Cn", "Cc"):
            bad += 1
        elif 0x3400 <= code <= 0x9FFF:
            han += 1
            rare += not is_common_han(char)
    if han >= 20 and rare > han / 2:
        bad += rare
    return bad / total


def looks_garbled(text: str) -> bool:
    """True when more than a tenth of `text` looks like mis-mapped glyphs (see `garble_share`)."""
    return garble_share(text) > _GARBLED


def extract_pdf(path: Path) -> Extracted:
    """Extract the paragraphs of a PDF, one Block per paragraph with its 1-based page number.

    Each page is read with pypdf; a page whose text is empty or garbled (see `looks_garbled`) is
    read again with pypdfium2 and the better text kept, with a warning. Running headers, footers
    and page numbers are removed and wrapped lines rejoined (`ingest.clean.clean_pages`).
    Meta: title, author, subject, keywords and date (from CreationDate) of the PDF info.
    Inside an OCR session (`ingest.ocr.ocr_session`, opened by the ingest worker unless --no-ocr)
    pages with fewer than 10 characters of text are OCR'd instead; their blocks carry
    `ocr_confidence`. Raises ExtractionError for corrupt files, encrypted files that need a
    password, and PDFs where no page has text ("no text layer (scanned?)"; with OCR: "no text
    layer, and OCR found no text …").
    """
    reader, password = _open(path)
    warnings: list[str] = []
    texts: list[str] = []
    fallback = _Pdfium(path, password)
    try:
        for number in range(1, len(reader.pages) + 1):
            try:
                text = reader.pages[number - 1].extract_text() or ""
            except Exception as exc:  # pypdf raises many types on damaged pages and content streams
                warnings.append(f"page {number}: pypdf failed ({_one_line(exc)})")
                text = ""
            if not text.strip() or looks_garbled(text):
                text = _better_text(number, text, fallback, warnings)
            texts.append(text)
    finally:
        fallback.close()
    # OCR hook: inside an OCR session, pages with (almost) no text layer, or a layer that is still
    # garbled after both extractors (a font without a Unicode mapping), are read from their image.
    garbled = {n for n, text in enumerate(texts, start=1) if text.strip() and looks_garbled(text)}
    layers = ["" if n in garbled else text for n, text in enumerate(texts, start=1)]
    ocr_blocks = ocr_scanned_pages(reader, path, password, layers, warnings)
    if replaced := sorted(garbled & set(ocr_blocks)):
        warnings.append(f"page(s) {page_ranges(replaced)}: garbled text layer, read by OCR")
    empty = [n for n, text in enumerate(texts, start=1) if not text.strip() and n not in ocr_blocks]
    if len(empty) == len(texts):
        if ocr_active():
            raise ExtractionError(path, "no text layer, and OCR found no text (blank or unreadable scan?)")
        raise ExtractionError(path, "no text layer (scanned?)")
    if empty:
        warnings.append(f"no text on page(s) {page_ranges(empty)} (blank or scanned)")
    cleaned = clean_pages(["" if n in ocr_blocks else text for n, text in enumerate(texts, start=1)])
    blocks = tuple(
        block
        for number, paragraphs in enumerate(cleaned, start=1)
        for block in ocr_blocks.get(number) or [Block(paragraph, page=number) for paragraph in paragraphs]
    )
    return Extracted(blocks, "pdf", pages=len(texts), meta=_meta(reader), warnings=tuple(warnings))


def _open(path: Path) -> tuple[Any, str | None]:
    """A pypdf reader for `path`, decrypted when needed, and the password that worked."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    with open(path, "rb") as handle:
        if b"%PDF-" not in handle.read(1024):
            raise ExtractionError(path, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(path)
        password = None
        if reader.is_encrypted:
            password = ""
            if not reader.decrypt(""):
                raise ExtractionError(path, "encrypted PDF: password required")
        len(reader.pages)
    except ExtractionError:
        raise
    except FileNotDecryptedError:
        raise ExtractionError(path, "encrypted PDF: password required") from None
    except DependencyError as exc:
        raise ExtractionError(path, f"encrypted PDF: {_one_line(exc)}") from None
    except Exception as exc:  # pypdf signals damage with many exception types
        raise ExtractionError(path, f"corrupt PDF: {_one_line(exc)}") from None
    return reader, password


class _Pdfium:
    """The same PDF opened lazily with pypdfium2, only if a page needs it."""

    def __init__(self, path: Path, password: str | None) -> None:
        self.path = path
        self.password = password
        self.doc: Any = None
        self.failed = False

    def page_text(self, number: int) -> str:
        """Text of 1-based page `number`, or "" when pypdfium2 cannot read it."""
        if self.failed:
            return ""
        try:
            if self.doc is None:
                import pypdfium2

                self.doc = pypdfium2.PdfDocument(self.path, password=self.password or None)
            page = self.doc[number - 1]
            textpage = page.get_textpage()
            text = str(textpage.get_text_range())
            textpage.close()
            page.close()
        except Exception:  # a page pdfium cannot parse keeps pypdf's text
            self.failed = self.doc is None
            return ""
        return text.replace("\r\n", "\n")

    def close(self) -> None:
        """Release the pdfium document if one was opened."""
        if self.doc is not None:
            self.doc.close()


def _better_text(number: int, text: str, fallback: _Pdfium, warnings: list[str]) -> str:
    """Page text from pdfium when it beats pypdf's empty or garbled `text`; notes the choice."""
    alternative = fallback.page_text(number)
    if not alternative.strip():
        if text.strip():
            warnings.append(f"page {number}: text looks garbled (font without Unicode mapping?)")
        return text
    why = "garbled" if text.strip() else "empty"
    if why == "empty" or garble_share(alternative) < garble_share(text):
        warnings.append(f"page {number}: pypdf text {why}, used pypdfium2")
        if looks_garbled(alternative):
            warnings.append(f"page {number}: text looks garbled (font without Unicode mapping?)")
        return alternative
    warnings.append(f"page {number}: text looks garbled (font without Unicode mapping?)")
    return text


def _meta(reader: Any) -> dict[str, str]:
    """Title, author, subject, keywords and ISO date from the PDF document info."""
    try:
        info = reader.metadata or {}
        raw = {key: _resolve(info.get(key)) for key in (*_META, "/CreationDate")}
    except Exception:  # a damaged info dictionary is not worth failing the file for
        return {}
    meta: dict[str, str] = {}
    for key, name in _META.items():
        value = raw[key].replace("\x00", "").strip()
        if name == "title" and _WORD_PREFIX.match(value):
            value = _WORD_SUFFIX.sub("", _WORD_PREFIX.sub("", value))
        if value:
            meta[name] = value
    created = iso_date(raw["/CreationDate"])
    if created:
        meta["date"] = created
    return meta


def _resolve(value: Any) -> str:
    """The text of an info entry, following an indirect reference; "" when absent."""
    if value is not None and hasattr(value, "get_object"):
        value = value.get_object()
    return "" if value is None else str(value)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]

