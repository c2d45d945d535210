"""On a site's detail in 学习地图, for organisers: 安排学习活动 (a one-off event or a monthly series with
date, time, places, online or on site), 单位报名 (places for their units), and 登记活动出席 (after the
date, the attendance that turns an event into a visit record).

The store (`activity.events`) checks every field and the organiser's scope; this module maps its error
kinds to Chinese messages.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import streamlit as st

from activity.events import (
    MAX_CAPACITY,
    MAX_MONTHS,
    Event,
    close_event,
    list_events,
    plan_series,
    sign_up,
    signed_up,
    to_close,
)
from activity.units import Unit, list_units, managed_units
from activity.visits import ACTIVITIES
from search.highlight import escape_markdown
from studykb.auth import User, can
from studykb.errors import StudyKBError
from ui.messages import zh_error

__all__ = ["event_error", "organiser_events"]

ss = st.session_state
_FLASH = "_event_saved"
ONE_OFF, MONTHLY = "一次性活动", "每月一次"
_FIELD_ZH = {
    "title": "请填写活动名称（不超过 200 字）",
    "date": "日期不能早于今天（过去的活动请用“记录一次学习活动”登记）",
    "time": "时间格式应为 时:分",
    "months": f"每月一次的活动可连续安排 1 至 {MAX_MONTHS} 个月",
    "capacity": f"名额须为 1 至 {MAX_CAPACITY} 的整数",
    "site_id": "场馆不存在",
}


def event_error(exc: StudyKBError) -> str:
    """A refused plan, sign-up or closing as a Chinese message naming what to fix."""
    return zh_error(
        exc,
        _FIELD_ZH,
        scope="您只能为本单位及下级单位安排、报名或登记活动。",
        conflict="名额不足、已经报名，或该活动已安排或已登记，请刷新后查看。",
        other="操作未完成：活动可能已经结束（报名截止）或尚未举行（不能登记出席），请检查后重试。",
    )


def describe(conn: sqlite3.Connection, event: Event) -> str:
    """`2027-01-15 14:00 初心讲堂（线上线下同步，已报名 30/120）`."""
    mode = "线上线下同步" if event.online else "现场"
    taken = signed_up(conn, event.id)
    return f"{event.date} {event.time} {event.title}（{mode}，已报名 {taken}/{event.capacity}）"


def organiser_events(conn: sqlite3.Connection, user: User | None, site_id: str) -> None:
    """The organiser's event tools for one site (nothing for other users or accounts without a unit)."""
    if not can(user, "organiser"):
        return
    allowed = managed_units(conn, user)
    units = [u for u in list_units(conn) if allowed is None or u.id in allowed]
    if not units:
        return
    if _FLASH in ss:
        st.success(ss.pop(_FLASH))
    _plan_form(conn, user, site_id, units)
    today = dt.date.today().isoformat()
    coming = list_events(conn, site_id=site_id, start=today)
    if coming:
        _sign_up_form(conn, user, site_id, units, coming)
    due = [e for e in to_close(conn, allowed) if e.site_id == site_id]
    if due:
        _close_form(conn, user, site_id, due)


def _saved(message: str) -> None:
    ss[_FLASH] = message
    st.rerun()


def _plan_form(conn: sqlite3.Connection, user: User | None, site_id: str, units: list[Unit]) -> None:
    today = dt.date.today()
    with st.expander("安排学习活动（讲堂、报告会等）"), st.form(f"plan-{site_id}"):
        title = st.text_input(
            "活动名称", max_chars=200, placeholder="如：初心讲堂", key=f"ev-title-{site_id}"
        )
        a, b = st.columns(2)
        day = a.date_input("日期（每月一次时为首次）", value=today, min_value=today, key=f"ev-date-{site_id}")
        start = b.time_input("开始时间", value=dt.time(14, 0), step=900, key=f"ev-time-{site_id}")
        c, d = st.columns(2)
        capacity = c.number_input(
            "名额", min_value=1, max_value=MAX_CAPACITY, value=100, step=1, key=f"ev-capacity-{site_id}"
        )
        online = d.selectbox(
            "形式", ["现场", "线上线下同步"], key=f"ev-online-{site_id}"
        ) == "线上线下同步"
        e, f = st.columns(2)
        repeat = e.selectbox("频次", [ONE_OFF, MONTHLY], key=f"ev-repeat-{site_id}")
        months = f.number_input(
            "连续月数（每月一次时）", min_value=1, max_value=MAX_MONTHS, value=12, step=1,
            key=f"ev-months-{site_id}",
        )
        unit = st.selectbox("主办单位", units, format_func=lambda u: u.name, key=f"ev-unit-{site_id}")
        if not st.form_submit_button("安排活动"):
            return
    try:
        planned = plan_series(
            conn, user, site_id=site_id, title=title, first=day.isoformat(),
            months=int(months) if repeat == MONTHLY else 1, time=start.strftime("%H:%M") if start else "",
            capacity=int(capacity), unit_id=unit.id, online=online,
        )
    except StudyKBError as exc:
        st.error(event_error(exc))
        return
    last = f"至 {planned[-1].date}，共 {len(planned)} 场" if len(planned) > 1 else ""
    _saved(f"已安排“{escape_markdown(planned[0].title)}”：{planned[0].date} {planned[0].time}{last}。")


def _sign_up_form(
    conn: sqlite3.Connection, user: User | None, site_id: str, units: list[Unit], coming: list[Event]
) -> None:
    with st.expander("为本单位报名"), st.form(f"unit-signup-{site_id}"):
        event = st.selectbox(
            "活动", coming, format_func=lambda e: describe(conn, e), key=f"us-event-{site_id}"
        )
        a, b = st.columns(2)
        unit = a.selectbox("报名单位", units, format_func=lambda u: u.name, key=f"us-unit-{site_id}")
        people = b.number_input(
            "人数", min_value=1, max_value=MAX_CAPACITY, value=10, step=1, key=f"us-people-{site_id}"
        )
        if not st.form_submit_button("单位报名"):
            return
    try:
        sign_up(conn, user, event.id, unit_id=unit.id, people=int(people))
    except StudyKBError as exc:
        st.error(event_error(exc))
        return
    what = f"{event.date} {escape_markdown(event.title)}"
    _saved(f"已为{escape_markdown(unit.name)}报名 {int(people)} 人：{what}。")


def _close_form(conn: sqlite3.Connection, user: User | None, site_id: str, due: list[Event]) -> None:
    with st.expander(f"登记活动出席（{len(due)} 场待登记）"), st.form(f"close-{site_id}"):
        st.caption("活动结束后登记实际出席人数，即记为该主办单位的一次学习活动，计入统计和热力图。")
        event = st.selectbox(
            "已举行的活动", due, format_func=lambda e: describe(conn, e), key=f"cl-event-{site_id}"
        )
        a, b = st.columns(2)
        attendance = a.number_input(
            "实际出席人数", min_value=1, max_value=MAX_CAPACITY, value=max(1, signed_up(conn, due[0].id)),
            step=1, key=f"cl-people-{site_id}",
        )
        kind = b.selectbox("活动类型", ACTIVITIES, key=f"cl-kind-{site_id}")
        if not st.form_submit_button("登记出席"):
            return
    try:
        visit = close_event(conn, user, event.id, int(attendance), activity=kind)
    except StudyKBError as exc:
        st.error(event_error(exc))
        return
    _saved(f"已登记：{visit.date} {escape_markdown(event.title)}，出席 {visit.participants} 人。")
