"""Curating from search: on each result card organisers pick a reading list and add the passage or its
whole document in one click (members and visitors see nothing). Also the UI's database handle for lists."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

import streamlit as st

from lists.records import Anchor, ReadingList, anchor_for_document, anchor_for_hit
from lists.store import add_item as store_add_item
from lists.store import create_list, items, lists_for
from search.records import Hit
from studykb.auth import can
from studykb.errors import StudyKBError
from ui import state
from ui.auth import current_user
from ui.messages import error_text

__all__ = ["add_controls", "error_text", "lists_db"]

NEW = -1
_DONE = ":material/check_circle:"
_TARGET = "curate_target"
_SELECT = "curate-sel-"


def lists_db() -> sqlite3.Connection:
    """This browser session's own database connection (`state.session_db`), for reading lists."""
    return state.session_db()


def _label(lst: ReadingList | None) -> str:
    """The list's name in the picker. It must not change when an item is added: the browser sends the
    selected option back by its label, and a label that changed no longer names any option."""
    if lst is None:
        return "＋ 新建清单…"
    return f"{lst.title}（{'已发布' if lst.published else '草稿'}）"


def _chosen(select_key: str, lists: Sequence[ReadingList]) -> int:
    """The list id picked on a card: a label the browser sent that no longer names a list (renamed or
    published meanwhile) falls back to the list chosen last, else to a new list."""
    ids = {lst.id for lst in lists}
    value = st.session_state.get(select_key, NEW)
    if value == NEW or value in ids:
        return int(value)
    target = st.session_state.get(_TARGET)
    return int(target) if target in ids else NEW


def _sync(key: str) -> None:
    """Make the list chosen on one card the choice of every card."""
    chosen = st.session_state[key]
    st.session_state[_TARGET] = chosen
    for other in [k for k in st.session_state if isinstance(k, str) and k.startswith(_SELECT)]:
        st.session_state[other] = chosen


def _already(conn: sqlite3.Connection, list_id: int, anchor: Anchor) -> int | None:
    user = current_user()
    for item in items(conn, user, list_id):
        a = item.anchor
        if (a.kind, a.doc_path, a.text_hash) == (anchor.kind, anchor.doc_path, anchor.text_hash):
            return item.position + 1
    return None


def _add(hit: Hit, kind: str, select_key: str, title_key: str) -> None:
    conn, user = lists_db(), current_user()
    anchor = anchor_for_hit(hit) if kind == "passage" else anchor_for_document(hit.document)
    what = "该段落" if kind == "passage" else "整篇文档"
    try:
        available = lists_for(conn, user)
        list_id = _chosen(select_key, available)
        if list_id == NEW:
            title = str(st.session_state.get(title_key, "")).strip()
            if not title:
                st.toast("请先填写新清单的标题。", icon=":material/edit:")
                return
            created = create_list(conn, user, title)
            list_id, available = created.id, [created]
            st.session_state[_TARGET] = list_id
            for other in [k for k in st.session_state if isinstance(k, str) and k.startswith(_SELECT)]:
                del st.session_state[other]
        position = _already(conn, list_id, anchor)
        target = next(x for x in available if x.id == list_id)
        if position is not None:
            st.toast(f"{what}已在清单《{target.title}》中（第 {position} 项），未重复加入。",
                     icon=":material/info:")
            return
        item = store_add_item(conn, user, list_id, anchor)
    except StudyKBError as exc:
        st.toast(error_text(exc), icon=":material/warning:")
        return
    st.toast(f"已将{what}加入《{target.title}》（第 {item.position + 1} 项）。", icon=_DONE)


def add_controls(hit: Hit) -> None:
    """Render the "add to list" row inside a result card: organisers only; nothing for anyone else."""
    user = current_user()
    if not can(user, "organiser"):
        return
    conn = lists_db()
    available = {lst.id: lst for lst in lists_for(conn, user)}
    options = [*available, NEW]
    select_key, title_key = f"{_SELECT}{hit.chunk_id}", f"curate-title-{hit.chunk_id}"
    target = st.session_state.get(_TARGET)
    if st.session_state.get(select_key) not in options:
        st.session_state[select_key] = target if target in options else options[0]
    # Rendered straight into the card's action row (a horizontal container): no nested columns.
    st.selectbox("加入阅读清单", options, key=select_key, format_func=lambda i: _label(available.get(i)),
                 on_change=_sync, args=(select_key,), label_visibility="collapsed", width=260,
                 help="选择要加入的阅读清单（仅组织员可见）")
    if st.session_state[select_key] == NEW:
        st.session_state.setdefault(title_key, f"学习清单 {dt.date.today():%Y-%m-%d}")
        st.text_input("新清单标题", key=title_key, placeholder="新清单标题", label_visibility="collapsed",
                      width=200)
    st.button("＋ 本段", key=f"curate-add-p-{hit.chunk_id}", on_click=_add,
              args=(hit, "passage", select_key, title_key), help="把这个段落加入所选清单")
    st.button("＋ 全文", key=f"curate-add-d-{hit.chunk_id}", on_click=_add,
              args=(hit, "document", select_key, title_key), help="把整篇文档加入所选清单")
