"""Reading lists: organisers curate ordered documents and passages with notes; members read and track them."""

from __future__ import annotations

from .records import Anchor, Completion, Item, ReadingList, ResolvedItem, anchor_for_document, anchor_for_hit

__all__ = [
    "Anchor", "Completion", "Item", "ReadingList", "ResolvedItem", "anchor_for_document", "anchor_for_hit",
]
