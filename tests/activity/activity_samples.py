"""Sample rows for the study-activity tests: a 12-unit tree, valid visit rows, CSV text."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from studykb.auth import User

MAINTAINER = User(0, "cli:test", "maintainer")

# 12 units: a 党委 with 3 党总支, 8 党支部 (two directly under the 党委).
UNITS: list[dict[str, str]] = [
    {"id": "dw", "name": "机关党委", "parent_id": "", "kind": "党委"},
    {"id": "zz1", "name": "第一党总支", "parent_id": "dw", "kind": "党总支"},
    {"id": "zz2", "name": "第二党总支", "parent_id": "dw", "kind": "党总支"},
    {"id": "zz3", "name": "第三党总支", "parent_id": "dw", "kind": "党总支"},
    {"id": "zb11", "name": "第一支部", "parent_id": "zz1", "kind": "党支部"},
    {"id": "zb12", "name": "第二支部", "parent_id": "zz1", "kind": "党支部"},
    {"id": "zb21", "name": "第三支部", "parent_id": "zz2", "kind": "党支部"},
    {"id": "zb22", "name": "第四支部", "parent_id": "zz2", "kind": "党支部"},
    {"id": "zb31", "name": "第五支部", "parent_id": "zz3", "kind": "党支部"},
    {"id": "zb32", "name": "第六支部", "parent_id": "zz3", "kind": "党支部"},
    {"id": "zb01", "name": "离退休支部", "parent_id": "dw", "kind": "党支部"},
    {"id": "zb02", "name": "青年支部", "parent_id": "dw", "kind": "党支部"},
]
UNIT_COLUMNS = ("id", "name", "parent_id", "kind")
VISIT_COLUMNS = ("id", "site_id", "date", "unit_id", "participants", "activity", "topic")


def csv_text(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    """Rows (dicts by column) as CSV text with a header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return buffer.getvalue()


def visit(n: int, **changes: str) -> dict[str, str]:
    """A valid visit row; `n` varies the id, site, unit, date and count."""
    sites = ("sh-cpc1-memorial", "sh-cpc2-site", "zj-54-constitution", "sh-sun-residence")
    branches = ("zb11", "zb12", "zb21", "zb22", "zb31", "zb32", "zb01", "zb02")
    row = {
        "id": f"v{n:04d}",
        "site_id": sites[n % len(sites)],
        "date": f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "unit_id": branches[n % len(branches)],
        "participants": str(5 + n % 40),
        "activity": ("现场教学", "主题党日", "调研", "其他")[n % 4],
        "topic": f"学习{n}",
    }
    return {**row, **changes}


def user(conn: sqlite3.Connection, name: str) -> User:
    """The stored account `name` as a User."""
    row = conn.execute("SELECT id, username, role FROM users WHERE username = ?", (name,)).fetchone()
    return User(int(row[0]), row[1], row[2])


def import_sample_units(conn: sqlite3.Connection, folder: Path) -> None:
    """Import the 12 sample units into `conn` (through units.csv written in `folder`)."""
    from activity.units import import_units

    path = folder / "units.csv"
    path.write_text(csv_text(UNIT_COLUMNS, UNITS), encoding="utf-8")
    import_units(conn, MAINTAINER, path)
