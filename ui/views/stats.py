"""学习统计 — the organiser's dashboard: visits and participants this month, the monthly trend, visits
by district, reading-list completion by unit, research topics by theme, and an XLSX export of the
same numbers (`activity.dashboard` computes them once for both)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from activity.assign import behind_csv, behind_schedule
from activity.dashboard import dashboard
from activity.units import list_units
from activity.xlsx import dashboard_xlsx
from search.highlight import escape_markdown
from studykb.auth import can, list_users
from studykb.errors import StudyKBError
from ui import activity_map, state, topics_form
from ui.auth import require_login_if_configured
from ui.messages import error_text
from ui.phone import menu_button, page_title
from ui.url import adopt, publish

ss = st.session_state


user = require_login_if_configured()
page_title("学习统计")
try:
    conn = state.session_db()
    units = list_units(conn)
except StudyKBError as exc:
    st.error(f"无法读取学习活动数据：{error_text(exc)}")
    st.stop()

start, end, label = activity_map.period()
by_id = {u.id: u for u in units}
adopt("unit", "stats_unit", by_id.get)  # ?unit=ID (a unit's id: names repeat across the tree)
if ss.get("stats_unit") not in (None, *units):  # a unit renamed or removed since the link was made
    ss["stats_unit"] = by_id.get(getattr(ss["stats_unit"], "id", ""))
unit = st.sidebar.selectbox(
    "单位（含下级）",
    [None, *units],
    key="stats_unit",
    format_func=lambda u: "全部单位" if u is None else u.name,
)
publish("unit", None if unit is None else unit.id)
menu_button("筛选", int(unit is not None) + int(label != activity_map.DEFAULT_PERIOD))
# Command-line hints are for maintainers, and for whoever sets up an install that has no accounts yet.
maintainer = can(user, "maintainer") or not list_users(conn)
board = dashboard(conn, user, start=start, end=end, unit=None if unit is None else unit.id)
if not units:
    st.info(
        "尚无单位和学习活动记录。维护人员可用 `studykb units import`、`studykb visits import` 导入，"
        "或用 `studykb demo load --data-dir 演示目录` 生成一套标注为【示例】的演示数据。"
        if maintainer else "尚无单位和学习活动记录：请维护人员导入单位和学习活动后再来查看。"
    )
if any(u.id.startswith("demo-") for u in units):
    st.warning("当前显示的是演示数据（【示例】），不是真实记录。", icon=":material/science:")

a, b, c = st.columns(3)
a.metric(f"本月学习活动（{board.month}）", f"{board.month_visits} 次")
b.metric("本月参与", f"{board.month_participants} 人次")
c.metric(f"{label}学习活动", f"{sum(x.visits for x in board.trend)} 次")

st.subheader(f"月度趋势（{label}）", anchor=False)
trend = pd.DataFrame(
    [{"月份": x.key, "学习活动（次）": x.visits, "参与人次": x.participants} for x in board.trend],
    columns=["月份", "学习活动（次）", "参与人次"],
)
if len(trend):
    st.altair_chart(
        alt.Chart(trend)
        .mark_bar(color="#c8102e")
        .encode(
            x=alt.X("月份:O", title="月份"),
            y=alt.Y("学习活动（次）:Q", title="学习活动（次）"),
            tooltip=["月份", "学习活动（次）", "参与人次"],
        ),
        width="stretch",
    )
else:
    st.caption("所选时段内没有学习活动记录。")

left, right = st.columns(2)
with left:
    st.subheader("各区县学习活动", anchor=False)
    districts = activity_map.district_frame(board.districts)
    if len(districts):
        st.altair_chart(
            alt.Chart(districts.head(20))
            .mark_bar(color="#c8102e")
            .encode(
                y=alt.Y("区县:N", sort="-x", title=None),
                x=alt.X("学习活动（次）:Q"),
                tooltip=["区县", "学习活动（次）", "参与人次"],
            ),
            width="stretch",
        )
    else:
        st.caption("暂无数据。")
with right:
    st.subheader("调研课题主题分布", anchor=False)
    themes = pd.DataFrame(
        [{"主题": t.theme, "课题数": t.topics, "占比（%）": t.percent} for t in board.themes],
        columns=["主题", "课题数", "占比（%）"],
    )
    if len(themes):
        st.altair_chart(
            alt.Chart(themes)
            .mark_arc(innerRadius=50)
            .encode(theta="课题数:Q", color=alt.Color("主题:N"), tooltip=["主题", "课题数", "占比（%）"]),
            width="stretch",
        )
        st.dataframe(themes, hide_index=True, key="theme_table")
    else:
        st.caption("尚无登记的调研课题。")

if can(user, "organiser"):
    st.subheader("阅读清单完成情况（按单位）", anchor=False)
    rows = [
        {
            "阅读清单": title,
            "单位": u.unit_name,
            "成员": u.members,
            "全部读完": u.finished,
            "完成率": round(100 * u.share, 1),
        }
        for title, u in board.completion
    ]
    if rows:
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            key="completion_table",
            column_config={
                "完成率": st.column_config.ProgressColumn(
                    "完成率", min_value=0, max_value=100, format="%.1f%%"
                )
            },
        )
    else:
        hint = "（`studykb units assign-list` 可分配）" if maintainer else ""
        st.caption(f"还没有分配给单位的阅读清单{hint}。")
    for list_id, title in conn.execute(
        "SELECT DISTINCT l.id, l.title FROM reading_lists l "
        "JOIN reading_list_units u ON u.list_id = l.id ORDER BY l.id"
    ).fetchall():
        behind = behind_schedule(conn, user, int(list_id))
        if behind:
            st.markdown(f"**落后于进度的成员 · {escape_markdown(title)}**（{len(behind)} 人）")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "账号": b.username,
                            "姓名": b.display_name,
                            "单位": b.unit_id,
                            "已读": b.read,
                            "应读": b.expected,
                            "共": b.total,
                        }
                        for b in behind
                    ]
                ),
                hide_index=True,
            )
            st.download_button(
                "导出名单（CSV）",
                behind_csv(behind),
                file_name=f"落后名单-{list_id}.csv",
                mime="text/csv",
                key=f"behind-{list_id}",
            )

st.download_button(
    "导出 Excel（XLSX）",
    dashboard_xlsx(board),
    file_name=f"学习统计-{dt.date.today()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)

topics_form.topics_section(conn, user)
