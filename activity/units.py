"""Organisation units (党委 → 党总支 → 党支部): the tree, its CSV file, members, and who may manage what.

An organiser manages the subtree of the unit their account belongs to; a maintainer manages all units.
Every write checks this here, in the store (`require_scope`), not in the pages that call it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sites.load import Problem
from studykb.auth import User, can, require
from studykb.db import write
from studykb.errors import PermissionDenied, ValidationError

from .csvfile import CsvRow, RowsInvalid, check_id, read_csv, write_csv

__all__ = [
    "KINDS",
    "UNIT_COLUMNS",
    "ImportReport",
    "Unit",
    "export_units",
    "import_units",
    "list_units",
    "managed_units",
    "member_unit",
    "members_of",
    "now_stamp",
    "require_scope",
    "set_member_unit",
    "subtree",
    "unit_exists",
]

KINDS: tuple[str, ...] = ("党委", "党总支", "党支部")
"""Unit kinds from the top of the tree down; a unit's kind is never above its parent's."""

UNIT_COLUMNS: tuple[str, ...] = ("id", "name", "parent_id", "kind")
"""The header of units.csv (all required; parent_id is empty for a top unit)."""


@dataclass(frozen=True)
class Unit:
    """One organisation unit; `parent_id` is None for a top unit."""

    id: str
    name: str
    parent_id: str | None
    kind: str

    def __repr__(self) -> str:
        return f"Unit({self.id!r}, {self.name!r}, {self.kind}, parent={self.parent_id!r})"


@dataclass(frozen=True)
class ImportReport:
    """What an import did, by id (used for units and visits alike)."""

    source: str
    noun: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    def summary(self) -> str:
        """One line: `units.csv: 12 units — 12 added, 0 updated, 0 unchanged`."""
        total = len(self.added) + len(self.updated) + len(self.unchanged)
        return (
            f"{self.source}: {total} {self.noun} — {len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged"
        )


# --- reading --------------------------------------------------------------------------------------


def list_units(conn: sqlite3.Connection) -> list[Unit]:
    """Every unit, in tree order (each parent before its children, siblings by id)."""
    units = {u.id: u for u in _all(conn)}
    children: dict[str | None, list[Unit]] = {}
    for unit in units.values():
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[Unit] = []
    stack = sorted(children.get(None, []), key=lambda u: u.id, reverse=True)
    while stack:
        unit = stack.pop()
        out.append(unit)
        stack.extend(sorted(children.get(unit.id, []), key=lambda u: u.id, reverse=True))
    return out


def depth_of(units: list[Unit]) -> dict[str, int]:
    """Each unit's depth in the tree (top units 0), for indented listings."""
    by_id = {u.id: u for u in units}
    depth: dict[str, int] = {}
    for unit in units:
        d, cur = 0, unit
        while cur.parent_id is not None and cur.parent_id in by_id:
            d, cur = d + 1, by_id[cur.parent_id]
        depth[unit.id] = d
    return depth


def unit_exists(conn: sqlite3.Connection, unit_id: str) -> bool:
    """True when a unit with this id is stored."""
    return conn.execute("SELECT 1 FROM units WHERE id = ?", (unit_id,)).fetchone() is not None


def subtree(conn: sqlite3.Connection, unit_id: str) -> set[str]:
    """The ids of `unit_id` and every unit below it."""
    rows = conn.execute(
        "WITH RECURSIVE t(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN t ON u.parent_id = t.id) "
        "SELECT id FROM t WHERE id IN (SELECT id FROM units)",
        (unit_id,),
    )
    return {r[0] for r in rows}


def member_unit(conn: sqlite3.Connection, user_id: int) -> str | None:
    """The unit an account belongs to, or None."""
    row = conn.execute("SELECT unit_id FROM unit_members WHERE user_id = ?", (user_id,)).fetchone()
    return row[0] if row else None


def members_of(conn: sqlite3.Connection, unit_ids: set[str] | list[str]) -> list[tuple[int, str, str]]:
    """(user id, username, unit id) of the member accounts of these units (not their subtrees)."""
    ids = sorted(unit_ids)
    if not ids:
        return []
    rows = conn.execute(
        "SELECT u.id, u.username, m.unit_id FROM unit_members m JOIN users u ON u.id = m.user_id "
        f"WHERE m.unit_id IN ({', '.join('?' * len(ids))}) ORDER BY m.unit_id, u.username",
        ids,
    )
    return [(int(r[0]), r[1], r[2]) for r in rows]


def managed_units(conn: sqlite3.Connection, user: User | None) -> set[str] | None:
    """The unit ids `user` may manage: None means all (maintainers); an organiser gets their unit's
    subtree (empty when their account belongs to no unit); anyone else gets nothing. An API key issued
    to a unit (`user.unit_scope`) narrows this to that unit's subtree; a key without an account acts
    in its unit's subtree alone."""
    if user is None or not can(user, "organiser"):
        return set()
    base: set[str] | None
    if can(user, "maintainer") or (user.id <= 0 and user.unit_scope):
        base = None
    else:
        home = member_unit(conn, user.id)
        base = subtree(conn, home) if home else set()
    if user.unit_scope:
        scoped = subtree(conn, user.unit_scope)
        return scoped if base is None else base & scoped
    return base


def require_scope(
    conn: sqlite3.Connection, user: User | None, unit_ids: set[str] | list[str], action: str
) -> User:
    """Return the acting organiser if every unit in `unit_ids` is in their subtree, else PermissionDenied."""
    actor = require(conn, user, "organiser", action)
    allowed = managed_units(conn, actor)
    if allowed is None:
        return actor
    outside = sorted(set(unit_ids) - allowed)
    if outside:
        home = member_unit(conn, actor.id)
        where = f"unit {home!r} and the units below it" if home else "no unit (their account has none)"
        raise PermissionDenied(
            f"{actor.username} may not do {action} for unit(s) {', '.join(outside)}: organisers manage "
            f"only {where}; ask a maintainer to place the account with `studykb units assign`"
        )
    return actor


# --- the CSV file -------------------------------------------------------------------------------


def load_units_file(path: str | Path, known: dict[str, Unit]) -> list[Unit]:
    """Read and validate units.csv against the units already stored (`known`); RowsInvalid if bad.

    Checks: id pattern and uniqueness, a name, a kind from KINDS, a parent that exists in the file
    or the database, a kind not above the parent's, no 党支部 with child units, no cycles.
    """
    path = Path(path)
    rows = read_csv(path, UNIT_COLUMNS)
    return parse_units(rows, known, source=path.name)


def parse_units(rows: list[CsvRow], known: dict[str, Unit], *, source: str) -> list[Unit]:
    """Validate units.csv rows (see `load_units_file`)."""
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    parsed: list[tuple[int, Unit]] = []
    for row in rows:
        v, line = row.values, row.line
        row_problems = check_id(line, "id", v["id"], first_line)
        if not v["name"]:
            row_problems.append(Problem(line, "name", "required value is missing"))
        if v["kind"] not in KINDS:
            row_problems.append(
                Problem(line, "kind", f"unknown kind {v['kind']!r} (valid: {', '.join(KINDS)})")
            )
        if v["parent_id"] and v["parent_id"] == v["id"]:
            row_problems.append(Problem(line, "parent_id", "a unit cannot be its own parent"))
        problems += row_problems
        if not row_problems:
            parsed.append((line, Unit(v["id"], v["name"], v["parent_id"] or None, v["kind"])))
    merged = {**known, **{u.id: u for _, u in parsed}}
    for line, unit in parsed:
        problems += _check_parent(line, unit, merged)
    # Stored units below a changed unit must still fit under it.
    line_of = {u.id: line for line, u in parsed}
    for unit in known.values():
        if unit.id not in line_of and unit.parent_id in line_of:
            problems += [
                Problem(p.line, "kind", f"stored unit {unit.id!r} below it: {p.reason}")
                for p in _check_parent(line_of[unit.parent_id], unit, merged)
            ]
    if problems:
        raise RowsInvalid(source, problems)
    return [u for _, u in parsed]


def _check_parent(line: int, unit: Unit, units: dict[str, Unit]) -> list[Problem]:
    """The parent exists, ranks no lower than the unit, is not a 党支部, and leads to a top unit."""
    if unit.parent_id is None:
        return []
    parent = units.get(unit.parent_id)
    if parent is None:
        return [
            Problem(line, "parent_id", f"unknown unit {unit.parent_id!r}: not in this file or the database")
        ]
    if parent.kind == "党支部":
        return [Problem(line, "parent_id", f"{parent.id!r} is a 党支部, which has no units below it")]
    if KINDS.index(unit.kind) < KINDS.index(parent.kind):
        return [Problem(line, "kind", f"a {unit.kind} cannot sit below the {parent.kind} {parent.id!r}")]
    cur: str | None = unit.parent_id
    for _ in range(len(units) + 1):
        if cur is None:
            break
        if cur == unit.id:
            return [
                Problem(line, "parent_id", f"parent {unit.parent_id!r} leads back to {unit.id!r} (a cycle)")
            ]
        above = units.get(cur)
        cur = above.parent_id if above else None
    return []


def import_units(conn: sqlite3.Connection, user: User | None, path: str | Path) -> ImportReport:
    """Validate the whole file, then upsert its units by id in one transaction (a bad file changes
    nothing; a re-import updates instead of duplicating). An organiser may only import units that
    are, or will hang, inside their subtree."""
    require(conn, user, "organiser", "import units")
    path = Path(path)
    known = {u.id: u for u in _all(conn)}
    units = load_units_file(path, known)
    allowed = managed_units(conn, user)
    if allowed is not None:
        merged = {**known, **{u.id: u for u in units}}
        # Both where a unit will hang and, for a stored one, where it hangs now must be in scope.
        outside = [u.id for u in units if not _under(u.id, allowed, merged)
                   or (u.id in known and not _under(u.id, allowed, known))]
        require_scope(conn, user, set(outside), "import units")
    assert user is not None
    added, updated, unchanged = [], [], []
    with write(conn):
        # Parents first, so the foreign key holds while inserting.
        for unit in _parents_first(units):
            old = known.get(unit.id)
            if old is None:
                conn.execute(
                    "INSERT INTO units(id, name, parent_id, kind, updated_at, updated_by) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (unit.id, unit.name, unit.parent_id, unit.kind, now_stamp(), user.username),
                )
                added.append(unit.id)
            elif old == unit:
                unchanged.append(unit.id)
            else:
                conn.execute(
                    "UPDATE units SET name = ?, parent_id = ?, kind = ?, updated_at = ?, updated_by = ? "
                    "WHERE id = ?",
                    (unit.name, unit.parent_id, unit.kind, now_stamp(), user.username, unit.id),
                )
                updated.append(unit.id)
    return ImportReport(path.name, "units", tuple(added), tuple(updated), tuple(unchanged))


def export_units(conn: sqlite3.Connection) -> str:
    """Every unit as units.csv text (tree order), which `import_units` reads back."""
    return write_csv(UNIT_COLUMNS, ((u.id, u.name, u.parent_id or "", u.kind) for u in list_units(conn)))


def set_member_unit(conn: sqlite3.Connection, user: User | None, username: str, unit_id: str | None) -> None:
    """Place an account in a unit (None: in none). Organisers may move accounts only within their subtree."""
    row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise ValidationError(f"no account {username!r}: add it first with `studykb users add {username}`")
    current = member_unit(conn, int(row[0]))
    scope = {u for u in (current, unit_id) if u is not None}
    require_scope(conn, user, scope, "place accounts in units")
    if unit_id is not None and not unit_exists(conn, unit_id):
        raise ValidationError(f"no unit {unit_id!r}: `studykb units list` shows the units")
    with write(conn):
        if unit_id is None:
            conn.execute("DELETE FROM unit_members WHERE user_id = ?", (row[0],))
        else:
            conn.execute(
                "INSERT INTO unit_members(user_id, unit_id) VALUES (?, ?) "
                "ON CONFLICT(user_id) DO UPDATE SET unit_id = excluded.unit_id",
                (row[0], unit_id),
            )


# --- helpers --------------------------------------------------------------------------------------


def _all(conn: sqlite3.Connection) -> list[Unit]:
    return [
        Unit(r["id"], r["name"], r["parent_id"], r["kind"])
        for r in conn.execute("SELECT id, name, parent_id, kind FROM units")
    ]


def _under(unit_id: str, allowed: set[str], units: dict[str, Unit]) -> bool:
    """Whether `unit_id` is in `allowed` or hangs below a unit that is (following `units`)."""
    cur: str | None = unit_id
    for _ in range(len(units) + 1):
        if cur is None:
            return False
        if cur in allowed:
            return True
        unit = units.get(cur)
        cur = unit.parent_id if unit else None
    return False


def _parents_first(units: list[Unit]) -> list[Unit]:
    in_file = {u.id: u for u in units}
    done: set[str] = set()
    out: list[Unit] = []

    def visit(unit: Unit) -> None:
        if unit.id in done:
            return
        done.add(unit.id)
        if unit.parent_id in in_file:
            visit(in_file[unit.parent_id])
        out.append(unit)

    for unit in units:
        visit(unit)
    return out


def now_stamp() -> str:
    """Now in UTC as the `updated_at` columns hold it (what their SQLite default writes), from Python
    so that it is the same on both engines."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
