"""The sites table: import (upsert by id), filtered listing and text search, role-checked edits, export.

Every write takes the acting `User` and checks the organiser role on the server side, against the
account as it is now (`studykb.auth.require`: a session of a changed or removed account is refused);
every added or edited site is validated exactly like an imported row (`sites.load.parse_row`).
Imports validate the whole file before touching the database and then upsert in one transaction, so
a bad file changes nothing and a re-import never duplicates.
Hidden sites stay in the table (and keep their id) but are left out of listings unless asked for.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from studykb.auth import User, require
from studykb.db import table_exists, write
from studykb.errors import ConfigError, ConflictError, NotFoundError, ValidationError
from studykb.text import tokenize

from .load import DEFAULT_SITES_PATH, dump_sites, load_sites, parse_row
from .match import matches, query_words, site_terms
from .records import PROVINCES, Site

__all__ = [
    "ImportReport",
    "SiteFilter",
    "StoredSite",
    "add_site",
    "edit_site",
    "ensure_loaded",
    "export_csv",
    "get_site",
    "hide_site",
    "import_file",
    "import_sites",
    "list_sites",
    "unhide_site",
]

SYSTEM = "system"
"""`updated_by` of the rows `ensure_loaded` seeds from the shipped file."""

_FIELDS = (
    "id", "name", "type", "province", "city", "district", "address", "lat", "lon", "hours", "booking",
    "themes", "description", "url", "related_queries", "coord_accuracy_m",
)


@dataclass(frozen=True)
class StoredSite:
    """A site as stored: the record plus its hidden flag and who changed it last, when."""

    site: Site
    hidden: bool
    revision: int
    updated_at: str
    updated_by: str

    def __repr__(self) -> str:
        flag = ", hidden" if self.hidden else ""
        return f"StoredSite({self.site.id!r}, rev {self.revision}{flag}, by {self.updated_by!r})"


@dataclass(frozen=True)
class ImportReport:
    """What an import did, by site id."""

    source: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def total(self) -> int:
        """Number of sites in the imported file."""
        return len(self.added) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        """One line: `sites.csv: 46 sites — 2 added, 1 updated, 43 unchanged`."""
        return (
            f"{self.source}: {self.total} sites — {len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged"
        )


@dataclass(frozen=True)
class SiteFilter:
    """Which sites to list: each non-empty tuple restricts to those values; `text` is a word search
    over names, addresses and descriptions (Traditional or Simplified)."""

    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    text: str = ""
    include_hidden: bool = False


# --- reading --------------------------------------------------------------------------------


def get_site(conn: sqlite3.Connection, site_id: str) -> StoredSite | None:
    """The site with this id (hidden or not), or None."""
    _check_schema(conn)
    row = conn.execute("SELECT * FROM sites WHERE id = ?", (site_id,)).fetchone()
    return _stored(row) if row else None


def list_sites(conn: sqlite3.Connection, where: SiteFilter | None = None) -> list[StoredSite]:
    """The sites passing `where`, Shanghai first, then by city, district and name; with a text
    query, sites whose name matches come first."""
    where = where or SiteFilter()
    _check_schema(conn)
    clauses: list[str] = []
    params: list[object] = []
    for column, values in (("province", where.provinces), ("city", where.cities), ("type", where.types)):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if not where.include_hidden:
        clauses.append("hidden = 0")
    sql = "SELECT * FROM sites" + (" WHERE " + " AND ".join(clauses) if clauses else "")
    rows = conn.execute(sql, params).fetchall()
    if where.themes:
        wanted = set(where.themes)
        rows = [row for row in rows if wanted & set(json.loads(row["themes"]))]
    found = sorted((_stored(row) for row in rows), key=_place_order)
    words = query_words(where.text) if where.text.strip() else ()
    if words:
        found = [item for item in found if matches(words, site_terms(item.site))]
        found.sort(key=lambda item: not matches(words, frozenset(tokenize(item.site.name))))
    return found


def export_csv(conn: sqlite3.Connection, where: SiteFilter | None = None) -> str:
    """The sites passing `where` as sites.csv text, which `studykb sites import` reads back."""
    return dump_sites(item.site for item in list_sites(conn, where))


# --- importing ------------------------------------------------------------------------------


def import_file(conn: sqlite3.Connection, user: User | None, path: str | Path) -> ImportReport:
    """Validate the whole file, then upsert its sites by id (see `import_sites`).

    Raises SitesInvalid (a ValidationError listing every bad row) before any change.
    """
    require(conn, user, "organiser", "import sites")
    path = Path(path)
    return import_sites(conn, user, load_sites(path), source=path.name)


def import_sites(conn: sqlite3.Connection, user: User | None, sites: Iterable[Site], *,
                 source: str = "sites") -> ImportReport:
    """Upsert validated sites by id in one transaction: new ids are added, changed ones updated
    (revision + 1), identical ones left alone. Hidden flags are kept; sites absent from `sites` stay."""
    actor = require(conn, user, "organiser", "import sites")
    sites = list(sites)
    _check_unique(sites)
    _check_schema(conn)
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    with write(conn):
        for site in sites:
            row = conn.execute("SELECT * FROM sites WHERE id = ?", (site.id,)).fetchone()
            if row is None:
                _insert(conn, site, actor.username)
                added.append(site.id)
            elif _row_site(row) == site:
                unchanged.append(site.id)
            else:
                _update(conn, site, actor.username)
                updated.append(site.id)
    return ImportReport(source, tuple(added), tuple(updated), tuple(unchanged))


SQLITE_READONLY = 8  # SQLite's primary result code for a write to a read-only database


def ensure_loaded(conn: sqlite3.Connection, path: str | Path = DEFAULT_SITES_PATH) -> ImportReport | None:
    """Seed an empty sites table from the shipped sites.csv (so a fresh install shows sites).

    Returns None when the table already has rows or the file does not exist, or when the database
    is on read-only storage (a replica: it shows what its primary seeded).
    """
    _check_schema(conn)
    path = Path(path)
    if conn.execute("SELECT 1 FROM sites LIMIT 1").fetchone() or not path.is_file():
        return None
    sites = load_sites(path)
    try:
        with write(conn):
            # Re-check under the write lock: another session may have seeded meanwhile.
            if conn.execute("SELECT 1 FROM sites LIMIT 1").fetchone():
                return None
            for site in sites:
                _insert(conn, site, SYSTEM)
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == SQLITE_READONLY:
            return None
        raise
    return ImportReport(path.name, tuple(site.id for site in sites), (), ())


# --- editing --------------------------------------------------------------------------------


def add_site(conn: sqlite3.Connection, user: User | None, values: Mapping[str, str]) -> StoredSite:
    """Add one site given as {column: text}, validated like an import row.

    Raises SitesInvalid (per-field problems), ConflictError when the id is taken.
    """
    actor = require(conn, user, "organiser", "add sites")
    site = parse_row(values)
    _check_schema(conn)
    with write(conn):
        if conn.execute("SELECT 1 FROM sites WHERE id = ?", (site.id,)).fetchone():
            raise ConflictError(
                f"a site with id {site.id!r} already exists: choose another id or edit that site"
            )
        _insert(conn, site, actor.username)
    stored = get_site(conn, site.id)
    assert stored is not None
    return stored


def edit_site(conn: sqlite3.Connection, user: User | None, site_id: str, values: Mapping[str, str], *,
              expected_revision: int | None = None) -> StoredSite:
    """Replace a site's fields with `values` ({column: text}; the id cannot change), validated like an
    import row. With `expected_revision`, refuse (ConflictError) if someone changed it since."""
    actor = require(conn, user, "organiser", "edit sites")
    if values.get("id", site_id).strip() != site_id:
        raise ValidationError(f"a site's id cannot change (editing {site_id!r}): add a new site instead")
    site = parse_row({**values, "id": site_id})
    with write(conn):
        row = _existing(conn, site_id, expected_revision)
        if _row_site(row) != site:
            _update(conn, site, actor.username)
    stored = get_site(conn, site_id)
    assert stored is not None
    return stored


def hide_site(conn: sqlite3.Connection, user: User | None, site_id: str, *,
              expected_revision: int | None = None) -> StoredSite:
    """Hide a site from listings (it keeps its id and data; `unhide_site` shows it again)."""
    actor = require(conn, user, "organiser", "hide sites")
    return _set_hidden(conn, actor, site_id, True, expected_revision)


def unhide_site(conn: sqlite3.Connection, user: User | None, site_id: str, *,
                expected_revision: int | None = None) -> StoredSite:
    """Show a hidden site in listings again."""
    actor = require(conn, user, "organiser", "unhide sites")
    return _set_hidden(conn, actor, site_id, False, expected_revision)


def _set_hidden(conn: sqlite3.Connection, user: User, site_id: str, hidden: bool,
                expected_revision: int | None) -> StoredSite:
    with write(conn):
        row = _existing(conn, site_id, expected_revision)
        if bool(row["hidden"]) != hidden:
            conn.execute(
                "UPDATE sites SET hidden = ?, revision = revision + 1, updated_at = ?, updated_by = ? "
                "WHERE id = ?",
                (int(hidden), _now(), user.username, site_id),
            )
    stored = get_site(conn, site_id)
    assert stored is not None
    return stored


def _existing(conn: sqlite3.Connection, site_id: str, expected_revision: int | None) -> sqlite3.Row:
    """The row to change, or ValidationError (no such id) / ConflictError (changed meanwhile)."""
    _check_schema(conn)
    row: sqlite3.Row | None = conn.execute("SELECT * FROM sites WHERE id = ?", (site_id,)).fetchone()
    if row is None:
        raise NotFoundError(
            f"no site with id {site_id!r}: check the id (`studykb sites export` lists them)"
        )
    if expected_revision is not None and row["revision"] != expected_revision:
        raise ConflictError(
            f"site {site_id!r} was changed by {row['updated_by']} at {row['updated_at']} while you "
            "edited it: reload it and apply your change again"
        )
    return row


# --- rows -----------------------------------------------------------------------------------


def _insert(conn: sqlite3.Connection, site: Site, who: str) -> None:
    conn.execute(
        f"INSERT INTO sites ({', '.join(_FIELDS)}, updated_at, updated_by) "
        f"VALUES ({', '.join('?' * len(_FIELDS))}, ?, ?)",
        (*_columns(site), _now(), who),
    )


def _update(conn: sqlite3.Connection, site: Site, who: str) -> None:
    assignments = ", ".join(f"{name} = ?" for name in _FIELDS[1:])
    conn.execute(
        f"UPDATE sites SET {assignments}, revision = revision + 1, updated_at = ?, updated_by = ? "
        "WHERE id = ?",
        (*_columns(site)[1:], _now(), who, site.id),
    )


def _columns(site: Site) -> tuple[object, ...]:
    """The record's values in `_FIELDS` order, lists as JSON."""
    return (
        site.id, site.name, site.type, site.province, site.city, site.district, site.address,
        site.lat, site.lon, site.hours, site.booking, json.dumps(list(site.themes), ensure_ascii=False),
        site.description, site.url, json.dumps(list(site.related_queries), ensure_ascii=False),
        site.coord_accuracy_m,
    )


def _row_site(row: sqlite3.Row) -> Site:
    return Site(
        id=row["id"], name=row["name"], type=row["type"], province=row["province"], city=row["city"],
        district=row["district"], address=row["address"], lat=float(row["lat"]), lon=float(row["lon"]),
        hours=row["hours"], booking=row["booking"], themes=tuple(json.loads(row["themes"])),
        description=row["description"], url=row["url"],
        related_queries=tuple(json.loads(row["related_queries"])),
        coord_accuracy_m=None if row["coord_accuracy_m"] is None else int(row["coord_accuracy_m"]),
    )


def _stored(row: sqlite3.Row) -> StoredSite:
    return StoredSite(
        _row_site(row), bool(row["hidden"]), int(row["revision"]), row["updated_at"], row["updated_by"]
    )


def _place_order(item: StoredSite) -> tuple[int, str, str, str, str]:
    site = item.site
    rank = PROVINCES.index(site.province) if site.province in PROVINCES else len(PROVINCES)
    return rank, site.city, site.district, site.name, site.id


def _check_unique(sites: list[Site]) -> None:
    seen: set[str] = set()
    for site in sites:
        if site.id in seen:
            raise ValidationError(f"site id {site.id!r} appears twice in the import: ids must be unique")
        seen.add(site.id)


def _check_schema(conn: sqlite3.Connection) -> None:
    """Fail with the fix when the database predates the sites migration's real content."""
    if table_exists(conn, "sites"):
        return
    raise ConfigError(
        "this database has no sites table: it was created while migration 0004 was still a placeholder. "
        "Set `PRAGMA user_version = 3` on studykb.db "
        "(e.g. `sqlite3 data/studykb.db 'PRAGMA user_version=3'`) and open it again: the migration then runs"
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
