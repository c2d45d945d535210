"""Tests for lists.store and lists.progress: CRUD, order, duplicate, publish, roles, conflicts, progress."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from lists_samples import document, passage

from lists import progress, store
from studykb.auth import User
from studykb.errors import ConflictError, PermissionDenied, ValidationError


def paths(conn: sqlite3.Connection, user: User, list_id: int) -> list[str]:
    return [f"{i.position}:{i.anchor.doc_path}:{i.anchor.kind}" for i in store.items(conn, user, list_id)]


def test_create_and_read_back(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org = people["organiser"]
    lst = store.create_list(conn, org, "  五月主题学习  ", description="读原著、学原文",
                            audience="第一党支部", period_start="2024-05-01", period_end="2024-05-31")
    assert (lst.title, lst.status, lst.revision, lst.n_items) == ("五月主题学习", "draft", 1, 0)
    assert (lst.owner_id, lst.owner_name) == (org.id, "王芳")
    assert lst.period == "2024-05-01 至 2024-05-31"
    assert store.get_list(conn, org, lst.id) == lst
    assert [x.id for x in store.lists_for(conn, org)] == [lst.id]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "题" * 201}, "title"),
    ({"title": "ok", "period_start": "2024-13-01"}, "period_start"),
    ({"title": "ok", "period_start": "2024-06-01", "period_end": "2024-05-01"}, "period_end"),
    ({"title": "ok", "description": "说" * 5001}, "description"),
], ids=["blank-title", "long-title", "bad-date", "reversed-period", "long-description"])
def test_create_rejects_bad_fields(conn: sqlite3.Connection, people: dict[str, User], kwargs: dict[str, Any],
                                   field: str) -> None:
    kwargs = dict(kwargs)  # the parameter's dict is shared by both engines' runs
    title = kwargs.pop("title")
    with pytest.raises(ValidationError, match=field):
        store.create_list(conn, people["organiser"], title, **kwargs)
    assert store.lists_for(conn, people["organiser"]) == []


def test_add_items_in_order_and_reject_duplicates(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org = people["organiser"]
    lst = store.create_list(conn, org, "清单")
    store.add_item(conn, org, lst.id, passage(1), note="重点读第二句")
    store.add_item(conn, org, lst.id, document())
    store.add_item(conn, org, lst.id, passage(2))
    assert paths(conn, org, lst.id) == ["0:guide.md:passage", "1:compilation.txt:document",
                                        "2:guide.md:passage"]
    first = store.items(conn, org, lst.id)[0]
    assert first.note == "重点读第二句" and first.anchor == passage(1)
    with pytest.raises(ValidationError, match="already item 1"):
        store.add_item(conn, org, lst.id, passage(1))
    with pytest.raises(ValidationError, match="already item 2"):
        store.add_item(conn, org, lst.id, document())
    assert store.get_list(conn, org, lst.id).n_items == 3


def test_move_reorder_remove_keep_positions_contiguous(conn: sqlite3.Connection,
                                                       people: dict[str, User]) -> None:
    org = people["organiser"]
    lst = store.create_list(conn, org, "清单")
    ids = [store.add_item(conn, org, lst.id, passage(n)).id for n in range(4)]
    rev = store.get_list(conn, org, lst.id).revision
    rev = store.move_item(conn, org, ids[3], rev, -1).revision
    assert [i.id for i in store.items(conn, org, lst.id)] == [ids[0], ids[1], ids[3], ids[2]]
    with pytest.raises(ValidationError, match="cannot move"):
        store.move_item(conn, org, ids[0], rev, -1)
    rev = store.reorder(conn, org, lst.id, rev, [ids[2], ids[0], ids[3], ids[1]]).revision
    assert [i.id for i in store.items(conn, org, lst.id)] == [ids[2], ids[0], ids[3], ids[1]]
    with pytest.raises(ValidationError, match="exactly once"):
        store.reorder(conn, org, lst.id, rev, [ids[0], ids[0], ids[1], ids[2]])
    after = store.remove_item(conn, org, ids[0], rev)
    assert [(i.position, i.id) for i in store.items(conn, org, lst.id)] == \
        [(0, ids[2]), (1, ids[3]), (2, ids[1])]
    assert after.n_items == 3


def test_update_note_and_metadata(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org = people["organiser"]
    lst = store.create_list(conn, org, "清单", audience="全体党员")
    item = store.add_item(conn, org, lst.id, passage(1))
    lst = store.get_list(conn, org, lst.id)
    lst = store.set_note(conn, org, item.id, lst.revision, "结合本支部实际讨论")
    lst = store.update_list(conn, org, lst.id, lst.revision, title="六月主题学习", period_end="2024-06-30")
    assert (lst.title, lst.audience, lst.period_start, lst.period_end) == \
        ("六月主题学习", "全体党员", None, "2024-06-30")
    assert store.items(conn, org, lst.id)[0].note == "结合本支部实际讨论"
    lst = store.update_list(conn, org, lst.id, lst.revision, period_end=None)
    assert lst.period == ""


def test_publish_unpublish_and_visibility(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org, member = people["organiser"], people["member"]
    lst = store.create_list(conn, org, "清单")
    with pytest.raises(ValidationError, match="empty list"):
        store.publish(conn, org, lst.id, lst.revision)
    store.add_item(conn, org, lst.id, passage(1))
    assert store.lists_for(conn, member) == [] and store.lists_for(conn, None) == []
    with pytest.raises(PermissionDenied, match="draft"):
        store.items(conn, member, lst.id)
    lst = store.publish(conn, org, lst.id, store.get_list(conn, org, lst.id).revision)
    assert lst.published and lst.published_at
    assert [x.id for x in store.lists_for(conn, member)] == [lst.id]
    assert [x.id for x in store.lists_for(conn, None)] == [lst.id]
    lst = store.unpublish(conn, org, lst.id, lst.revision)
    assert store.lists_for(conn, member) == []


def test_duplicate_copies_items_and_notes_as_a_draft(conn: sqlite3.Connection,
                                                     people: dict[str, User]) -> None:
    org, other = people["organiser"], people["organiser2"]
    src = store.create_list(conn, org, "五月", audience="第一支部", period_start="2024-05-01")
    store.add_item(conn, org, src.id, passage(1), note="按语一")
    store.add_item(conn, org, src.id, document(), note="按语二")
    src = store.publish(conn, org, src.id, store.get_list(conn, org, src.id).revision)
    copy = store.duplicate_list(conn, other, src.id)
    assert (copy.title, copy.status, copy.owner_name, copy.audience, copy.n_items) == \
        ("五月（副本）", "draft", "陈静", "第一支部", 2)
    old, new = store.items(conn, org, src.id), store.items(conn, org, copy.id)
    assert [(i.anchor, i.note, i.position) for i in old] == [(i.anchor, i.note, i.position) for i in new]
    assert {i.id for i in old}.isdisjoint(i.id for i in new)


def test_delete_removes_items_and_progress(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org, member = people["organiser"], people["member"]
    lst = store.create_list(conn, org, "清单")
    item = store.add_item(conn, org, lst.id, passage(1))
    lst = store.publish(conn, org, lst.id, store.get_list(conn, org, lst.id).revision)
    progress.mark_read(conn, member, item.id)
    store.delete_list(conn, org, lst.id, lst.revision)
    assert store.lists_for(conn, org) == []
    assert conn.execute("SELECT count(*) FROM reading_list_items").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM reading_progress").fetchone()[0] == 0


# -- roles: the store refuses members and anonymous visitors, whatever the UI shows -----------------

Write = Callable[[sqlite3.Connection, User | None], Any]


def _writes(lst_id: int, item_id: int, rev: int) -> dict[str, Write]:
    return {
        "create": lambda c, u: store.create_list(c, u, "新清单"),
        "update": lambda c, u: store.update_list(c, u, lst_id, rev, title="改名"),
        "publish": lambda c, u: store.publish(c, u, lst_id, rev),
        "unpublish": lambda c, u: store.unpublish(c, u, lst_id, rev),
        "delete": lambda c, u: store.delete_list(c, u, lst_id, rev),
        "duplicate": lambda c, u: store.duplicate_list(c, u, lst_id),
        "add": lambda c, u: store.add_item(c, u, lst_id, passage(9)),
        "move": lambda c, u: store.move_item(c, u, item_id, rev, 1),
        "reorder": lambda c, u: store.reorder(c, u, lst_id, rev, [item_id]),
        "note": lambda c, u: store.set_note(c, u, item_id, rev, "改"),
        "remove": lambda c, u: store.remove_item(c, u, item_id, rev),
        "completion": lambda c, u: progress.completion(c, u, lst_id),
    }


@pytest.mark.parametrize("who", ["member", "anonymous"])
@pytest.mark.parametrize("action", list(_writes(0, 0, 0)))
def test_members_and_visitors_cannot_write(conn: sqlite3.Connection, people: dict[str, User], who: str,
                                           action: str) -> None:
    org = people["organiser"]
    lst = store.create_list(conn, org, "清单")
    item = store.add_item(conn, org, lst.id, passage(1))
    lst = store.publish(conn, org, lst.id, store.get_list(conn, org, lst.id).revision)
    before = conn.execute("SELECT revision FROM reading_lists").fetchall()
    user = people["member"] if who == "member" else None
    with pytest.raises(PermissionDenied, match="organiser role is needed"):
        _writes(lst.id, item.id, lst.revision)[action](conn, user)
    assert conn.execute("SELECT revision FROM reading_lists").fetchall() == before
    assert store.get_list(conn, org, lst.id) == lst


def test_maintainers_may_edit(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    lst = store.create_list(conn, people["maintainer"], "清单")
    assert store.add_item(conn, people["maintainer"], lst.id, passage(1)).position == 0


# -- optimistic concurrency -------------------------------------------------------------------------

def test_stale_revision_conflicts_instead_of_overwriting(conn: sqlite3.Connection,
                                                         people: dict[str, User]) -> None:
    a, b = people["organiser"], people["organiser2"]
    lst = store.create_list(conn, a, "清单")
    item = store.add_item(conn, a, lst.id, passage(1))
    opened = store.get_list(conn, a, lst.id)  # both editors open the list at this revision
    store.set_note(conn, a, item.id, opened.revision, "甲的按语")
    with pytest.raises(ConflictError, match="someone else changed this list since you opened it: reload"):
        store.set_note(conn, b, item.id, opened.revision, "乙的按语")
    with pytest.raises(ConflictError):
        store.update_list(conn, b, lst.id, opened.revision, title="乙的标题")
    assert store.items(conn, a, lst.id)[0].note == "甲的按语"
    assert store.get_list(conn, a, lst.id).title == "清单"
    fresh = store.get_list(conn, b, lst.id)
    store.set_note(conn, b, item.id, fresh.revision, "乙重新加载后的按语")
    assert store.items(conn, a, lst.id)[0].note == "乙重新加载后的按语"


def test_editing_a_deleted_list_or_item_conflicts(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org = people["organiser"]
    lst = store.create_list(conn, org, "清单")
    item = store.add_item(conn, org, lst.id, passage(1))
    opened = store.get_list(conn, org, lst.id)
    store.remove_item(conn, org, item.id, opened.revision)
    with pytest.raises(ConflictError, match="no longer in the list"):
        store.set_note(conn, org, item.id, opened.revision + 1, "x")
    store.delete_list(conn, org, lst.id, opened.revision + 1)
    with pytest.raises(ConflictError, match="no longer exists"):
        store.update_list(conn, org, lst.id, opened.revision + 2, title="x")


def test_different_lists_never_conflict(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    a, b = people["organiser"], people["organiser2"]
    one, two = store.create_list(conn, a, "一"), store.create_list(conn, b, "二")
    store.add_item(conn, a, one.id, passage(1), revision=one.revision)
    store.add_item(conn, b, two.id, passage(1), revision=two.revision)  # two's revision did not move
    assert (store.get_list(conn, a, one.id).n_items, store.get_list(conn, b, two.id).n_items) == (1, 1)


# -- progress ---------------------------------------------------------------------------------------

def test_members_track_their_own_progress(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org, m1, m2 = people["organiser"], people["member"], people["member2"]
    lst = store.create_list(conn, org, "清单")
    i1 = store.add_item(conn, org, lst.id, passage(1))
    i2 = store.add_item(conn, org, lst.id, passage(2))
    with pytest.raises(PermissionDenied, match="draft"):
        progress.mark_read(conn, m1, i1.id)
    store.publish(conn, org, lst.id, store.get_list(conn, org, lst.id).revision)
    progress.mark_read(conn, m1, i1.id)
    progress.mark_read(conn, m1, i1.id)  # idempotent
    progress.mark_read(conn, m1, i2.id)
    progress.mark_read(conn, m2, i2.id)
    assert set(progress.progress(conn, m1, lst.id)) == {i1.id, i2.id}
    assert set(progress.progress(conn, m2, lst.id)) == {i2.id}
    assert progress.progress(conn, None, lst.id) == {}
    c = progress.completion(conn, org, lst.id)
    assert (c.members, c.readers, c.finished) == (2, {i1.id: 1, i2.id: 2}, 1)
    assert [(p.username, p.read, bool(p.last_read)) for p in c.people] == \
        [("zhaolei", 1, True), ("lihua", 2, True)]
    other = store.create_list(conn, org, "另一个清单")
    assert [(p.username, p.read, p.last_read) for p in progress.completion(conn, org, other.id).people] == \
        [("lihua", 0, None), ("zhaolei", 0, None)]  # reads of other lists do not count
    progress.mark_read(conn, m1, i1.id, read=False)
    assert set(progress.progress(conn, m1, lst.id)) == {i2.id}
    assert progress.completion(conn, org, lst.id).finished == 0


def test_progress_needs_an_account(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    org = people["organiser"]
    lst = store.create_list(conn, org, "清单")
    item = store.add_item(conn, org, lst.id, passage(1))
    store.publish(conn, org, lst.id, store.get_list(conn, org, lst.id).revision)
    with pytest.raises(PermissionDenied, match="member role is needed"):
        progress.mark_read(conn, None, item.id)
    oidc = User(-1, "li@example.org", "member", "李", "li@example.org")
    with pytest.raises(PermissionDenied, match="studykb users add NAME --email li@example.org"):
        progress.mark_read(conn, oidc, item.id)
    assert conn.execute("SELECT count(*) FROM reading_progress").fetchone()[0] == 0


def test_lists_created_by_accounts_outside_the_database_are_owned_by_name(conn: sqlite3.Connection) -> None:
    oidc = User(-1, "wang@example.org", "organiser", "王老师", "wang@example.org")
    lst = store.create_list(conn, oidc, "清单")
    assert (lst.owner_id, lst.owner_name) == (None, "王老师")


def test_removing_an_account_keeps_its_lists(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    from studykb.auth import remove_user

    lst = store.create_list(conn, people["organiser"], "清单")
    remove_user(conn, "wangfang")
    kept = store.get_list(conn, people["organiser2"], lst.id)
    assert (kept.owner_id, kept.owner_name) == (None, "王芳")
