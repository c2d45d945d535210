"""Organisation units: the CSV import (whole file or nothing, line and field named), the tree, export
round trip, and organisers confined to their own subtree."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from activity_samples import MAINTAINER, UNIT_COLUMNS, UNITS, user

from activity.csvfile import RowsInvalid
from activity.units import (
    export_units,
    import_units,
    list_units,
    managed_units,
    require_scope,
    set_member_unit,
    subtree,
)
from studykb.errors import PermissionDenied


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM units").fetchone()[0])


def test_import_builds_the_tree_and_reimport_changes_nothing(
    conn: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    path = write_file("units.csv", UNIT_COLUMNS, UNITS)
    first = import_units(conn, MAINTAINER, path)
    assert len(first.added) == 12
    again = import_units(conn, MAINTAINER, path)
    assert (again.added, again.updated, len(again.unchanged)) == ((), (), 12)
    order = [u.id for u in list_units(conn)]
    assert order[0] == "dw" and order.index("zz1") < order.index("zb11") < order.index("zz2")
    assert subtree(conn, "zz1") == {"zz1", "zb11", "zb12"}
    assert len(subtree(conn, "dw")) == 12


def test_export_reads_back_unchanged(
    conn: sqlite3.Connection, write_file: Callable[..., Path], tmp_path: Path
) -> None:
    import_units(conn, MAINTAINER, write_file("units.csv", UNIT_COLUMNS, UNITS))
    out = tmp_path / "out.csv"
    out.write_text(export_units(conn), encoding="utf-8")
    report = import_units(conn, MAINTAINER, out)
    assert len(report.unchanged) == 12 and not report.added and not report.updated


def test_reimport_with_a_renamed_unit_updates_it(
    conn: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    import_units(conn, MAINTAINER, write_file("units.csv", UNIT_COLUMNS, UNITS))
    renamed = [dict(u, name="新名称") if u["id"] == "zb11" else u for u in UNITS]
    report = import_units(conn, MAINTAINER, write_file("units2.csv", UNIT_COLUMNS, renamed))
    assert report.updated == ("zb11",) and count(conn) == 12


@pytest.mark.parametrize(
    ("change", "line", "field", "reason"),
    [
        ({"parent_id": "nowhere"}, 6, "parent_id", "unknown unit"),
        ({"kind": "支部"}, 6, "kind", "unknown kind"),
        ({"name": ""}, 6, "name", "missing"),
        ({"id": "bad id"}, 6, "id", "is not an id"),
        ({"id": "zz1"}, 6, "id", "duplicate id"),
        ({"kind": "党委"}, 6, "kind", "cannot sit below"),
        ({"parent_id": "zb12"}, 6, "parent_id", "has no units below"),
    ],
    ids=["unknown-parent", "bad-kind", "no-name", "bad-id", "duplicate", "kind-above-parent", "under-branch"],
)
def test_a_bad_row_refuses_the_whole_file(
    conn: sqlite3.Connection,
    write_file: Callable[..., Path],
    change: dict[str, str],
    line: int,
    field: str,
    reason: str,
) -> None:
    rows = [dict(u) for u in UNITS]
    rows[4] = {**rows[4], **change}  # zb11, on line 6
    with pytest.raises(RowsInvalid) as caught:
        import_units(conn, MAINTAINER, write_file("units.csv", UNIT_COLUMNS, rows))
    assert f"units.csv line {line}, field {field}: " in str(caught.value)
    assert reason in str(caught.value)
    assert count(conn) == 0


def test_a_cycle_is_refused(conn: sqlite3.Connection, write_file: Callable[..., Path]) -> None:
    rows = [
        {"id": "a", "name": "甲", "parent_id": "b", "kind": "党委"},
        {"id": "b", "name": "乙", "parent_id": "a", "kind": "党委"},
    ]
    with pytest.raises(RowsInvalid, match="cycle"):
        import_units(conn, MAINTAINER, write_file("units.csv", UNIT_COLUMNS, rows))


def test_wrong_header_is_named(conn: sqlite3.Connection, write_file: Callable[..., Path]) -> None:
    with pytest.raises(RowsInvalid, match=r"line 1, field header: wrong column set \(missing: kind"):
        import_units(conn, MAINTAINER, write_file("units.csv", ("id", "name", "parent_id"), UNITS))


def test_organiser_manages_only_their_subtree(
    tree: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    org = user(tree, "zz1org")
    assert managed_units(tree, org) == {"zz1", "zb11", "zb12"}
    inside = [{"id": "zb13", "name": "第七支部", "parent_id": "zz1", "kind": "党支部"}]
    assert import_units(tree, org, write_file("in.csv", UNIT_COLUMNS, inside)).added == ("zb13",)
    outside = [{"id": "zb23", "name": "第八支部", "parent_id": "zz2", "kind": "党支部"}]
    with pytest.raises(PermissionDenied, match="zb23"):
        import_units(tree, org, write_file("out.csv", UNIT_COLUMNS, outside))
    assert tree.execute("SELECT 1 FROM units WHERE id = 'zb23'").fetchone() is None
    # Moving a unit of another subtree under one's own is refused too.
    moved = [{"id": "zb21", "name": "第三支部", "parent_id": "zz1", "kind": "党支部"}]
    with pytest.raises(PermissionDenied):
        import_units(tree, org, write_file("move.csv", UNIT_COLUMNS, moved))
    with pytest.raises(PermissionDenied):
        require_scope(tree, user(tree, "loose"), {"zb11"}, "edit")
    with pytest.raises(PermissionDenied):
        require_scope(tree, user(tree, "m11"), {"zb11"}, "edit")
    assert require_scope(tree, user(tree, "dworg"), {"zb32"}, "edit").username == "dworg"


def test_organiser_places_accounts_within_their_subtree(tree: sqlite3.Connection) -> None:
    org = user(tree, "zz1org")
    set_member_unit(tree, org, "m11", "zb12")
    assert (
        tree.execute(
            "SELECT unit_id FROM unit_members m JOIN users u ON u.id = m.user_id WHERE u.username = 'm11'"
        ).fetchone()[0]
        == "zb12"
    )
    with pytest.raises(PermissionDenied):
        set_member_unit(tree, org, "m21", "zb11")  # m21 sits in zb21, outside zz1
    with pytest.raises(PermissionDenied):
        set_member_unit(tree, org, "m11", "zb21")
