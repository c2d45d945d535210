"""Research topics: topics.csv import (whole file or nothing, re-import updates), export through
csvsafe, organiser scope in the store, edits, and the share per theme."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from activity_samples import MAINTAINER, csv_text, user

from activity.csvfile import RowsInvalid
from activity.topics import (
    OPTIONAL_COLUMNS,
    TOPIC_COLUMNS,
    add_topic,
    edit_topic,
    export_topics,
    import_topics,
    import_topics_text,
    list_topics,
    theme_shares,
)
from studykb.db import connect
from studykb.errors import ConflictError, PermissionDenied

COLUMNS = (*TOPIC_COLUMNS, *OPTIONAL_COLUMNS)


def topic(n: int, **changes: str) -> dict[str, str]:
    """A valid topics.csv row; `n` varies the id, unit and theme."""
    row = {
        "id": f"kt-{n:03d}",
        "unit_id": ("zb11", "zb12", "zb21", "zb31")[n % 4],
        "title": f"关于第{n}个问题的调研",
        "theme": ("高质量发展", "高质量发展", "乡村振兴", "基层治理")[n % 4],
        "lead": f"负责人{n}",
        "status": ("立项", "进行中", "已结题")[n % 3],
        "start": "2026-03-01",
        "end": "2026-09-30",
    }
    return {**row, **changes}


def test_import_counts_shares_and_reimport_changes_nothing(
    tree: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    path = write_file("topics.csv", COLUMNS, [topic(n) for n in range(40)])
    report = import_topics(tree, MAINTAINER, path)
    assert report.summary() == "topics.csv: 40 topics — 40 added, 0 updated, 0 unchanged"
    shares = {s.theme: (s.topics, s.percent) for s in theme_shares(tree)}
    assert shares == {"高质量发展": (20, 50.0), "乡村振兴": (10, 25.0), "基层治理": (10, 25.0)}
    again = import_topics(tree, MAINTAINER, path)
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 40)
    changed = [topic(n) for n in range(40)]
    changed[4]["status"] = "已结题"
    report = import_topics(tree, MAINTAINER, write_file("topics2.csv", COLUMNS, changed))
    assert report.updated == ("kt-004",) and len(list_topics(tree)) == 40


def test_bad_file_is_refused_whole_with_line_and_field(
    tree: sqlite3.Connection, write_file: Callable[..., Path]
) -> None:
    rows = [topic(n) for n in range(10)]
    rows[2]["theme"] = "随便"
    rows[4]["unit_id"] = "nowhere"
    rows[6]["end"] = "2026-01-01"  # before its start
    rows[7]["start"] = "2026-02-30"
    rows[8]["id"] = rows[0]["id"]
    with pytest.raises(RowsInvalid) as info:
        import_topics(tree, MAINTAINER, write_file("bad.csv", COLUMNS, rows))
    found = {(p.line, p.field) for p in info.value.problems}
    assert found == {(4, "theme"), (6, "unit_id"), (8, "end"), (9, "start"), (10, "id")}
    assert "bad.csv line 4, field theme" in str(info.value)
    assert list_topics(tree) == []


def test_optional_columns_may_be_left_out_and_status_defaults(tree: sqlite3.Connection) -> None:
    text = "id,unit_id,title,theme\nkt-1,zb11,营商环境调研,高质量发展\n"
    import_topics_text(tree, MAINTAINER, text)
    (stored,) = list_topics(tree)
    assert (stored.status, stored.lead, stored.start_date, stored.end_date) == ("立项", "", None, None)
    with pytest.raises(RowsInvalid, match="wrong column set"):
        import_topics_text(tree, MAINTAINER, "id,unit_id,title\nkt-1,zb11,x\n")


def test_export_reads_back_and_neutralises_formulas(tree: sqlite3.Connection) -> None:
    rows = [topic(1, title="=HYPERLINK(\"http://x\")"), topic(2, lead="+86 张三")]

    import_topics_text(tree, MAINTAINER, csv_text(COLUMNS, rows))
    exported = export_topics(tree)
    assert exported.splitlines()[0] == ",".join(COLUMNS)
    assert "'=HYPERLINK" in exported and "'+86 张三" in exported
    before = list_topics(tree)
    report = import_topics_text(tree, MAINTAINER, exported)
    assert len(report.unchanged) == 2 and list_topics(tree) == before
    assert {t.title for t in before} == {"=HYPERLINK(\"http://x\")", rows[1]["title"]}


def test_organisers_register_and_edit_only_in_their_subtree(tree: sqlite3.Connection) -> None:
    org = user(tree, "zz1org")
    made = add_topic(tree, org, unit_id="zb11", title="社区治理调研", theme="基层治理", lead="李四")
    assert made.id.startswith("t-") and list_topics(tree) == [made]
    with pytest.raises(PermissionDenied):
        add_topic(tree, org, unit_id="zb21", title="x", theme="其他")
    with pytest.raises(RowsInvalid) as info:
        add_topic(tree, org, unit_id="zb11", title=" ", theme="其他", start_date="2026-13-01")
    assert {p.field for p in info.value.problems} == {"title", "start"}
    with pytest.raises(ConflictError):
        add_topic(tree, org, unit_id="zb11", title="y", theme="其他", topic_id=made.id)
    edited = edit_topic(tree, org, made.id, {"status": "已结题", "end": "2026-11-30"})
    assert (edited.status, edited.end_date, edited.title) == ("已结题", "2026-11-30", "社区治理调研")
    with pytest.raises(PermissionDenied):
        edit_topic(tree, org, made.id, {"unit_id": "zb21"})
    other = add_topic(tree, user(tree, "dworg"), unit_id="zb21", title="z", theme="其他")
    with pytest.raises(PermissionDenied):
        edit_topic(tree, org, other.id, {"title": "改"})
    with pytest.raises(PermissionDenied):
        import_topics_text(tree, org, "id,unit_id,title,theme\n" + f"{other.id},zb11,夺走,其他\n")
    with pytest.raises(PermissionDenied):
        add_topic(tree, user(tree, "m11"), unit_id="zb11", title="x", theme="其他")
    row = tree.execute("SELECT updated_by FROM topics WHERE id = ?", (made.id,)).fetchone()
    assert row[0] == "zz1org"


def test_topics_stored_before_keep_their_number_as_id(tmp_path: Path) -> None:
    """Migration 0009 turns the numbered topics of schema 8 into text ids `t-<number>`."""
    from studykb import db

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for script in db.MIGRATIONS[:8]:
        old.executescript(script)
    old.execute("PRAGMA user_version = 8")
    old.execute("INSERT INTO units(id, name, parent_id, kind) VALUES ('u', '支部', NULL, '党支部')")
    old.execute(
        "INSERT INTO topics(id, unit_id, title, theme, status) VALUES (7, 'u', '课题', '其他', '立项')"
    )
    old.commit()
    old.close()
    conn = connect(path)
    (stored,) = list_topics(conn)
    assert (stored.id, stored.title, stored.theme) == ("t-7", "课题", "其他")


def test_dashboard_themes_follow_the_unit_filter(tree: sqlite3.Connection) -> None:
    from activity.dashboard import dashboard

    import_topics_text(tree, MAINTAINER, csv_text(COLUMNS, [topic(n) for n in range(8)]))
    everything = dashboard(tree, MAINTAINER).themes
    assert sum(t.topics for t in everything) == 8
    zz1 = dashboard(tree, MAINTAINER, unit="zz1").themes  # zb11 and zb12: topics 0, 1, 4, 5
    assert [(t.theme, t.topics, t.percent) for t in zz1] == [("高质量发展", 4, 100.0)]
