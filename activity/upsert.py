"""Importing records of units by id: the organiser's scope over the new and the stored rows, then
insert, update or leave each one in one transaction, reported as an `ImportReport`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from studykb.auth import User
from studykb.db import write

from .units import ImportReport, require_scope

__all__ = ["UnitRecord", "upsert"]


class UnitRecord(Protocol):
    """A record with its own id that belongs to a unit (a visit, a research topic)."""

    @property
    def id(self) -> str: ...

    @property
    def unit_id(self) -> str: ...


R = TypeVar("R", bound=UnitRecord)


def upsert(
    conn: sqlite3.Connection,
    user: User | None,
    records: Sequence[R],
    *,
    stored: Callable[[list[str]], list[R]],
    insert: Callable[[R, str], None],
    update: Callable[[R, str], None],
    noun: str,
    source: str,
) -> ImportReport:
    """Upsert validated `records` by id: every record's unit, and the unit of each stored record it
    replaces, must be in the organiser's subtree; equal records are left unchanged. `stored` reads
    the stored records with the given ids; `insert`/`update` write one, given who did it."""
    actor = require_scope(conn, user, {r.unit_id for r in records}, f"import {noun}")
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    with write(conn):
        old = {r.id: r for r in stored([r.id for r in records])}
        if old:
            require_scope(conn, actor, {r.unit_id for r in old.values()}, f"change {noun}")
        for record in records:
            before = old.get(record.id)
            if before is None:
                insert(record, actor.username)
                added.append(record.id)
            elif before == record:
                unchanged.append(record.id)
            else:
                update(record, actor.username)
                updated.append(record.id)
    return ImportReport(source, noun, tuple(added), tuple(updated), tuple(unchanged))
