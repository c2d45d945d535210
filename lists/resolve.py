"""Finding an item's text in the published index again, after any number of re-ingestions.

Index rows are immutable: an edited document gets a new document row and new passage ids, so items
anchor by content, not by id. For each item: find the document by path in the published version
(preferring the same corpus root); for a passage, the passage with the same text_hash in that document
(nearest to the old offset when the text repeats), else the saved passage text inside the document's
current text (the passage boundaries moved: "relocated"); otherwise the item is flagged "missing" and
keeps its saved copy — it is never dropped. Whole-document items follow the document by path and carry
its heading lines (lists/outline.py), so a booklet prints them as headings.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from search.records import DocumentInfo
from studykb.index_store import IndexStore
from studykb.text import fold

from .outline import outline
from .records import Item, ResolvedItem

__all__ = ["resolve", "resolve_one"]


def _version_id(conn: sqlite3.Connection, version: str | None) -> int | None:
    if not version:
        return None
    row = IndexStore(conn).version(version)
    return int(row["id"]) if row else None


def _documents(conn: sqlite3.Connection, version_id: int, paths: set[str]) -> dict[str, list[DocumentInfo]]:
    out: dict[str, list[DocumentInfo]] = {}
    for r in IndexStore(conn).documents_at(version_id, sorted(paths)):
        out.setdefault(r["path"], []).append(DocumentInfo(
            id=r["id"], path=r["path"], root=r["root"], title=r["title"], format=r["format"],
            date=r["date"], category=r["category"], source=r["source"], author=r["author"],
            tags=tuple(json.loads(r["tags"])), pages=r["pages"],
        ))
    return out


class _Resolver:
    """Resolves items against one version, reading each document's text at most once."""

    def __init__(self, conn: sqlite3.Connection, version_id: int,
                 docs: dict[str, list[DocumentInfo]]) -> None:
        self.conn = conn
        self.store = IndexStore(conn)
        self.version_id = version_id
        self.docs = docs
        self._texts: dict[int, str] = {}

    def text(self, doc_id: int) -> str:
        if doc_id not in self._texts:
            row = self.store.document_text(doc_id)
            self._texts[doc_id] = row["text"]
        return self._texts[doc_id]

    def document(self, item: Item) -> DocumentInfo | None:
        found = self.docs.get(item.anchor.doc_path, [])
        same_root = [d for d in found if d.root == item.anchor.doc_root]
        candidates = same_root or found
        return candidates[0] if candidates else None

    def resolve(self, item: Item) -> ResolvedItem:
        a = item.anchor
        doc = self.document(item)
        if doc is None:
            return _missing(item, f"the document {a.doc_path} is no longer in the library")
        if a.kind == "document":
            rows = self.store.document_layout(doc.id)
            layout = [(r["start"], r["end"], tuple(json.loads(r["heading_path"]))) for r in rows]
            text = self.text(doc.id)
            return ResolvedItem(item, "found", text, doc, rows[0]["id"] if rows else None,
                                headings=outline(text, layout))
        rows = self.store.chunks_with_hash(doc.id, a.text_hash)
        if rows:
            best = min(rows, key=lambda r: (abs(r["start"] - (a.start or 0)), r["id"]))
            return ResolvedItem(item, "found", best["text"], doc, best["id"], best["page"], best["page_end"],
                                tuple(json.loads(best["heading_path"])))
        return self._relocate(item, doc)

    def _relocate(self, item: Item, doc: DocumentInfo) -> ResolvedItem:
        """Look for the saved passage text inside the document's current text."""
        a = item.anchor
        saved = a.text or ""
        text = self.text(doc.id)
        at = _find(text, saved, a.start or 0)
        if at < 0:
            return _missing(item, f"the passage was changed or removed in 《{doc.title}》", doc)
        end = at + len(saved)
        rows = self.store.chunks_overlapping(doc.id, at, end)
        if not rows:
            return _missing(item, f"the passage is in 《{doc.title}》 but no indexed passage covers it", doc)
        best = max(rows, key=lambda r: (min(end, r["end"]) - max(at, r["start"]), -r["id"]))
        covering = [r for r in rows if r["page"] is not None]
        page = min((r["page"] for r in covering), default=None)
        page_end = max((r["page_end"] or r["page"] for r in covering), default=None)
        return ResolvedItem(item, "relocated", text[at:end], doc, best["id"], page, page_end,
                            tuple(json.loads(best["heading_path"])),
                            "the passage is unchanged but the document's passages were re-cut")


def _find(text: str, passage: str, near: int) -> int:
    """Offset of `passage` in `text` nearest `near`: exact match, else on folded text (when lengths agree)."""
    if not passage:
        return -1
    for hay, needle in ((text, passage), (fold(text), fold(passage))):
        if len(hay) != len(text):
            continue
        hits = []
        at = hay.find(needle)
        while at >= 0:
            hits.append(at)
            at = hay.find(needle, at + 1)
        if hits:
            return min(hits, key=lambda h: abs(h - near))
    return -1


def _missing(item: Item, reason: str, doc: DocumentInfo | None = None) -> ResolvedItem:
    a = item.anchor
    return ResolvedItem(item, "missing", a.text or "", doc, None, a.page, a.page_end, a.heading_path, reason)


def resolve(conn: sqlite3.Connection, items: Sequence[Item], version: str | None) -> list[ResolvedItem]:
    """Resolve `items` against index version `version` (normally `DataDir(...).current()`), in order.

    With no published version every item is "missing" with its saved copy of the text.
    """
    version_id = _version_id(conn, version)
    if version_id is None:
        return [_missing(i, "there is no published index: run `studykb ingest`") for i in items]
    resolver = _Resolver(conn, version_id, _documents(conn, version_id, {i.anchor.doc_path for i in items}))
    return [resolver.resolve(i) for i in items]


def resolve_one(conn: sqlite3.Connection, item: Item, version: str | None) -> ResolvedItem:
    """Resolve a single item (see `resolve`)."""
    return resolve(conn, [item], version)[0]
