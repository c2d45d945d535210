"""DOCX extraction with python-docx: paragraphs and table cells in order, heading levels from styles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.clean import iso_date
from ingest.records import Block, Extracted
from studykb.errors import ExtractionError

__all__ = ["extract_docx", "heading_level"]

# "Heading 1" and its localised names (标题 1, 標題 1, Überschrift 1, Titre 1, 見出し 1, Заголовок 1).
_HEADING = re.compile(r"^(?:heading|标题|標題|überschrift|titre|見出し|заголовок)\s*(\d)$", re.IGNORECASE)
_TITLE = re.compile(r"^(?:title|标题|標題|titel|titre|タイトル|название)$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# python-docx's own template stamps these on every document it creates from scratch.
_TEMPLATE_AUTHOR = "python-docx"
_TEMPLATE_CREATED = datetime(2013, 12, 23, 23, 15, tzinfo=UTC)


def heading_level(style_name: str) -> int | None:
    """1..6 for a heading style name (Heading 1, 标题 1, Title → 1, Heading 7..9 → 6), else None."""
    name = style_name.strip()
    if _TITLE.match(name):
        return 1
    match = _HEADING.match(name)
    if match and int(match.group(1)) >= 1:
        return min(int(match.group(1)), 6)
    return None


def extract_docx(path: Path) -> Extracted:
    """Extract a .docx file: one Block per non-empty paragraph and per table cell, in order.

    Heading styles (Heading 1..6, Title, localised names such as 标题 1, styles based on them,
    or an explicit outline level) set `heading_level`. Meta: title, author, subject, keywords and
    date (created) from the core properties. Raises ExtractionError("not a valid DOCX file") for
    files that are not a Word document package.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
            raise ExtractionError(path, f"cannot read file: {exc}") from None
        raise ExtractionError(path, "not a valid DOCX file") from None
    except Exception:  # zipfile.BadZipFile, lxml XMLSyntaxError on damaged parts
        raise ExtractionError(path, "not a valid DOCX file") from None
    blocks = tuple(_blocks(document))
    return Extracted(blocks, "docx", meta=_meta(document), warnings=())


def _blocks(container: Any) -> Iterator[Block]:
    """Blocks of a document body or table cell: paragraphs, and tables cell by cell."""
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            seen: set[Any] = set()  # holding the elements keeps lxml's proxies (and identity) alive
            for row in item.rows:
                for cell in row.cells:
                    if cell._tc in seen:  # a merged cell repeats in each row/column it spans
                        continue
                    seen.add(cell._tc)
                    yield from _blocks(cell)
        else:
            text = item.text.strip()
            if text:
                yield Block(text, heading_level=_paragraph_level(item))


def _paragraph_level(paragraph: Any) -> int | None:
    """Heading level from the paragraph's outline level or its style (following `based on`)."""
    level = _outline_level(paragraph._p.pPr)
    if level is not None:
        return level
    style = paragraph.style
    for _ in range(10):
        if style is None:
            return None
        found = heading_level(style.name or "")
        if found is not None:
            return found
        level = _outline_level(style.element.pPr)
        if level is not None:
            return level
        style = style.base_style
    return None


def _outline_level(ppr: Any) -> int | None:
    """1..6 from a <w:outlineLvl w:val="0..5"/> in paragraph properties; 9 means body text."""
    if ppr is None:
        return None
    element = ppr.find(f"{_W}outlineLvl")
    if element is None:
        return None
    try:
        value = int(element.get(f"{_W}val", "9"))
    except ValueError:
        return None
    return value + 1 if 0 <= value <= 5 else None


def _meta(document: Any) -> dict[str, str]:
    """Title, author, subject, keywords and created date from the core properties."""
    props = document.core_properties
    template = props.author == _TEMPLATE_AUTHOR and props.created == _TEMPLATE_CREATED
    values = {
        "title": props.title,
        "author": None if template else props.author,
        "subject": props.subject,
        "keywords": props.keywords,
        "date": None if template else iso_date(props.created),
    }
    return {key: value.strip() for key, value in values.items() if value and value.strip()}
