"""学习地图 — learning sites: filters and word search, a map and a table of the matching sites, a site's
detail with related library readings, organiser editing (add, edit, hide) and CSV export.

Sites whose stated coordinate error (`coord_accuracy_m`) exceeds 200 m are estimated positions: the map
draws them as hollow rings and says so in the tooltip, and their detail carries a note to go by the address.

Every write goes through `sites.store` with the logged-in user, which checks the organiser role itself
and validates each edit exactly like an imported row. All site text is escaped before rendering; the
map's tooltip uses deck.gl's plain-text tooltip (never HTML), and no text given to the map can be read
as a deck.gl JSON expression (see `ui.site_map.map_text`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from search.engine import Engine
from search.highlight import escape_markdown
from search.records import Hit
from sites import APPROXIMATE_ABOVE_M, PROVINCES, SITE_TYPES, THEMES, Site, dump_sites
from sites.basemap import map_style
from sites.load import SitesInvalid, site_values
from sites.readings import related_readings
from sites.store import (
    SiteFilter,
    StoredSite,
    add_site,
    edit_site,
    ensure_loaded,
    hide_site,
    list_sites,
    unhide_site,
)
from studykb.auth import User, can
from studykb.errors import IndexCorruptError, IndexMissingError, StudyKBError
from ui import activity_map, site_form, site_map, state
from ui.auth import require_login_if_configured
from ui.curate import add_controls
from ui.keep import keep
from ui.messages import approximate_note, distance_zh, error_text
from ui.phone import menu_button, page_title
from ui.reader import show_reader
from ui.render import hit_card
from ui.url import adopt, publish

ss = st.session_state
keep("sf_text", "sf_province", "sf_city", "sf_type", "sf_theme", "sf_hidden")
adopt("site", "site_id", lambda text: text.strip() or None)


@dataclass(frozen=True)
class _Visitor:
    """Who is looking and through which connection: the session's database handle, the logged-in user
    (None when logins are off) and whether they may edit sites."""

    conn: sqlite3.Connection
    user: User | None
    organiser: bool


@dataclass(frozen=True)
class _Period:
    """The visit period the heat layer, the site's activity and the district table count."""

    start: str | None
    end: str | None
    label: str


def _engine() -> Engine | None:
    try:
        return state.engine()
    except (IndexMissingError, IndexCorruptError):  # no or a damaged index: no readings, the map still works
        return None


# --- the reader (a related reading opened at its source) ------------------------------------


def _reader() -> None:
    """The related reading opened at its source, with the way back to the map."""
    if st.button("← 返回学习地图"):
        ss["site_reader"] = None
        st.rerun()
    engine = _engine()
    try:
        if engine is None:
            raise IndexMissingError("资料库尚未建立索引")
        show_reader(engine, engine.passage(int(ss["site_reader"])))
    except StudyKBError as exc:
        st.error(f"无法打开该段落：{error_text(exc)}")


# --- filters --------------------------------------------------------------------------------


def _sidebar(every: list[StoredSite], organiser: bool) -> SiteFilter:
    st.sidebar.header("筛选场馆")
    provinces = st.sidebar.multiselect("省份", PROVINCES, key="sf_province", placeholder="全部省份")
    city_options = sorted({item.site.city for item in every
                           if not provinces or item.site.province in provinces})
    cities = st.sidebar.multiselect("城市", city_options, key="sf_city", placeholder="全部城市")
    types = st.sidebar.multiselect("类型", SITE_TYPES, key="sf_type", placeholder="全部类型")
    themes = st.sidebar.multiselect("主题", THEMES, key="sf_theme", placeholder="全部主题")
    return SiteFilter(provinces=tuple(provinces), cities=tuple(c for c in cities if c in city_options),
                      types=tuple(types), themes=tuple(themes), text=str(ss.get("sf_text", "")),
                      include_hidden=bool(ss.get("sf_hidden", False)) and organiser)


# --- map and table --------------------------------------------------------------------------


def _new_pick(key: str, value: tuple[str, ...]) -> str | None:
    """The site id a map or table selection points at, when it differs from the last one seen."""
    seen = f"_seen-{key}"
    changed = ss.get(seen) != value
    ss[seen] = value
    return value[0] if changed and value else None


def _table(items: Sequence[StoredSite], include_hidden: bool) -> pd.DataFrame:
    rows = []
    for item in items:
        site = item.site
        row = {"名称": site.name, "类型": site.type, "城市": site.city, "区县": site.district,
               "地址": site.address, "主题": "、".join(site.themes)}
        if include_hidden:
            row["状态"] = "已隐藏" if item.hidden else "显示"
        rows.append(row)
    return pd.DataFrame(rows, columns=["名称", "类型", "城市", "区县", "地址", "主题"]
                        + (["状态"] if include_hidden else []))


def _map_and_table(visitor: _Visitor, shown: list[StoredSite], include_hidden: bool, heat: _Period) -> None:
    """The map, the table and the CSV export of the listed sites; a pick on either selects a site."""
    ids = [item.site.id for item in shown]
    counts = activity_map.site_counts(visitor.conn, heat.start, heat.end)
    deck = site_map.deck(shown, ss.get("site_id"), counts, map_style(state.data_dir()))
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object",
                            key=ss["site_map_key"], height=480)
    estimated = sum(item.site.approximate for item in shown)
    st.caption(escape_markdown(
        f"● 实心圆点：位置已核对或未注明误差；○ 空心圆圈：位置为估计值（误差超过 {APPROXIMATE_ABOVE_M} 米，"
        f"当前列表中 {estimated} 处），出行请以地址为准。"))
    picked = _new_pick(ss["site_map_key"], site_map.map_pick(event))
    table = st.dataframe(_table(shown, include_hidden), on_select="rerun", selection_mode="single-row",
                         hide_index=True, key=ss["site_table_key"], height=300)
    rows = tuple(ids[i] for i in table.selection.rows if 0 <= i < len(ids))
    picked = _new_pick(ss["site_table_key"], rows) or picked
    if picked and picked != ss.get("site_id"):
        ss["site_id"] = picked
        st.rerun()  # draw the map again with the chosen marker ringed
    st.download_button(
        "导出当前列表（CSV）", data="\ufeff" + dump_sites((item.site for item in shown), chinese=True),
        file_name="learning-sites.csv", mime="text/csv", disabled=not shown,
        help="按当前筛选条件导出，格式与 corpus/sites.csv 相同，可用 studykb sites import 导入。",
    )


# --- site detail ----------------------------------------------------------------------------


def _save(visitor: _Visitor, prefix: str, values: dict[str, str], item: StoredSite | None) -> None:
    """Run the add or edit; on invalid fields keep them for the form to mark, else rerun clean."""
    try:
        if item is None:
            saved = add_site(visitor.conn, visitor.user, values)
        else:
            saved = edit_site(visitor.conn, visitor.user, item.site.id, values,
                              expected_revision=item.revision)
        ss["site_id"] = saved.site.id
    except SitesInvalid as exc:
        ss[f"{prefix}-errors"] = exc.fields()
        st.rerun()
    except StudyKBError as exc:
        ss[f"{prefix}-errors"] = {}
        st.error(error_text(exc), icon="⚠️")
        return
    site_form.forget(ss, prefix)
    ss["site_flash"] = "已保存。"
    st.rerun()


def _details(item: StoredSite, organiser: bool) -> None:
    site = item.site
    st.subheader(escape_markdown(site.name), anchor=False)
    place = f"{site.province}{site.city if site.city != site.province else ''}{site.district}"
    hidden = " · :orange[已隐藏]" if item.hidden else ""
    st.caption(f"{escape_markdown(site.type)} · {escape_markdown(place)}{hidden}")
    error = f"，误差约 ±{distance_zh(site.coord_accuracy_m)}" if site.coord_accuracy_m is not None else ""
    facts = [
        ("地址", site.address), ("开放时间", site.hours), ("预约", site.booking),
        ("主题", "、".join(site.themes)), ("坐标", f"{site.lat:.5f}, {site.lon:.5f}（WGS84{error}）"),
    ]
    note = approximate_note(site)
    if note:
        st.warning(escape_markdown(note), icon="📍")
    st.markdown("  \n".join(f"**{label}**：{escape_markdown(value)}" for label, value in facts if value))
    if site.description:
        st.markdown(escape_markdown(site.description))
    if site.related_queries:
        st.caption("延伸阅读检索词：" + escape_markdown("；".join(site.related_queries)))
    if site.url:
        st.link_button("场馆官方网站", site.url)
    if organiser:
        st.caption(f"编号 {escape_markdown(site.id)} · 第 {item.revision} 版 · "
                   f"{escape_markdown(item.updated_by)} 更新于 {escape_markdown(item.updated_at)}")


def _organiser_tools(visitor: _Visitor, item: StoredSite) -> None:
    prefix = f"edit-{item.site.id}-{item.revision}"
    cols = st.columns(2)
    if item.hidden:
        if cols[0].button("取消隐藏", key=f"unhide-{item.site.id}"):
            _toggle(visitor, unhide_site, item, "已取消隐藏，党员可以看到该场馆。")
    elif cols[0].button("隐藏此场馆", key=f"hide-{item.site.id}",
                        help="隐藏后党员看不到该场馆，可随时取消。"):
        _toggle(visitor, hide_site, item, "已隐藏该场馆。")
    with st.expander("编辑场馆信息", expanded=bool(ss.get(f"{prefix}-errors"))):
        values = site_form.site_form(prefix, site_values(item.site), new=False)
        if values is not None:
            _save(visitor, prefix, values, item)


def _toggle(visitor: _Visitor, action: Callable[..., StoredSite], item: StoredSite, done: str) -> None:
    try:
        action(visitor.conn, visitor.user, item.site.id, expected_revision=item.revision)
    except StudyKBError as exc:
        st.error(error_text(exc), icon="⚠️")
        return
    ss["site_flash"] = done
    st.rerun()


@st.cache_data(show_spinner="正在检索相关阅读…", max_entries=256)
def _readings(data_dir: str, version: str | None, site: Site) -> list[Hit]:
    engine = _engine()
    return related_readings(engine, site) if engine is not None else []


def _open(hit: Hit) -> None:
    ss["site_reader"] = hit.chunk_id


def _related(site: Site, organiser: bool) -> None:
    st.markdown("#### 相关阅读")
    engine = _engine()
    if engine is None:
        st.caption("资料库尚未建立索引，暂无相关阅读。维护人员导入资料后即可显示。")
        return
    try:
        hits = _readings(str(state.data_dir()), state.current_version(), site)
    except StudyKBError as exc:
        st.caption(f"相关阅读暂不可用：{error_text(exc)}")
        return
    if not hits:
        st.caption("资料库中暂时没有与该场馆相关的段落。")
        return
    st.caption("根据场馆名称、延伸阅读检索词和主题，从资料库中找到的段落：")
    extra = add_controls if organiser else None
    for rank, hit in enumerate(hits, start=1):
        hit_card(hit, rank, on_read=_open, on_similar=None, extra=extra)


def _detail(visitor: _Visitor, shown: list[StoredSite], heat: _Period) -> None:
    """The chosen site's detail, activity, organiser tools and related readings (or how to choose one)."""
    flash = ss.pop("site_flash", None)
    if flash:
        st.success(flash, icon="✅")
    chosen = next((item for item in shown if item.site.id == ss.get("site_id")), None)
    if chosen is None:
        st.info("在地图上点击标记，或在表格中选择一行，查看场馆详情和相关阅读。")
        return
    with st.container(border=True):
        _details(chosen, visitor.organiser)
        activity_map.site_activity(visitor.conn, visitor.user, chosen, heat.start, heat.end)
        if visitor.organiser:
            _organiser_tools(visitor, chosen)
    _related(chosen.site, visitor.organiser)


# --- the page -------------------------------------------------------------------------------


def main() -> None:
    """The page: the reader when a related reading is open, else filters, map and table, the chosen
    site's detail, the activity panel and, for organisers, the form for a new site."""
    user = require_login_if_configured()
    visitor = _Visitor(state.session_db(), user, can(user, "organiser"))
    try:
        ensure_loaded(visitor.conn)
    except StudyKBError as exc:
        page_title("学习地图")
        st.error(f"无法读取场馆目录：{error_text(exc)}")
        return
    if ss.get("site_reader"):
        _reader()
        return
    if visitor.organiser:
        st.sidebar.checkbox("显示已隐藏的场馆", key="sf_hidden", help="组织员可见：隐藏的场馆不对党员显示。")
    hidden_too = bool(ss.get("sf_hidden")) and visitor.organiser
    every = list_sites(visitor.conn, SiteFilter(include_hidden=hidden_too))
    where = _sidebar(every, visitor.organiser)
    menu_button("筛选", sum(map(bool, (where.provinces, where.cities, where.types, where.themes))))
    heat = _Period(*activity_map.period())

    page_title("学习地图")
    st.text_input("搜索场馆", key="sf_text", label_visibility="collapsed", bind="query-params",
                  placeholder="按名称、地址或简介中的词语搜索，如：纪念馆 虹口、楓橋經驗")
    try:
        shown = list_sites(visitor.conn, where)
    except StudyKBError as exc:
        st.error(error_text(exc))
        return
    st.markdown(f"共找到 **{len(shown)}** 处场馆" + ("（含已隐藏）" if where.include_hidden else ""))
    st.caption(f"图例：{site_map.legend()}")

    signature = site_map.signature(shown)
    ss["site_map_key"], ss["site_table_key"] = f"site_map-{signature}", f"site_table-{signature}"
    if ss.get("site_id") not in {item.site.id for item in shown}:
        ss["site_id"] = None
    publish("site", ss.get("site_id"))

    left, right = st.columns([3, 2], gap="medium")
    with left:
        _map_and_table(visitor, shown, where.include_hidden, heat)
    with right:
        _detail(visitor, shown, heat)

    st.divider()
    activity_map.activity_panel(visitor.conn, shown, heat.start, heat.end, heat.label)

    if visitor.organiser:
        st.divider()
        with st.expander("新增场馆", expanded=bool(ss.get("new-errors"))):
            entered = site_form.site_form("new", {name: "" for name in site_form.LABELS}, new=True)
            if entered is not None:
                _save(visitor, "new", entered, None)


main()
