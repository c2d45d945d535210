"""Records of reading lists: the list, its items and their anchors, resolved items, completion figures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studykb.text import fold

if TYPE_CHECKING:
    from search.records import DocumentInfo, Hit

    from .outline import Heading

__all__ = [
    "KINDS", "STATUSES", "Anchor", "Completion", "Item", "ItemDraft", "ListDraft", "PersonProgress",
    "ReadingList", "ResolvedItem", "anchor_for_document", "anchor_for_hit", "passage_hash",
]

KINDS = ("document", "passage")
STATUSES = ("draft", "published")


@dataclass(frozen=True)
class ReadingList:
    """A list's metadata. `revision` grows with every edit; writers pass back the one they read."""

    id: int
    title: str
    description: str = ""
    audience: str = ""
    period_start: str | None = None
    period_end: str | None = None
    status: str = "draft"
    owner_id: int | None = None
    owner_name: str = ""
    revision: int = 1
    created_at: str = ""
    updated_at: str = ""
    published_at: str | None = None
    n_items: int = 0
    #: "lists.json，2026-12-04" for a list made by an import (its file and day), else None.
    imported_from: str | None = None

    @property
    def published(self) -> bool:
        """True when members can see the list."""
        return self.status == "published"

    @property
    def period(self) -> str:
        """The study period as "2024-05-01 至 2024-05-31" (one side may be open), or ""."""
        if not self.period_start and not self.period_end:
            return ""
        return f"{self.period_start or '…'} 至 {self.period_end or '…'}"

    def __repr__(self) -> str:
        return (f"ReadingList({self.id}, {self.title!r}, {self.status}, rev {self.revision}, "
                f"{self.n_items} items)")


@dataclass(frozen=True)
class Anchor:
    """What an item points at: a document by path, and for passages the passage's hash, text and place.

    The copies (title, date, text, offsets, page) are taken when the item is added; they let the
    passage be found again after re-ingestion and are shown when it can no longer be found.
    """

    kind: str
    doc_path: str
    doc_title: str
    doc_root: str = ""
    doc_date: str | None = None
    text_hash: str | None = None
    text: str | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None
    page_end: int | None = None
    heading_path: tuple[str, ...] = ()
    chunk_id: int | None = None

    @property
    def label(self) -> str:
        """A short human label: 《title》 plus the section for passages."""
        base = f"《{self.doc_title}》"
        if self.kind == "passage" and self.heading_path:
            return f"{base} {self.heading_path[-1]}"
        return base

    def __repr__(self) -> str:
        where = f"#{self.text_hash[:8]}" if self.text_hash else "whole"
        return f"Anchor({self.kind}, {self.doc_path!r} {where})"


@dataclass(frozen=True)
class Item:
    """One entry of a list, at `position` (0-based, contiguous), with the organiser's note."""

    id: int
    list_id: int
    position: int
    anchor: Anchor
    note: str = ""
    added_at: str = ""

    @property
    def kind(self) -> str:
        """"document" or "passage"."""
        return self.anchor.kind

    def __repr__(self) -> str:
        return f"Item({self.id}, list {self.list_id} #{self.position}, {self.anchor!r})"


@dataclass(frozen=True)
class ItemDraft:
    """An item to be created: its anchor and note (from the JSON import)."""

    anchor: Anchor
    note: str = ""


@dataclass(frozen=True)
class ListDraft:
    """A list to be created with its items (from the JSON import or a duplicate)."""

    title: str
    description: str = ""
    audience: str = ""
    period_start: str | None = None
    period_end: str | None = None
    status: str = "draft"
    items: tuple[ItemDraft, ...] = ()

    def __repr__(self) -> str:
        return f"ListDraft({self.title!r}, {self.status}, {len(self.items)} items)"


@dataclass(frozen=True)
class ResolvedItem:
    """An item matched against the published index.

    `status`: "found" (same passage, or the document for whole-document items), "relocated" (the
    passage text is still in the document but the passage boundaries changed) or "missing" (the
    passage or document is gone; `text` is then the copy saved when the item was added).
    `chunk_id` is a current passage to open in the reader (the first one for whole documents).
    `headings` are the heading lines of a whole document's `text` (empty for passages).
    """

    item: Item
    status: str
    text: str
    document: DocumentInfo | None = None
    chunk_id: int | None = None
    page: int | None = None
    page_end: int | None = None
    heading_path: tuple[str, ...] = ()
    reason: str = ""
    headings: tuple[Heading, ...] = ()

    @property
    def missing(self) -> bool:
        """True when the item's text can no longer be found in the published index."""
        return self.status == "missing"

    @property
    def title(self) -> str:
        """The current document title (the saved one when the document is gone)."""
        return self.document.title if self.document else self.item.anchor.doc_title

    @property
    def date(self) -> str | None:
        """The current document date (the saved one when the document is gone)."""
        return self.document.date if self.document else self.item.anchor.doc_date

    @property
    def citation(self) -> str:
        """《title》, date, page — as in search results."""
        parts = [f"《{self.title}》"]
        if self.date:
            parts.append(self.date)
        if self.page:
            same = self.page_end in (None, self.page)
            parts.append(f"第{self.page}页" if same else f"第{self.page}–{self.page_end}页")
        return "，".join(parts)

    def __repr__(self) -> str:
        return f"ResolvedItem({self.item.id}, {self.status}, {self.citation})"


@dataclass(frozen=True)
class PersonProgress:
    """How far one account has read one list."""

    username: str
    label: str
    role: str
    read: int
    last_read: str | None = None


@dataclass(frozen=True)
class Completion:
    """Who has read what in one list: readers per item id, how many read every item, and per person.

    `people` lists every member account plus anyone else who has read an item, furthest behind first.
    """

    list_id: int
    members: int
    readers: dict[int, int] = field(default_factory=dict)
    finished: int = 0
    people: tuple[PersonProgress, ...] = ()


def anchor_for_hit(hit: Hit) -> Anchor:
    """The anchor of a search hit's passage (its hash computed as ingest computes `chunks.text_hash`)."""
    return Anchor(
        kind="passage", doc_path=hit.document.path, doc_title=hit.document.title, doc_root=hit.document.root,
        doc_date=hit.document.date, text_hash=passage_hash(hit.text), text=hit.text,
        start=hit.start, end=hit.end, page=hit.page, page_end=hit.page_end, heading_path=hit.heading_path,
        chunk_id=hit.chunk_id,
    )


def passage_hash(text: str) -> str:
    """The passage key ingest stores in `chunks.text_hash`: sha1 of the folded text."""
    return hashlib.sha1(fold(text).encode()).hexdigest()


def anchor_for_document(document: DocumentInfo) -> Anchor:
    """The anchor of a whole document."""
    return Anchor(kind="document", doc_path=document.path, doc_title=document.title, doc_root=document.root,
                  doc_date=document.date)
