"""JSON export and import of reading lists, for backups and for moving lists between installations.

The format is versioned (`{"format": "studykb-reading-lists", "version": 1, "lists": [...]}`); items carry
their anchors (document path, passage text and place), never database ids, so they resolve against
whatever the target library holds. An import validates the whole file first and reports every problem
with its place (`lists[0].items[2].kind: ...`); then it writes all lists in one transaction or none.
Reading progress is not part of the format (it belongs to accounts of one installation).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from studykb.auth import User, require
from studykb.errors import StudyKBError, ValidationError

from .records import KINDS, STATUSES, Anchor, ItemDraft, ListDraft, ReadingList, passage_hash
from .store import (
    MAX_NOTE,
    MAX_TEXT,
    MAX_TITLE,
    check_period,
    clean_date,
    clean_text,
    get_list,
    insert_lists,
    lists_for,
)
from .store import items as list_items

__all__ = ["FORMAT", "VERSION", "dumps", "export_lists", "import_lists", "parse"]

FORMAT = "studykb-reading-lists"
VERSION = 1
MAX_PROBLEMS = 20
#: Largest import accepted (the app's upload limit is the same, set by `studykb serve`).
MAX_IMPORT_BYTES = 5_000_000
#: Largest offset or page number accepted (SQLite integers are 64-bit; no document comes near this).
MAX_POSITION = 2**31 - 1
_LIST_KEYS = {"title", "description", "audience", "period_start", "period_end", "status", "owner",
              "created_at", "updated_at", "items"}
_ITEM_KEYS = {"kind", "note", "document", "passage"}
_DOC_KEYS = {"path", "root", "title", "date"}
_PASSAGE_KEYS = {"text", "text_hash", "start", "end", "page", "page_end", "heading_path"}


def export_lists(conn: sqlite3.Connection, user: User | None,
                 list_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """The lists (default: every list `user` can see) as a JSON-ready dict in the current format."""
    chosen = [get_list(conn, user, i) for i in list_ids] if list_ids is not None else lists_for(conn, user)
    return {
        "format": FORMAT, "version": VERSION,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "lists": [_list_json(conn, user, lst) for lst in sorted(chosen, key=lambda x: x.id)],
    }


def _list_json(conn: sqlite3.Connection, user: User | None, lst: ReadingList) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": lst.title, "description": lst.description, "audience": lst.audience,
        "period_start": lst.period_start, "period_end": lst.period_end, "status": lst.status,
        "owner": lst.owner_name, "created_at": lst.created_at, "updated_at": lst.updated_at, "items": [],
    }
    for item in list_items(conn, user, lst.id):
        a = item.anchor
        entry: dict[str, Any] = {
            "kind": a.kind, "note": item.note,
            "document": {"path": a.doc_path, "root": a.doc_root, "title": a.doc_title, "date": a.doc_date},
        }
        if a.kind == "passage":
            entry["passage"] = {"text": a.text, "text_hash": a.text_hash, "start": a.start, "end": a.end,
                                "page": a.page, "page_end": a.page_end, "heading_path": list(a.heading_path)}
        out["items"].append(entry)
    return out


def dumps(payload: dict[str, Any]) -> str:
    """The export as pretty-printed UTF-8 JSON text."""
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


class _Problems:
    """Collects validation problems with their place in the file."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(f"{where}: {message}")

    def check(self, where: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a validator; on ValidationError record it under `where` and return None."""
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            self.found.append(f"{where}.{exc}")
            return None

    def unknown(self, where: str, obj: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(obj) - allowed):
            self.add(f"{where}.{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _int_or_none(p: _Problems, where: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSITION:
        shown = repr(value) if not isinstance(value, int) or value.bit_length() < 64 else "a huge number"
        p.add(where, f"must be a whole number from 0 to {MAX_POSITION} or null, got {shown}")
        return None
    return value


def _item(p: _Problems, where: str, raw: object) -> ItemDraft | None:
    if not isinstance(raw, dict):
        p.add(where, f"must be an object, got {type(raw).__name__}")
        return None
    p.unknown(where, raw, _ITEM_KEYS)
    kind = raw.get("kind")
    if kind not in KINDS:
        p.add(f"{where}.kind", f"must be 'document' or 'passage', got {kind!r}")
        return None
    note = p.check(where, clean_text, raw.get("note", ""), "note", MAX_NOTE)
    doc = raw.get("document")
    if not isinstance(doc, dict):
        p.add(f"{where}.document", "must be an object with path and title")
        return None
    p.unknown(f"{where}.document", doc, _DOC_KEYS)
    path = p.check(f"{where}.document", clean_text, doc.get("path"), "path", 1000, required=True)
    title = p.check(f"{where}.document", clean_text, doc.get("title"), "title", MAX_TITLE, required=True)
    root = p.check(f"{where}.document", clean_text, doc.get("root") or "", "root", 1000)
    date = doc.get("date")
    if date is not None and not isinstance(date, str):
        p.add(f"{where}.document.date", f"must be text or null, got {date!r}")
    fields: dict[str, Any] = {}
    if kind == "passage":
        passage = raw.get("passage")
        if not isinstance(passage, dict):
            p.add(f"{where}.passage", "a passage item needs a passage object with its text")
            return None
        p.unknown(f"{where}.passage", passage, _PASSAGE_KEYS)
        text = passage.get("text")
        if not isinstance(text, str) or not text.strip():
            p.add(f"{where}.passage.text", "must be the passage's non-empty text")
            return None
        heading = passage.get("heading_path", [])
        if not isinstance(heading, list) or not all(isinstance(h, str) for h in heading):
            p.add(f"{where}.passage.heading_path", "must be a list of section titles")
            heading = []
        fields = {
            "text": text, "text_hash": passage_hash(text), "heading_path": tuple(heading),
            **{k: _int_or_none(p, f"{where}.passage.{k}", passage.get(k))
               for k in ("start", "end", "page", "page_end")},
        }
    elif "passage" in raw and raw["passage"] is not None:
        p.add(f"{where}.passage", "a document item has no passage (use kind 'passage')")
    if None in (note, path, title, root):
        return None
    return ItemDraft(Anchor(kind=kind, doc_path=path, doc_title=title, doc_root=root,
                            doc_date=date if isinstance(date, str) else None, **fields), note)


def _list(p: _Problems, where: str, raw: object, as_draft: bool) -> ListDraft | None:
    if not isinstance(raw, dict):
        p.add(where, f"must be an object, got {type(raw).__name__}")
        return None
    p.unknown(where, raw, _LIST_KEYS)
    title = p.check(where, clean_text, raw.get("title"), "title", MAX_TITLE, required=True)
    where = where
    description = p.check(where, clean_text, raw.get("description", ""), "description", MAX_TEXT)
    audience = p.check(where, clean_text, raw.get("audience", ""), "audience", MAX_TITLE)
    start = p.check(where, clean_date, raw.get("period_start"), "period_start")
    end = p.check(where, clean_date, raw.get("period_end"), "period_end")
    p.check(where, check_period, start, end)
    status = raw.get("status", "draft")
    if status not in STATUSES:
        p.add(f"{where}.status", f"must be 'draft' or 'published', got {status!r}")
    entries = raw.get("items", [])
    if not isinstance(entries, list):
        p.add(f"{where}.items", "must be a list")
        return None
    drafts: list[ItemDraft] = []
    seen: dict[tuple[str, str, str | None], int] = {}
    for j, entry in enumerate(entries):
        item = _item(p, f"{where}.items[{j}]", entry)
        if item is None:
            continue
        key = (item.anchor.kind, item.anchor.doc_path, item.anchor.text_hash)
        if key in seen:
            p.add(f"{where}.items[{j}]", f"repeats items[{seen[key]}] (the same document or passage)")
        seen.setdefault(key, j)
        drafts.append(item)
    if status == "published" and not entries:
        p.add(f"{where}.status", "an empty list cannot be published")
    if title is None or description is None or audience is None or status not in STATUSES:
        return None
    return ListDraft(title, description, audience, start, end, "draft" if as_draft else status, tuple(drafts))


def parse(payload: str | bytes | dict[str, Any], *, as_draft: bool = False,
          source: str = "the file") -> list[ListDraft]:
    """Validate an export file's content; raise ValidationError listing every problem with its place.

    Messages start with `source` (the file's name). A file nested too deeply for the JSON reader (or for
    the checks) is refused as a whole.
    """
    try:
        return _parse(payload, as_draft)
    except ValidationError as exc:
        raise ValidationError(f"{source}: {exc}") from None
    except RecursionError:
        raise ValidationError(f"{source}: the JSON is nested too deeply to be a reading-list export; "
                              "nothing was imported") from None


def _parse(payload: str | bytes | dict[str, Any], as_draft: bool) -> list[ListDraft]:
    if isinstance(payload, str | bytes):
        size = len(payload.encode("utf-8") if isinstance(payload, str) else payload)
        if size > MAX_IMPORT_BYTES:
            raise ValidationError(f"the file is {size / 1e6:.1f} MB; a reading-list import may be at most "
                                  f"{MAX_IMPORT_BYTES // 1_000_000} MB")
        try:
            payload = json.loads(payload)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(f"not a JSON file: {exc}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValidationError(f'format: not a studykb reading-list export (expected "format": "{FORMAT}")')
    version = payload.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(f"version: must be a whole number, got {version!r}")
    if version > VERSION:
        raise ValidationError(f"version: the file has format version {version}, this studykb reads up to "
                              f"{VERSION}: upgrade studykb to import it")
    raw_lists = payload.get("lists")
    if not isinstance(raw_lists, list):
        raise ValidationError("lists: must be a list of reading lists")
    p = _Problems()
    drafts = [_list(p, f"lists[{i}]", raw, as_draft) for i, raw in enumerate(raw_lists)]
    if p.found:
        shown = p.found[:MAX_PROBLEMS]
        more = f"\n… and {len(p.found) - MAX_PROBLEMS} more" if len(p.found) > MAX_PROBLEMS else ""
        raise ValidationError(f"the file has {len(p.found)} problem(s); nothing was imported:\n"
                              + "\n".join(shown) + more)
    return [d for d in drafts if d is not None]


def import_lists(conn: sqlite3.Connection, user: User | None, payload: str | bytes | dict[str, Any], *,
                 as_draft: bool = False, source: str | None = None) -> list[ReadingList]:
    """Validate and create the lists of an export (owned by `user`, organisers only): all or none.
    Error messages name `source` (the file's name), which each list keeps as where it came from."""
    require(conn, user, "organiser", "reading-list import")
    named = source or "the file"
    drafts = parse(payload, as_draft=as_draft, source=named)
    try:
        return insert_lists(conn, user, drafts, source=source or "JSON 文件")
    except StudyKBError:
        raise
    except (sqlite3.IntegrityError, OverflowError) as exc:  # a rule the validation missed: nothing written
        raise ValidationError(f"{named} breaks a database rule ({exc}); nothing was imported") from exc
