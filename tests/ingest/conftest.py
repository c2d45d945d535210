"""Fixtures for the extraction tests: a CJK font for generated PDFs and a PDF writer using it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

# Debian fonts-wqy-zenhei first: fpdf2 embeds it as a TrueType font that pypdf reads directly.
_KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
_FONT_FAMILIES = ("WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Serif CJK SC")


def _find_cjk_font() -> Path | None:
    chosen = os.environ.get("STUDYKB_TEST_CJK_FONT")
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    for known in _KNOWN_FONTS:
        if Path(known).is_file():
            return Path(known)
    if shutil.which("fc-match") is None:
        return None
    for family in _FONT_FAMILIES:
        # fc-match always answers; only trust it when the family it found is the one asked for.
        result = subprocess.run(
            ["fc-match", "-f", "%{family}\t%{file}", family], capture_output=True, text=True, check=False
        )
        names, _, file = result.stdout.partition("\t")
        if family.lower() in names.lower() and Path(file).is_file():
            return Path(file)
    return None


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    """A CJK TrueType/OpenType font file, or skip (install Debian fonts-wqy-zenhei to run).

    $STUDYKB_TEST_CJK_FONT names a font file to use instead of the first one found.
    """
    font = _find_cjk_font()
    if font is None:
        pytest.skip("no CJK font found: apt-get install fonts-wqy-zenhei")
    return font


MakePdf = Callable[..., Path]


@pytest.fixture(scope="session")
def make_pdf(cjk_font: Path, tmp_path_factory: pytest.TempPathFactory) -> MakePdf:
    """Return make(name, pages, *, header=None, footer=None, info=None, encrypt=None) → PDF path.

    `pages` is a list of pages, each a list of paragraphs written with multi_cell (so long ones
    wrap). `header`/`footer` are format strings given the page number as {page}. `info` sets
    title/author/subject/keywords/created; `encrypt` is (user_password, owner_password) for
    AES-128.
    """
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    def make(
        name: str,
        pages: Sequence[Sequence[str]],
        *,
        header: str | None = None,
        footer: str | None = None,
        info: dict[str, Any] | None = None,
        encrypt: tuple[str, str] | None = None,
    ) -> Path:
        class Doc(FPDF):
            def header(self) -> None:
                if header:
                    self.set_font("zh", size=9)
                    self.cell(0, 8, header.format(page=self.page_no()), align="C")
                    self.ln(12)

            def footer(self) -> None:
                if footer:
                    self.set_y(-15)
                    self.set_font("zh", size=9)
                    self.cell(0, 10, footer.format(page=self.page_no()), align="C")

        pdf = Doc()
        pdf.add_font("zh", fname=str(cjk_font))
        info = info or {}
        if "title" in info:
            pdf.set_title(info["title"])
        if "author" in info:
            pdf.set_author(info["author"])
        if "subject" in info:
            pdf.set_subject(info["subject"])
        if "keywords" in info:
            pdf.set_keywords(info["keywords"])
        pdf.set_creation_date(info.get("created", datetime(2023, 5, 24, 9, 30)))
        for paragraphs in pages:
            pdf.add_page()
            pdf.set_font("zh", size=12)
            for paragraph in paragraphs:
                pdf.multi_cell(0, 8, paragraph, new_x="LMARGIN", new_y="NEXT")
        if encrypt:
            user, owner = encrypt
            pdf.set_encryption(
                owner_password=owner, user_password=user, encryption_method=EncryptionMethod.AES_128
            )
        path = tmp_path_factory.mktemp("pdf") / name
        pdf.output(str(path))
        return path

    return make
