"""学习统计's 调研课题登记 for organisers: the topics of their own units, a form to register a topic or
edit one, and a CSV export in the format `studykb topics import` reads.

The store (`activity.topics`) checks every field and the organiser's scope; this module only maps
its error kinds to Chinese messages.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import streamlit as st

from activity.topics import STATUSES, TOPIC_THEMES, Topic, add_topic, edit_topic, export_topics, list_topics
from activity.units import Unit, list_units, managed_units
from studykb.auth import User, can
from studykb.errors import StudyKBError
from ui.messages import zh_error

__all__ = ["topics_section"]

ss = st.session_state
_FLASH = "_topic_saved"
_FIELD_ZH = {
    "title": "请填写课题名称（不超过 200 字）",
    "unit_id": "请选择承担单位",
    "theme": "请选择主题",
    "lead": "负责人不超过 100 字",
    "status": "请选择状态",
    "start": "开始日期有误",
    "end": "结束日期不能早于开始日期",
}


def topic_error(exc: StudyKBError) -> str:
    """A refused topic as a Chinese message naming what to fix."""
    return zh_error(
        exc,
        _FIELD_ZH,
        scope="您只能为本单位及下级单位登记或修改调研课题。",
        conflict="该课题已存在，请刷新后修改。",
        other="保存失败，请检查输入后重试。",
    )


def topics_section(conn: sqlite3.Connection, user: User | None) -> None:
    """For organisers: 调研课题登记 (their subtree's topics, register or edit one, export them)."""
    if not can(user, "organiser"):
        return
    st.subheader("调研课题登记", anchor=False)
    if _FLASH in ss:
        st.success(ss.pop(_FLASH))
    allowed = managed_units(conn, user)
    all_units = list_units(conn)
    units = [u for u in all_units if allowed is None or u.id in allowed]
    if not units:
        st.caption("您的账号尚未归属任何单位：请维护人员用 `studykb units assign` 设置后再登记课题。")
        return
    names = {u.id: u.name for u in all_units}
    mine = sorted(list_topics(conn, allowed), key=lambda t: t.id)
    if mine:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "编号": t.id,
                        "课题名称": t.title,
                        "承担单位": names.get(t.unit_id, t.unit_id),
                        "主题": t.theme,
                        "负责人": t.lead,
                        "状态": t.status,
                        "开始": t.start_date or "",
                        "结束": t.end_date or "",
                    }
                    for t in mine
                ]
            ),
            hide_index=True,
            key="my_topics",
        )
    choice: Topic | None = st.selectbox(
        "登记新课题，或选择已登记的课题修改",
        [None, *mine],
        format_func=lambda t: "＋ 登记新课题" if t is None else f"{t.id} · {t.title}",
        key="topic_choice",
    )
    _topic_form(conn, user, units, choice)
    st.download_button(
        "导出调研课题（CSV）",
        export_topics(conn, allowed),
        file_name=f"调研课题-{dt.date.today()}.csv",
        mime="text/csv",
        key="topics_csv",
    )


def _topic_form(conn: sqlite3.Connection, user: User | None, units: list[Unit], topic: Topic | None) -> None:
    # Widget keys carry the topic's id, so choosing another topic fills the form afresh.
    tag = topic.id if topic else "new"
    unit_ids = [u.id for u in units]
    with st.form(f"topic-{tag}"):
        title = st.text_input(
            "课题名称", value=topic.title if topic else "", max_chars=200, key=f"tp-title-{tag}"
        )
        unit = st.selectbox(
            "承担单位",
            units,
            index=unit_ids.index(topic.unit_id) if topic and topic.unit_id in unit_ids else 0,
            format_func=lambda u: u.name,
            key=f"tp-unit-{tag}",
        )
        left, right = st.columns(2)
        theme = left.selectbox(
            "主题", TOPIC_THEMES, index=TOPIC_THEMES.index(topic.theme) if topic else 0, key=f"tp-theme-{tag}"
        )
        status = right.selectbox(
            "状态", STATUSES, index=STATUSES.index(topic.status) if topic else 0, key=f"tp-status-{tag}"
        )
        lead = st.text_input("负责人", value=topic.lead if topic else "", max_chars=100, key=f"tp-lead-{tag}")
        left, right = st.columns(2)
        start = left.date_input("开始日期", value=_day(topic, "start_date"), key=f"tp-start-{tag}")
        end = right.date_input("结束日期", value=_day(topic, "end_date"), key=f"tp-end-{tag}")
        submitted = st.form_submit_button("保存修改" if topic else "登记课题")
    if not submitted:
        return
    values = {
        "unit_id": unit.id,
        "title": title,
        "theme": theme,
        "lead": lead,
        "status": status,
        "start": start.isoformat() if start else "",
        "end": end.isoformat() if end else "",
    }
    try:
        if topic is None:
            saved = add_topic(
                conn, user, unit_id=unit.id, title=title, theme=theme, lead=lead, status=status,
                start_date=values["start"], end_date=values["end"],
            )
        else:
            saved = edit_topic(conn, user, topic.id, values)
    except StudyKBError as exc:
        st.error(topic_error(exc))
        return
    ss[_FLASH] = f"已保存调研课题“{saved.title}”（{saved.theme}）。"
    st.rerun()


def _day(topic: Topic | None, field: str) -> dt.date | None:
    value = getattr(topic, field) if topic else None
    return dt.date.fromisoformat(value) if value else None
