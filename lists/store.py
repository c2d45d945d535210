"""Reading lists in the database: every read and write, with role checks and optimistic concurrency.

Every write takes the acting `User` and checks the organiser role here, on the server side, whatever
the UI showed, against the account as it is now (`studykb.auth.require`: a stale session is refused);
members may only write their own progress (see `lists.progress`). Writes run inside
`studykb.db.write` (BEGIN IMMEDIATE), so writers queue instead of interleaving. Edits carry the
`revision` the editor read; when the list changed since, they raise ConflictError instead of
overwriting. Appending an item may pass `revision=None` (appends commute: nothing is overwritten).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any, Final

from studykb.auth import User, can, require
from studykb.db import write
from studykb.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError

from .records import STATUSES, Anchor, Item, ItemDraft, ListDraft, ReadingList

__all__ = [
    "KEEP", "MAX_NOTE", "MAX_TEXT", "MAX_TITLE", "add_item", "create_list", "delete_list", "duplicate_list",
    "get_item", "get_list", "insert_lists", "items", "lists_for", "move_item", "publish", "remove_item",
    "reorder", "set_note", "unpublish", "update_list",
]

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_NOTE = 5000
CONFLICT = "someone else changed this list since you opened it: reload"


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


#: Default of `update_list` fields: leave the value as it is.
KEEP: Final[Any] = _Keep()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# -- validation ------------------------------------------------------------------------------------


def clean_text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """`value` stripped, checked to be a string of at most `limit` characters (non-empty if required)."""
    if not isinstance(value, str):
        raise ValidationError(f"{field}: must be text, got {type(value).__name__}")
    text = value.strip()
    if required and not text:
        raise ValidationError(f"{field}: must not be empty")
    if len(text) > limit:
        raise ValidationError(f"{field}: at most {limit} characters allowed, got {len(text)}")
    return text


def clean_date(value: object, field: str) -> str | None:
    """An ISO date string (YYYY-MM-DD) from a date or string; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValidationError(f"{field}: must be a date like 2024-05-01, got {value!r}")


def check_period(start: str | None, end: str | None, where: str = "") -> None:
    """Raise ValidationError when the period ends before it starts."""
    if start and end and start > end:
        raise ValidationError(f"{where}period_end: {end} is before period_start {start}")


# -- reading ---------------------------------------------------------------------------------------

_LIST_SQL = ("SELECT l.*, (SELECT count(*) FROM reading_list_items i WHERE i.list_id = l.id) AS n_items "
             "FROM reading_lists l")


def _row_list(row: sqlite3.Row) -> ReadingList:
    return ReadingList(
        id=row["id"], title=row["title"], description=row["description"], audience=row["audience"],
        period_start=row["period_start"], period_end=row["period_end"], status=row["status"],
        owner_id=row["owner_id"], owner_name=row["owner_name"], revision=row["revision"],
        created_at=row["created_at"], updated_at=row["updated_at"], published_at=row["published_at"],
        n_items=row["n_items"], imported_from=row["imported_from"],
    )


def _row_item(row: sqlite3.Row) -> Item:
    anchor = Anchor(
        kind=row["kind"], doc_path=row["doc_path"], doc_title=row["doc_title"], doc_root=row["doc_root"],
        doc_date=row["doc_date"], text_hash=row["text_hash"], text=row["passage_text"],
        start=row["start_offset"], end=row["end_offset"], page=row["page"], page_end=row["page_end"],
        heading_path=tuple(json.loads(row["heading_path"])), chunk_id=row["chunk_id"],
    )
    return Item(row["id"], row["list_id"], row["position"], anchor, row["note"], row["added_at"])


def lists_for(conn: sqlite3.Connection, user: User | None) -> list[ReadingList]:
    """The lists `user` may see, most recently changed first: all for organisers, published ones otherwise."""
    where = "" if can(user, "organiser") else " WHERE l.status = 'published'"
    rows = conn.execute(_LIST_SQL + where + " ORDER BY l.updated_at DESC, l.id DESC").fetchall()
    return [_row_list(r) for r in rows]


def get_list(conn: sqlite3.Connection, user: User | None, list_id: int) -> ReadingList:
    """One list; drafts only for organisers. Raises ValidationError when there is no such list."""
    row = conn.execute(_LIST_SQL + " WHERE l.id = ?", (list_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"there is no reading list {list_id} (it may have been deleted): reload")
    lst = _row_list(row)
    if not lst.published and not can(user, "organiser"):
        raise PermissionDenied(f"reading list {list_id} is a draft: only organisers can see it")
    return lst


def items(conn: sqlite3.Connection, user: User | None, list_id: int) -> list[Item]:
    """The items of a list in order (same visibility as `get_list`)."""
    get_list(conn, user, list_id)
    rows = conn.execute("SELECT * FROM reading_list_items WHERE list_id = ? ORDER BY position", (list_id,))
    return [_row_item(r) for r in rows]


def get_item(conn: sqlite3.Connection, user: User | None, item_id: int) -> Item:
    """One item (same visibility as its list). Raises ValidationError when there is no such item."""
    row = conn.execute("SELECT * FROM reading_list_items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"there is no reading-list item {item_id} (it may have been removed): reload")
    get_list(conn, user, row["list_id"])
    return _row_item(row)


# -- writing ---------------------------------------------------------------------------------------


def _owner(conn: sqlite3.Connection, user: User) -> tuple[int | None, str]:
    """(owner id, owner name): accounts outside the database (OpenID Connect, console) own by name only."""
    known = user.id > 0 and conn.execute("SELECT 1 FROM users WHERE id = ?", (user.id,)).fetchone()
    return (user.id if known else None), user.label


def _bump(conn: sqlite3.Connection, list_id: int, revision: int | None) -> None:
    """Inside a write: check `revision` (unless None) and advance it; raise ConflictError if it moved."""
    if revision is None:
        cur = conn.execute("UPDATE reading_lists SET revision = revision + 1, updated_at = ? WHERE id = ?",
                           (_now(), list_id))
    else:
        cur = conn.execute(
            "UPDATE reading_lists SET revision = revision + 1, updated_at = ? WHERE id = ? AND revision = ?",
            (_now(), list_id, revision),
        )
    if cur.rowcount:
        return
    if conn.execute("SELECT 1 FROM reading_lists WHERE id = ?", (list_id,)).fetchone() is None:
        raise ConflictError(f"reading list {list_id} no longer exists (someone may have deleted it): reload")
    raise ConflictError(CONFLICT)


def _item_list(conn: sqlite3.Connection, item_id: int) -> int:
    row = conn.execute("SELECT list_id FROM reading_list_items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise ConflictError(f"item {item_id} is no longer in the list (someone may have removed it): reload")
    return int(row["list_id"])


def _reload(conn: sqlite3.Connection, list_id: int) -> ReadingList:
    row = conn.execute(_LIST_SQL + " WHERE l.id = ?", (list_id,)).fetchone()
    return _row_list(row)


def _insert_list(conn: sqlite3.Connection, user: User, draft: ListDraft,
                 imported_from: str | None = None) -> int:
    owner_id, owner_name = _owner(conn, user)
    now = _now()
    cur = conn.execute(
        "INSERT INTO reading_lists(title, description, audience, period_start, period_end, status, owner_id, "
        "owner_name, created_at, updated_at, published_at, imported_from) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (draft.title, draft.description, draft.audience, draft.period_start, draft.period_end, draft.status,
         owner_id, owner_name, now, now, now if draft.status == "published" else None, imported_from),
    )
    list_id = int(cur.lastrowid or 0)
    for position, entry in enumerate(draft.items):
        _insert_item(conn, list_id, position, entry.anchor, entry.note)
    return list_id


def _insert_item(conn: sqlite3.Connection, list_id: int, position: int, a: Anchor, note: str) -> int:
    cur = conn.execute(
        "INSERT INTO reading_list_items(list_id, position, kind, doc_path, doc_root, doc_title, doc_date, "
        "text_hash, passage_text, start_offset, end_offset, page, page_end, heading_path, chunk_id, note, "
        "added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (list_id, position, a.kind, a.doc_path, a.doc_root, a.doc_title, a.doc_date, a.text_hash, a.text,
         a.start, a.end, a.page, a.page_end, json.dumps(list(a.heading_path), ensure_ascii=False), a.chunk_id,
         note, _now()),
    )
    return int(cur.lastrowid or 0)


def _draft(title: object, description: object, audience: object, period_start: object,
           period_end: object) -> ListDraft:
    start, end = clean_date(period_start, "period_start"), clean_date(period_end, "period_end")
    check_period(start, end)
    return ListDraft(
        title=clean_text(title, "title", MAX_TITLE, required=True),
        description=clean_text(description, "description", MAX_TEXT),
        audience=clean_text(audience, "audience", MAX_TITLE), period_start=start, period_end=end,
    )


def create_list(conn: sqlite3.Connection, user: User | None, title: str, *, description: str = "",
                audience: str = "", period_start: str | dt.date | None = None,
                period_end: str | dt.date | None = None) -> ReadingList:
    """Create an empty draft list owned by `user` (organisers only)."""
    acting = require(conn, user, "organiser", "reading-list creation")
    draft = _draft(title, description, audience, period_start, period_end)
    with write(conn):
        list_id = _insert_list(conn, acting, draft)
    return _reload(conn, list_id)


def insert_lists(conn: sqlite3.Connection, user: User | None, drafts: Sequence[ListDraft], *,
                 source: str | None = None) -> list[ReadingList]:
    """Create several complete lists in one transaction: all of them or, on any error, none. `source`
    (the imported file's name) is kept with each list with today's date (`ReadingList.imported_from`)."""
    acting = require(conn, user, "organiser", "reading-list import")
    imported_from = f"{source[:200]}，{_now()[:10]}" if source else None
    with write(conn):
        ids = [_insert_list(conn, acting, d, imported_from) for d in drafts]
    return [_reload(conn, i) for i in ids]


def update_list(conn: sqlite3.Connection, user: User | None, list_id: int, revision: int, *,
                title: Any = KEEP, description: Any = KEEP, audience: Any = KEEP, period_start: Any = KEEP,
                period_end: Any = KEEP) -> ReadingList:
    """Change a list's title, description, audience or period (fields left at KEEP are unchanged)."""
    require(conn, user, "organiser", "reading-list editing")
    with write(conn):
        _bump(conn, list_id, revision)
        cur = _reload(conn, list_id)
        draft = _draft(
            cur.title if title is KEEP else title, cur.description if description is KEEP else description,
            cur.audience if audience is KEEP else audience,
            cur.period_start if period_start is KEEP else period_start,
            cur.period_end if period_end is KEEP else period_end,
        )
        conn.execute(
            "UPDATE reading_lists SET title=?, description=?, audience=?, period_start=?, period_end=? "
            "WHERE id=?",
            (draft.title, draft.description, draft.audience, draft.period_start, draft.period_end, list_id),
        )
    return _reload(conn, list_id)


def _set_status(conn: sqlite3.Connection, user: User | None, list_id: int, revision: int,
                status: str) -> ReadingList:
    assert status in STATUSES
    require(conn, user, "organiser", "reading-list publishing")
    with write(conn):
        _bump(conn, list_id, revision)
        if status == "published" and _reload(conn, list_id).n_items == 0:
            raise ValidationError("an empty list cannot be published: add at least one item first")
        conn.execute(
            "UPDATE reading_lists SET status = ?, published_at = CASE WHEN ? = 'published' THEN ? "
            "ELSE published_at END WHERE id = ?", (status, status, _now(), list_id),
        )
    return _reload(conn, list_id)


def publish(conn: sqlite3.Connection, user: User | None, list_id: int, revision: int) -> ReadingList:
    """Make a list visible to members (it needs at least one item)."""
    return _set_status(conn, user, list_id, revision, "published")


def unpublish(conn: sqlite3.Connection, user: User | None, list_id: int, revision: int) -> ReadingList:
    """Turn a published list back into a draft (members' progress is kept)."""
    return _set_status(conn, user, list_id, revision, "draft")


def delete_list(conn: sqlite3.Connection, user: User | None, list_id: int, revision: int) -> None:
    """Delete a list with its items and everyone's progress on them."""
    require(conn, user, "organiser", "reading-list deletion")
    with write(conn):
        _bump(conn, list_id, revision)
        conn.execute("DELETE FROM reading_lists WHERE id = ?", (list_id,))


def duplicate_list(conn: sqlite3.Connection, user: User | None, list_id: int, *,
                   title: str | None = None) -> ReadingList:
    """Copy a list with its items and notes into a new draft owned by `user` (no progress copied)."""
    acting = require(conn, user, "organiser", "reading-list duplication")
    with write(conn):
        src = _reload_or_fail(conn, list_id)
        entries = [ItemDraft(i.anchor, i.note) for i in _items(conn, list_id)]
        new_title = clean_text(title if title is not None else f"{src.title}（副本）", "title", MAX_TITLE,
                               required=True)
        draft = ListDraft(new_title, src.description, src.audience, src.period_start, src.period_end, "draft",
                          tuple(entries))
        new_id = _insert_list(conn, acting, draft)
    return _reload(conn, new_id)


def _reload_or_fail(conn: sqlite3.Connection, list_id: int) -> ReadingList:
    row = conn.execute(_LIST_SQL + " WHERE l.id = ?", (list_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"there is no reading list {list_id} (it may have been deleted): reload")
    return _row_list(row)


def _items(conn: sqlite3.Connection, list_id: int) -> list[Item]:
    rows = conn.execute("SELECT * FROM reading_list_items WHERE list_id = ? ORDER BY position", (list_id,))
    return [_row_item(r) for r in rows]


def add_item(conn: sqlite3.Connection, user: User | None, list_id: int, anchor: Anchor, *, note: str = "",
             revision: int | None = None) -> Item:
    """Append a passage or whole document to a list. Raises ValidationError when it is already there."""
    require(conn, user, "organiser", "reading-list editing")
    note = clean_text(note, "note", MAX_NOTE)
    if anchor.kind == "passage" and not (anchor.text_hash and anchor.text):
        raise ValidationError("a passage item needs the passage's text_hash and text")
    with write(conn):
        _bump(conn, list_id, revision)
        for existing in _items(conn, list_id):
            a = existing.anchor
            if (a.kind, a.doc_path, a.text_hash) == (anchor.kind, anchor.doc_path, anchor.text_hash):
                what = "this document" if anchor.kind == "document" else "this passage"
                raise ValidationError(f"{what} is already item {existing.position + 1} of the list")
        position = conn.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM reading_list_items WHERE list_id = ?", (list_id,)
        ).fetchone()[0]
        item_id = _insert_item(conn, list_id, position, anchor, note)
    row = conn.execute("SELECT * FROM reading_list_items WHERE id = ?", (item_id,)).fetchone()
    return _row_item(row)


def _renumber(conn: sqlite3.Connection, list_id: int, ordered: Sequence[int]) -> None:
    """Give the items `ordered` positions 0..n-1 (through negative values: positions are unique)."""
    conn.execute("UPDATE reading_list_items SET position = -1 - position WHERE list_id = ?", (list_id,))
    conn.executemany("UPDATE reading_list_items SET position = ? WHERE id = ?",
                     [(pos, item_id) for pos, item_id in enumerate(ordered)])


def reorder(conn: sqlite3.Connection, user: User | None, list_id: int, revision: int,
            item_ids: Sequence[int]) -> ReadingList:
    """Put the list's items in the order `item_ids` (which must name each item exactly once)."""
    require(conn, user, "organiser", "reading-list editing")
    with write(conn):
        _bump(conn, list_id, revision)
        current = [i.id for i in _items(conn, list_id)]
        if sorted(item_ids) != sorted(current):
            raise ValidationError(
                f"the new order must name each of the list's {len(current)} items exactly once")
        _renumber(conn, list_id, item_ids)
    return _reload(conn, list_id)


def move_item(conn: sqlite3.Connection, user: User | None, item_id: int, revision: int,
              offset: int) -> ReadingList:
    """Move an item `offset` places (-1 = up, +1 = down), within the list's bounds."""
    require(conn, user, "organiser", "reading-list editing")
    with write(conn):
        list_id = _item_list(conn, item_id)
        _bump(conn, list_id, revision)
        order = [i.id for i in _items(conn, list_id)]
        old = order.index(item_id)
        new = old + offset
        if not 0 <= new < len(order):
            raise ValidationError(f"item {old + 1} cannot move {offset:+d}: the list has {len(order)} items")
        order.insert(new, order.pop(old))
        _renumber(conn, list_id, order)
    return _reload(conn, list_id)


def set_note(conn: sqlite3.Connection, user: User | None, item_id: int, revision: int,
             note: str) -> ReadingList:
    """Replace an item's organiser note."""
    require(conn, user, "organiser", "reading-list editing")
    note = clean_text(note, "note", MAX_NOTE)
    with write(conn):
        list_id = _item_list(conn, item_id)
        _bump(conn, list_id, revision)
        conn.execute("UPDATE reading_list_items SET note = ? WHERE id = ?", (note, item_id))
    return _reload(conn, list_id)


def remove_item(conn: sqlite3.Connection, user: User | None, item_id: int, revision: int) -> ReadingList:
    """Remove an item (and members' progress on it); the others close the gap."""
    require(conn, user, "organiser", "reading-list editing")
    with write(conn):
        list_id = _item_list(conn, item_id)
        _bump(conn, list_id, revision)
        conn.execute("DELETE FROM reading_list_items WHERE id = ?", (item_id,))
        _renumber(conn, list_id, [i.id for i in _items(conn, list_id)])
    return _reload(conn, list_id)
