"""The study-activity parts of 学习地图: a heat layer of visits in a chosen period with its legend, a
ranked district table with shaded bars, "需要关注" (districts and sites without visits), clustered
markers where many sites overlap, and on a site's detail: 导航 links, "记录一次学习活动" for organisers,
"我去过" for members, and the site's planned activities with sign-up.

All numbers come from `activity.stats.visit_stats`, the function behind `studykb visits stats`.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Sequence

import pandas as pd
import pydeck as pdk
import streamlit as st

from activity.csvfile import RowsInvalid
from activity.events import sign_up, signed_up, upcoming
from activity.stats import Count, visit_stats
from activity.units import list_units, managed_units
from activity.visits import ACTIVITIES, MAX_PARTICIPANTS, add_visit, mark_visited, marks_of
from search.highlight import escape_markdown
from sites.chinacoords import amap_link, baidu_link
from sites.store import StoredSite
from studykb.auth import User, can
from studykb.db import location
from studykb.errors import ConflictError, PermissionDenied, StudyKBError
from ui import events_form

__all__ = ["DEFAULT_PERIOD", "activity_panel", "cluster_layers", "heat_layer", "period", "site_activity"]

ss = st.session_state
PERIODS: dict[str, int | None] = {"最近30天": 30, "最近3个月": 91, "最近12个月": 365, "全部": None}
DEFAULT_PERIOD = "最近12个月"
# Low → high, the same four colours the legend names (Streamlit's blue, green, orange, red).
HEAT_COLOURS = [[28, 131, 225], [33, 195, 84], [255, 164, 33], [255, 43, 43]]
_LEGEND = "　".join(f":{name}[■]" for name in ("blue", "green", "orange", "red"))
CLUSTER_CELL_DEG = 0.03
"""Sites closer than about 3 km (one grid cell) are drawn as one numbered bubble over their markers."""

_FIELD_ZH = {
    "date": "日期须是真实的日期（如 2026-05-04）",
    "unit_id": "请选择单位",
    "participants": f"人数须为 1 至 {MAX_PARTICIPANTS} 的整数",
    "activity": "请选择活动类型",
    "topic": "主题不超过 200 字",
    "notes": "备注不超过 2000 字",
    "site_id": "场馆不存在",
}


def period(today: dt.date | None = None) -> tuple[str | None, str | None, str]:
    """The sidebar's period for the heat layer and statistics: (start, end, label)."""
    label = st.sidebar.selectbox("学习热力时段", list(PERIODS), index=list(PERIODS).index(DEFAULT_PERIOD),
                                 key="heat_period",
                                 bind="query-params")  # ?heat_period=最近30天: links keep the period
    days = PERIODS[label]
    today = today or dt.date.today()
    if days is None:
        return None, None, label
    return (today - dt.timedelta(days=days - 1)).isoformat(), today.isoformat(), label


@st.cache_data(ttl=60, show_spinner=False, max_entries=64)
def _site_counts(db_path: str, start: str | None, end: str | None, stamp: str) -> dict[str, tuple[int, int]]:
    """Visits and participants per site id (cached a minute per period and data state)."""
    from studykb.db import connect

    conn = connect(db_path)
    try:
        return {c.key: (c.visits, c.participants) for c in visit_stats(conn, "site", start=start, end=end)}
    finally:
        conn.close()


def site_counts(conn: sqlite3.Connection, start: str | None, end: str | None) -> dict[str, tuple[int, int]]:
    """`visit_stats(by="site")` as {site id: (visits, participants)}, cached until visits change."""
    path = location(conn)
    stamp = conn.execute("SELECT count(*) || ':' || coalesce(max(updated_at), '') FROM visits").fetchone()[0]
    return _site_counts(path, start, end, stamp)


def heat_layer(items: Sequence[StoredSite], counts: dict[str, tuple[int, int]]) -> pdk.Layer | None:
    """A deck.gl HeatmapLayer over the listed sites weighted by their visits (None when there are none)."""
    points = [
        {"lat": i.site.lat, "lon": i.site.lon, "weight": counts[i.site.id][0]}
        for i in items
        if i.site.id in counts
    ]
    if not points:
        return None
    return pdk.Layer(
        "HeatmapLayer",
        id="visit-heat",
        data=points,
        get_position=["lon", "lat"],
        get_weight="weight",
        radius_pixels=60,
        intensity=1.5,
        threshold=0.03,
        color_range=HEAT_COLOURS,
        aggregation="'SUM'",
        pickable=False,
    )


def clusters(items: Sequence[StoredSite], cell: float = CLUSTER_CELL_DEG) -> list[dict[str, object]]:
    """Groups of two or more listed sites in the same grid cell: their centre and count."""
    cells: dict[tuple[int, int], list[StoredSite]] = {}
    for item in items:
        key = (math.floor(item.site.lat / cell), math.floor(item.site.lon / cell))
        cells.setdefault(key, []).append(item)
    return [
        {
            "lat": sum(i.site.lat for i in group) / len(group),
            "lon": sum(i.site.lon for i in group) / len(group),
            "count": len(group),
            "label": str(len(group)),
            "radius": 11 + 3 * math.sqrt(len(group)),
        }
        for group in cells.values()
        if len(group) >= 2
    ]


def cluster_layers(items: Sequence[StoredSite]) -> list[pdk.Layer]:
    """Numbered bubbles over overlapping markers (not pickable: clicks reach the markers below)."""
    data = clusters(items)
    if not data:
        return []
    return [
        pdk.Layer(
            "ScatterplotLayer",
            id="site-clusters",
            data=data,
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units="'pixels'",
            get_fill_color=[60, 60, 70, 170],
            get_line_color=[255, 255, 255, 230],
            stroked=True,
            line_width_min_pixels=1,
            pickable=False,
        ),
        pdk.Layer(
            "TextLayer",
            id="site-cluster-counts",
            data=data,
            get_position=["lon", "lat"],
            get_text="label",
            get_size=13,
            get_color=[255, 255, 255, 255],
            font_weight=700,
            pickable=False,
        ),
    ]


def district_frame(counts: Sequence[Count]) -> pd.DataFrame:
    """Districts ranked by visits, for the table with shaded bars."""
    return pd.DataFrame(
        [{"区县": c.key, "学习活动（次）": c.visits, "参与人次": c.participants} for c in counts],
        columns=["区县", "学习活动（次）", "参与人次"],
    )


def quiet_places(
    items: Sequence[StoredSite], counts: dict[str, tuple[int, int]]
) -> tuple[list[str], list[str]]:
    """(districts, site names) among the listed sites with no visit in the period."""
    visited_places = {i.site.district or i.site.city for i in items if i.site.id in counts}
    districts = sorted({i.site.district or i.site.city for i in items} - visited_places)
    sites = [i.site.name for i in items if i.site.id not in counts]
    return districts, sites


def activity_panel(
    conn: sqlite3.Connection, items: Sequence[StoredSite], start: str | None, end: str | None, label: str
) -> None:
    """Legend, ranked district table and 需要关注 lists for the listed sites in the period."""
    counts = site_counts(conn, start, end)
    st.caption(
        f"学习热力（{escape_markdown(label)}，按到访次数加权）：少 {_LEGEND} 多。"
        "深色圆圈中的数字是该处重叠的场馆数，放大地图可分别查看。"
    )
    listed = {i.site.id for i in items}
    by_district = [
        c
        for c in visit_stats(conn, "district", start=start, end=end)
        if c.key in {i.site.district or i.site.city for i in items}
    ]
    if not listed & set(counts):
        st.info(
            "所选时段内这些场馆还没有学习活动记录。组织员可在场馆详情中“记录一次学习活动”，"
            "或用 `studykb visits import` 导入。"
        )
    left, right = st.columns([3, 2])
    with left:
        st.markdown("##### 各区县学习活动排名")
        frame = district_frame(by_district)
        top = int(frame["学习活动（次）"].max()) if len(frame) else 1
        st.dataframe(
            frame,
            hide_index=True,
            height=260,
            key="district_rank",
            column_config={
                "学习活动（次）": st.column_config.ProgressColumn(
                    "学习活动（次）", min_value=0, max_value=top, format="%d"
                )
            },
        )
    with right:
        st.markdown("##### 需要关注")
        districts, sites = quiet_places(items, counts)
        st.caption("所选时段内没有学习活动的区县和场馆：")
        st.markdown("**区县**：" + (escape_markdown("、".join(districts)) if districts else "无"))
        shown = sites[:30]
        more = f" 等 {len(sites)} 处" if len(sites) > len(shown) else ""
        st.markdown("**场馆**：" + (escape_markdown("、".join(shown)) + more if sites else "无"))


def _form_error(exc: StudyKBError) -> str:
    if isinstance(exc, RowsInvalid):
        return "；".join(dict.fromkeys(_FIELD_ZH.get(p.field, "输入有误") for p in exc.problems))
    if isinstance(exc, PermissionDenied):
        return "您只能为本单位及下级单位记录学习活动。"
    if isinstance(exc, ConflictError):
        return "该记录已存在或名额已满，请刷新后重试。"
    return "保存失败，请检查输入后重试。"


def site_activity(
    conn: sqlite3.Connection, user: User | None, item: StoredSite, start: str | None, end: str | None
) -> None:
    """On a site's detail: 导航 links, its visits in the period, and the activity tools the user may use."""
    site = item.site
    cols = st.columns(2)
    cols[0].link_button(
        "高德地图导航", amap_link(site.lat, site.lon, site.name), icon=":material/directions:"
    )
    cols[1].link_button(
        "百度地图导航", baidu_link(site.lat, site.lon, site.name), icon=":material/directions:"
    )
    visits, people = site_counts(conn, start, end).get(site.id, (0, 0))
    st.caption(f"所选时段内：学习活动 {visits} 次，{people} 人次。")
    for event in upcoming(conn, site_id=site.id)[:3]:
        taken = signed_up(conn, event.id)
        mode = "线上线下同步" if event.online else "现场"
        line = (
            f"📅 {event.date} {event.time} {escape_markdown(event.title)}（{mode}，"
            f"已报名 {taken}/{event.capacity}）"
        )
        a, b = st.columns([4, 1])
        a.markdown(line)
        if user is not None and user.id > 0 and b.button("报名", key=f"signup-{event.id}"):
            try:
                sign_up(conn, user, event.id)
                st.success("报名成功。")
            except StudyKBError as exc:
                st.error(_form_error(exc))
    if user is not None and user.id > 0:
        _visited(conn, user, site.id)
    if can(user, "organiser"):
        _record_form(conn, user, site.id)
        events_form.organiser_events(conn, user, site.id)


def _visited(conn: sqlite3.Connection, user: User, site_id: str) -> None:
    mine = marks_of(conn, user.id, site_id)
    if mine:
        st.caption("我去过：" + "、".join(date for _, date in mine))
    with st.form(f"visited-{site_id}", border=False):
        a, b = st.columns([2, 1])
        day = a.date_input(
            "我去过（日期）", value=dt.date.today(), max_value=dt.date.today(), key=f"visited-day-{site_id}"
        )
        if b.form_submit_button("我去过"):
            try:
                mark_visited(conn, user, site_id, day.isoformat())
                st.success("已记下。")
            except StudyKBError as exc:
                st.error(_form_error(exc))


def _record_form(conn: sqlite3.Connection, user: User | None, site_id: str) -> None:
    allowed = managed_units(conn, user)
    units = [u for u in list_units(conn) if allowed is None or u.id in allowed]
    with st.expander("记录一次学习活动"):
        if not units:
            st.caption("您的账号尚未归属任何单位：请维护人员用 `studykb units assign` 设置后再记录。")
            return
        with st.form(f"record-{site_id}"):
            day = st.date_input("日期", value=dt.date.today(), key=f"rec-date-{site_id}")
            unit = st.selectbox("单位", units, format_func=lambda u: u.name, key=f"rec-unit-{site_id}")
            people = st.number_input(
                "参加人数",
                min_value=1,
                max_value=MAX_PARTICIPANTS,
                value=20,
                step=1,
                key=f"rec-people-{site_id}",
            )
            kind = st.selectbox("活动类型", ACTIVITIES, key=f"rec-kind-{site_id}")
            topic = st.text_input("主题", max_chars=200, key=f"rec-topic-{site_id}")
            notes = st.text_area("备注", max_chars=2000, key=f"rec-notes-{site_id}")
            if st.form_submit_button("保存学习活动"):
                try:
                    add_visit(
                        conn,
                        user,
                        {
                            "site_id": site_id,
                            "date": day.isoformat(),
                            "unit_id": unit.id,
                            "participants": str(int(people)),
                            "activity": kind,
                            "topic": topic,
                            "notes": notes,
                        },
                    )
                except StudyKBError as exc:
                    st.error(_form_error(exc))
                else:
                    _site_counts.clear()
                    st.success("已记录。")
