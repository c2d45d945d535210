"""Records passed between the ingestion stages: extracted blocks, document metadata, chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Block", "Chunk", "DocumentMeta", "Extracted"]


@dataclass(frozen=True)
class Block:
    """One paragraph or heading of extracted text, in reading order.

    `page` is 1-based for paged formats (PDF) and None otherwise. `heading_level` is 1..6 when the
    format marks the block as a heading (DOCX heading styles, Markdown #, HTML <h1>..<h6>), else None;
    headings written only as text (第一章、一、（一）、1.) are recognised later by the chunker.
    `ocr_confidence` is set only for text that came from OCR.
    """

    text: str
    page: int | None = None
    heading_level: int | None = None
    ocr_confidence: float | None = None

    def __repr__(self) -> str:
        head = f" h{self.heading_level}" if self.heading_level else ""
        page = f" p{self.page}" if self.page else ""
        return f"Block({self.text[:20]!r}{head}{page})"


@dataclass(frozen=True)
class Extracted:
    """The text of one source file plus whatever metadata the file itself carries.

    `meta` may hold "title", "author", "date" (ISO yyyy-mm-dd), "subject" and "keywords" read from
    PDF info, DOCX core properties, HTML <title>/<meta> or Markdown front matter.
    `warnings` are non-fatal notes for the ingest report (e.g. "page 3: fell back to pypdfium2").
    """

    blocks: tuple[Block, ...]
    format: str
    pages: int | None = None
    meta: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """All block texts joined by newlines: the coordinate space of chunk offsets."""
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class DocumentMeta:
    """Catalog metadata of one document (from catalog.toml, a sidecar or inference)."""

    title: str
    date: str | None = None
    category: str | None = None
    source: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A passage cut from a document, with where it came from.

    `start`/`end` are character offsets into `Extracted.text`; `page` is the page the chunk starts
    on and `page_end` the page it ends on (None for unpaged formats).
    """

    text: str
    start: int
    end: int
    page: int | None = None
    page_end: int | None = None
    heading_path: tuple[str, ...] = ()
    ocr_confidence: float | None = None

    def __repr__(self) -> str:
        where = f" p{self.page}" if self.page else ""
        heads = " > ".join(self.heading_path)
        return f"Chunk({self.text[:16]!r}{where} [{heads}] {self.start}:{self.end})"
