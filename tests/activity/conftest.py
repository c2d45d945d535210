"""Fixtures for the study-activity tests: a migrated database with the shipped sites, a unit tree,
accounts placed in units, and writers of units.csv / visits.csv files."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pytest
from activity_samples import MAINTAINER, UNIT_COLUMNS, UNITS, csv_text

from activity.units import import_units, set_member_unit
from sites.store import ensure_loaded
from studykb.auth import add_user
from studykb.db import connect
from tests.pg_server import PgServer


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def conn(db_target: Path | str) -> Iterator[sqlite3.Connection]:
    """A migrated database with the shipped sites loaded, on SQLite and on PostgreSQL."""
    db = connect(db_target)
    ensure_loaded(db)
    yield db
    db.close()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """write_file(name, columns, rows) -> path of a CSV file in tmp_path."""

    def write(name: str, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> Path:
        path = tmp_path / name
        path.write_text(csv_text(columns, rows), encoding="utf-8")
        return path

    return write


@pytest.fixture
def tree(conn: sqlite3.Connection, write_file: Callable[..., Path]) -> sqlite3.Connection:
    """The 12-unit tree imported, organiser `zz1org` in zz1, organiser `dworg` in dw, members in branches."""
    import_units(conn, MAINTAINER, write_file("units.csv", UNIT_COLUMNS, UNITS))
    for name, role, unit in (
        ("zz1org", "organiser", "zz1"),
        ("dworg", "organiser", "dw"),
        ("m11", "member", "zb11"),
        ("m12", "member", "zb12"),
        ("m21", "member", "zb21"),
        ("loose", "organiser", None),
    ):
        add_user(conn, name, None, role=role)
        if unit:
            set_member_unit(conn, MAINTAINER, name, unit)
    return conn


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> list[str]:
    """CLI options: none (SQLite in the data dir), or `--database-url` of a new PostgreSQL database."""
    if request.param == "sqlite":
        return []
    server: PgServer = request.getfixturevalue("pg_server")
    return ["--database-url", server.new_database()]
