"""Visits: the CSV import (whole file or nothing; same ids update; same file changes nothing), export
round trip with formula-safe cells, organiser edits in their subtree, members' "我去过" marks."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from activity_samples import MAINTAINER, VISIT_COLUMNS, user, visit

from activity.csvfile import RowsInvalid, safe_cell
from activity.visits import (
    add_visit,
    edit_visit,
    export_visits,
    import_visits,
    list_visits,
    mark_visited,
    marks_of,
)
from studykb.errors import PermissionDenied, ValidationError


def stored(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT id, site_id, date, unit_id, participants, activity, topic, notes FROM visits ORDER BY id"
        )
    ]


def test_import_then_same_file_again_changes_nothing(
    tree: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    path = write_file("visits.csv", VISIT_COLUMNS, [visit(n) for n in range(600)])
    assert len(import_visits(tree, MAINTAINER, path).added) == 600
    before = stored(tree)
    again = import_visits(tree, MAINTAINER, path)
    assert (again.added, again.updated, len(again.unchanged)) == ((), (), 600)
    assert stored(tree) == before


def test_same_ids_update_and_never_duplicate(
    tree: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    import_visits(tree, MAINTAINER, write_file("a.csv", VISIT_COLUMNS, [visit(n) for n in range(10)]))
    changed = [visit(n, participants="99") if n == 3 else visit(n) for n in range(12)]
    report = import_visits(tree, MAINTAINER, write_file("b.csv", VISIT_COLUMNS, changed))
    assert report.updated == ("v0003",) and report.added == ("v0010", "v0011")
    assert len(stored(tree)) == 12
    assert tree.execute("SELECT participants FROM visits WHERE id = 'v0003'").fetchone()[0] == 99


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"site_id": "sh-nowhere"}, "site_id", "unknown site"),
        ({"unit_id": "zb99"}, "unit_id", "unknown unit"),
        ({"date": "2026-02-30"}, "date", "not a real date"),
        ({"date": "2026/03/01"}, "date", "not a real date"),
        ({"participants": "-3"}, "participants", "not a whole number"),
        ({"participants": "0"}, "participants", "not a whole number"),
        ({"participants": "250000"}, "participants", "not a whole number"),
        ({"participants": "12.5"}, "participants", "not a whole number"),
        ({"activity": "参观"}, "activity", "unknown activity"),
        ({"id": ""}, "id", "missing"),
    ],
    ids=[
        "unknown-site",
        "unknown-unit",
        "feb-30",
        "slashes",
        "negative",
        "zero",
        "absurd",
        "fraction",
        "activity",
        "no-id",
    ],
)
def test_one_bad_line_refuses_the_whole_file(
    tree: sqlite3.Connection, write_file: Callable[..., Path], change: dict[str, str], field: str, reason: str
) -> None:
    import_visits(tree, MAINTAINER, write_file("ok.csv", VISIT_COLUMNS, [visit(1000)]))
    before = stored(tree)
    rows = [visit(n) for n in range(40)]
    rows[20] = {**rows[20], **change}  # line 22 (header is line 1)
    with pytest.raises(RowsInvalid) as caught:
        import_visits(tree, MAINTAINER, write_file("visits.csv", VISIT_COLUMNS, rows))
    assert f"visits.csv line 22, field {field}: " in str(caught.value)
    assert reason in str(caught.value)
    assert [p.line for p in caught.value.problems] == [22]
    assert stored(tree) == before


def test_duplicate_id_in_a_file_names_both_lines(
    tree: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    rows = [visit(1), visit(2), visit(1, topic="重复")]
    with pytest.raises(RowsInvalid, match=r"line 4, field id: duplicate id 'v0001' \(first used on line 2\)"):
        import_visits(tree, MAINTAINER, write_file("visits.csv", VISIT_COLUMNS, rows))


def test_export_reads_back_and_neutralises_formulas(
    tree: sqlite3.Connection, write_file: Callable[..., Path], tmp_path: Path
) -> None:
    rows = [visit(n) for n in range(20)] + [visit(20, topic='=HYPERLINK("http://x")')]
    import_visits(tree, MAINTAINER, write_file("visits.csv", VISIT_COLUMNS, rows))
    text = export_visits(tree)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    out = tmp_path / "export.csv"
    out.write_text(text, encoding="utf-8")
    report = import_visits(tree, MAINTAINER, out)
    # The import takes back the quote the export put in front (studykb.csvsafe): the file round-trips.
    assert len(report.unchanged) == 21 and report.updated == ()
    stored = tree.execute("SELECT topic FROM visits WHERE id = 'v0020'").fetchone()[0]
    assert stored == '=HYPERLINK("http://x")'


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_quotes_formula_leads(lead: str) -> None:
    assert safe_cell(lead + "1") == "'" + lead + "1"
    assert safe_cell("中共一大") == "中共一大"


def test_organiser_records_and_edits_visits_of_their_subtree_only(tree: sqlite3.Connection) -> None:
    org = user(tree, "zz1org")
    made = add_visit(
        tree,
        org,
        {
            "site_id": "sh-cpc1-memorial",
            "date": "2026-03-05",
            "unit_id": "zb11",
            "participants": "25",
            "activity": "主题党日",
            "topic": "重温入党誓词",
        },
    )
    assert list_visits(tree, site_id="sh-cpc1-memorial")[0] == made
    edited = edit_visit(tree, org, made.id, {"participants": "30"})
    assert edited.participants == 30 and edited.topic == "重温入党誓词"
    with pytest.raises(PermissionDenied):
        add_visit(
            tree,
            org,
            {
                "site_id": "sh-cpc1-memorial",
                "date": "2026-03-05",
                "unit_id": "zb21",
                "participants": "25",
                "activity": "主题党日",
            },
        )
    with pytest.raises(PermissionDenied):
        edit_visit(tree, org, made.id, {"unit_id": "zb21"})
    with pytest.raises(PermissionDenied):
        add_visit(
            tree,
            user(tree, "m11"),
            {
                "site_id": "sh-cpc1-memorial",
                "date": "2026-03-05",
                "unit_id": "zb11",
                "participants": "2",
                "activity": "其他",
            },
        )
    with pytest.raises(RowsInvalid, match="form line 2, field date"):
        add_visit(
            tree,
            org,
            {
                "site_id": "sh-cpc1-memorial",
                "date": "2026-13-01",
                "unit_id": "zb11",
                "participants": "25",
                "activity": "主题党日",
            },
        )


def test_member_marks_a_site_visited(tree: sqlite3.Connection) -> None:
    member = user(tree, "m11")
    mark_visited(tree, member, "sh-cpc1-memorial", "2026-05-04")
    mark_visited(tree, member, "sh-cpc1-memorial", "2026-05-04")  # twice: one mark
    assert marks_of(tree, member.id) == [("sh-cpc1-memorial", "2026-05-04")]
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError, match="not in the future"):
        mark_visited(tree, member, "sh-cpc1-memorial", future)
    with pytest.raises(ValidationError, match="no site"):
        mark_visited(tree, member, "sh-nowhere", "2026-05-04")
    mark_visited(tree, member, "sh-cpc1-memorial", "2026-05-04", visited=False)
    assert marks_of(tree, member.id) == []
