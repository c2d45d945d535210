"""AppTest flows of reading lists: an organiser creates a list, adds from search, reorders and publishes;
a member logs in, opens it, reads an item at its source and marks it read; exports are offered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lists import progress, store
from lists.records import anchor_for_document, anchor_for_hit
from search.engine import Engine
from studykb import auth
from studykb.auth import User
from studykb.db import connect
from studykb.layout import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
PASSWORD = "correct-horse-42"


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def site(workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, sqlite3.Connection]:
    """The app's data dir (a private copy of the indexed test corpus) and a connection to its database."""
    _, data = workspace
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    return data, connect(data / "studykb.db")


def _app(user: User | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.session_state["user"] = user
    return at.run()


def _button(at: AppTest, key_prefix: str, index: int = 0):  # type: ignore[no-untyped-def]
    found = [b for b in at.button if b.key and str(b.key).startswith(key_prefix)]
    assert found, f"no button {key_prefix}… among {[b.key for b in at.button]}"
    return found[index]


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_organiser_creates_adds_from_search_reorders_and_publishes(
        site: tuple[Path, sqlite3.Connection]) -> None:
    _, conn = site
    org = auth.add_user(conn, "wangfang", None, "organiser", display_name="王芳")
    at = _app(org)
    at.switch_page("views/lists.py").run()
    next(t for t in at.text_input if t.label == "标题").set_value("五月主题学习")
    next(t for t in at.text_input if t.label == "面向").set_value("第一党支部")
    next(b for b in at.button if b.label == "创建清单").click().run()
    _no_errors(at)
    [lst] = store.lists_for(conn, org)
    assert (lst.title, lst.audience, lst.status) == ("五月主题学习", "第一党支部", "draft")
    assert at.session_state["rl_open"] == lst.id

    at.switch_page("views/search.py").run()
    at.text_input(key="q").input("浦江经验").run()
    picker = at.selectbox(key=next(s.key for s in at.selectbox if str(s.key).startswith("curate-sel-")))
    assert picker.value == lst.id
    _button(at, "curate-add-p-", 0).click().run()
    assert any("已将该段落加入《五月主题学习》（第 1 项）" in t.value for t in at.toast)
    _button(at, "curate-add-d-", 1).click().run()
    _button(at, "curate-add-p-", 0).click().run()  # the same passage again: refused, list unchanged
    assert any("已在清单《五月主题学习》中（第 1 项）" in t.value for t in at.toast)
    _no_errors(at)
    items = store.items(conn, org, lst.id)
    assert [i.kind for i in items] == ["passage", "document"]

    at.switch_page("views/lists.py").run()
    _no_errors(at)
    assert [t.label for t in at.tabs] == ["阅读", "编辑", "完成情况", "导出"]
    at.button(key=f"rl-down-{items[0].id}").click().run()
    assert [i.id for i in store.items(conn, org, lst.id)] == [items[1].id, items[0].id]
    note_key = next(t.key for t in at.text_area if str(t.key).startswith(f"rl-note-{items[0].id}-"))
    at.text_area(key=note_key).set_value("重点领会“下访”的含义")
    at.button(key=f"rl-note-save-{items[0].id}").click().run()
    assert store.items(conn, org, lst.id)[1].note == "重点领会“下访”的含义"
    at.button(key="rl-publish").click().run()
    _no_errors(at)
    assert store.get_list(conn, org, lst.id).published
    assert {"下载 Word 小册子（.docx）", "下载 Markdown（.md）", "导出 JSON"} <= \
        {b.proto.label for b in at.get("download_button")}


def test_a_stale_page_gets_a_conflict_message(site: tuple[Path, sqlite3.Connection]) -> None:
    data, conn = site
    org, other = (auth.add_user(conn, n, None, "organiser") for n in ("wangfang", "chenjing"))
    lst = store.create_list(conn, org, "清单")
    hit = Engine.open(data).search("千万工程", k=1).hits[0]
    first = store.add_item(conn, org, lst.id, anchor_for_document(hit.document))
    at = _app(org)
    at.session_state["rl_open"] = lst.id
    at.switch_page("views/lists.py").run()
    store.set_note(conn, other, first.id, store.get_list(conn, other, lst.id).revision, "陈静的按语")
    at.button(key=f"rl-remove-{first.id}").click().run()
    assert any("刚被其他人修改过" in e.value for e in at.error)
    assert store.items(conn, org, lst.id)[0].note == "陈静的按语"  # nothing was removed or overwritten
    at.button(key=f"rl-remove-{first.id}").click().run()  # the page now shows the fresh revision
    assert store.items(conn, org, lst.id) == []


def _published(conn: sqlite3.Connection, data: Path) -> tuple[User, int, list[int]]:
    org = auth.add_user(conn, "wangfang", None, "organiser")
    lst = store.create_list(conn, org, "基层治理专题")
    engine = Engine.open(data)
    hits = [engine.search('"浦江经验"', k=1).hits[0], engine.search('"两个确立"', k=1).hits[0]]
    ids = [store.add_item(conn, org, lst.id, anchor_for_hit(h), note="请读原文").id for h in hits]
    store.publish(conn, org, lst.id, store.get_list(conn, org, lst.id).revision)
    return org, lst.id, ids


def test_member_logs_in_reads_at_the_source_and_marks_read(site: tuple[Path, sqlite3.Connection]) -> None:
    data, conn = site
    org, list_id, ids = _published(conn, data)
    member = auth.add_user(conn, "lihua", PASSWORD, "member", display_name="李华")
    draft = store.create_list(conn, org, "未发布的草稿")
    at = _app(None)
    at.switch_page("views/lists.py").run()
    at.text_input(key="login_name").set_value("lihua")
    at.text_input(key="login_password").set_value(PASSWORD)
    next(b for b in at.button if b.label == "登录").click().run()
    assert at.session_state["user"] == member
    _no_errors(at)
    assert not any("未发布的草稿" in m.value for m in at.markdown)
    at.button(key=f"rl-open-{list_id}").click().run()
    assert [t.label for t in at.tabs] == ["阅读", "导出"]  # no editing for members
    sources = [c.value for c in at.caption if "《" in c.value]
    assert sources and not any(ext in c for c in sources for ext in (".md", ".txt", ".pdf", ".docx"))
    assert not [b for b in at.button if str(b.key).startswith(("rl-up-", "rl-publish", "rl-remove-"))]
    at.button(key=f"rl-mark-{ids[0]}").click().run()
    assert set(progress.progress(conn, member, list_id)) == {ids[0]}
    assert any("已读 1 / 2" in str(p.proto.text) for p in at.get("progress"))
    at.button(key=f"rl-read-src-{ids[1]}").click().run()
    _no_errors(at)
    assert at.session_state["rl_reader"] == ids[1]
    assert any(m.value.startswith("《") for m in at.subheader)  # the source reader's document title
    at.button(key="rl-reader-mark").click().run()
    assert set(progress.progress(conn, member, list_id)) == set(ids)
    assert at.button(key="rl-reader-next").disabled
    assert any("第 2 项 / 共 2 项" in c.value for c in at.caption)
    at.button(key="rl-reader-prev").click().run()
    assert at.session_state["rl_reader"] == ids[0] and any(m.value == "请读原文" for m in at.info)
    assert progress.completion(conn, org, list_id).finished == 1
    # a draft opened by id (a stale link) shows nothing of it
    at.session_state["rl_reader"] = None
    at.session_state["rl_open"] = draft.id
    at.run()
    assert any("无法打开该清单：它不存在、已被删除，或尚未发布" in w.value for w in at.warning)


@pytest.mark.parametrize("role", [None, "member"], ids=["anonymous", "member"])
def test_search_cards_have_no_curation_for_non_organisers(site: tuple[Path, sqlite3.Connection],
                                                          role: str | None) -> None:
    _, conn = site
    user = auth.add_user(conn, "lihua", None, role) if role else None
    at = _app(user)
    at.text_input(key="q").input("浦江经验").run()
    _no_errors(at)
    assert any(str(b.key).startswith("read-") for b in at.button)
    assert not [w for w in [*at.button, *at.selectbox] if str(w.key).startswith("curate-")]


def test_saving_a_note_stays_in_the_edit_tab_with_the_confirmation_at_the_note(
        site: tuple[Path, sqlite3.Connection]) -> None:
    data, conn = site
    org = auth.add_user(conn, "wangfang", None, "organiser")
    lst = store.create_list(conn, org, "清单")
    engine = Engine.open(data)
    for query in ("千万工程", "浦江经验"):
        store.add_item(conn, org, lst.id, anchor_for_hit(engine.search(query, k=1).hits[0]))
    first, second = store.items(conn, org, lst.id)
    at = _app(org)
    at.session_state["rl_open"] = lst.id
    at.switch_page("views/lists.py").run()
    at.session_state[f"rl-tab-{lst.id}"] = "编辑"  # the organiser opens 编辑
    at.run()
    key = next(t.key for t in at.text_area if str(t.key).startswith(f"rl-note-{second.id}-"))
    at.text_area(key=key).set_value("思考题：为什么要“下访”？")
    at.button(key=f"rl-note-save-{second.id}").click().run()
    _no_errors(at)
    assert store.get_item(conn, org, second.id).note == "思考题：为什么要“下访”？"
    assert at.session_state[f"rl-tab-{lst.id}"] == "编辑"
    assert not at.success  # no banner at the top of the page
    edit = at.tabs[1]
    confirmations = [m.value for m in edit.markdown if "按语已保存" in m.value]
    assert len(confirmations) == 1
    assert first.id != second.id
