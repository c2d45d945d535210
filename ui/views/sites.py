"""学习地图 — learning sites: filters and word search, a map and a table of the matching sites, a site's
detail with related library readings, organiser editing (add, edit, hide) and CSV export.

Sites whose stated coordinate error (`coord_accuracy_m`) exceeds 200 m are estimated positions: the map
draws them as hollow rings and says so in the tooltip, and their detail carries a note to go by the address.

Every write goes through `sites.store` with the logged-in user, which checks the organiser role itself
and validates each edit exactly like an imported row. All site text is escaped before rendering; the
map's tooltip uses deck.gl's plain-text tooltip (never HTML), and no text given to the map can be read
as a deck.gl JSON expression (see `map_text`).
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from collections.abc import Callable, Sequence

import pandas as pd
import pydeck as pdk
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
from studykb.auth import can
from studykb.errors import IndexCorruptError, IndexMissingError, StudyKBError
from ui import activity_map, state
from ui.auth import require_login_if_configured
from ui.curate import add_controls
from ui.keep import keep
from ui.messages import error_text
from ui.phone import menu_button, page_title
from ui.reader import show_reader
from ui.render import hit_card
from ui.url import adopt, publish

ss = st.session_state
keep("sf_text", "sf_province", "sf_city", "sf_type", "sf_theme", "sf_hidden")
adopt("site", "site_id", lambda text: text.strip() or None)
MAP_LAYER = "sites"
# Marker colour per type, and the Streamlit Markdown colour that draws the same dot in the legend.
_TYPE_COLOURS: dict[str, tuple[list[int], str]] = {
    "纪念馆": ([215, 40, 40], "red"),
    "旧址": ([240, 130, 20], "orange"),
    "烈士陵园": ([100, 100, 110], "gray"),
    "故居": ([30, 110, 220], "blue"),
    "实践基地": ([30, 160, 70], "green"),
    "展览馆": ([140, 70, 200], "violet"),
}
_LABELS = {
    "id": "编号", "name": "名称", "type": "类型", "province": "省份", "city": "城市", "district": "区县",
    "address": "地址", "lat": "纬度", "lon": "经度", "hours": "开放时间", "booking": "预约说明",
    "themes": "主题", "description": "简介", "url": "网址", "related_queries": "延伸阅读检索词",
    "coord_accuracy_m": "坐标误差",
}


def distance_zh(metres: int) -> str:
    """A distance for people: `300 米` below 1 km, else kilometres to one decimal (`3 公里`, `1.5 公里`)."""
    if metres < 1000:
        return f"{metres} 米"
    km = round(metres / 100) / 10
    return f"{km:g} 公里"


def approximate_note(site: Site) -> str | None:
    """The detail's note for an estimated position (stated error above 200 m), or None."""
    if not site.approximate or site.coord_accuracy_m is None:
        return None
    return f"地图位置为估计值，误差约 ±{distance_zh(site.coord_accuracy_m)}，出行请以地址为准。"


def _db() -> sqlite3.Connection:
    """This browser session's own connection (sessions run in threads; writes must not interleave)."""
    return state.session_db("_sites_db")


user = require_login_if_configured()
organiser = can(user, "organiser")
try:
    conn = _db()
    ensure_loaded(conn)
except StudyKBError as exc:
    page_title("学习地图")
    st.error(f"无法读取场馆目录：{error_text(exc)}")
    st.stop()


def _engine() -> Engine | None:
    try:
        return state.engine()
    except (IndexMissingError, IndexCorruptError):  # no or a damaged index: no readings, the map still works
        return None


# --- the reader (a related reading opened at its source) ------------------------------------

if ss.get("site_reader"):
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
    st.stop()


# --- filters --------------------------------------------------------------------------------


def _sidebar(every: list[StoredSite]) -> SiteFilter:
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


if organiser:
    st.sidebar.checkbox("显示已隐藏的场馆", key="sf_hidden", help="组织员可见：隐藏的场馆不对党员显示。")
every = list_sites(conn, SiteFilter(include_hidden=bool(ss.get("sf_hidden")) and organiser))
where = _sidebar(every)
menu_button("筛选", sum(map(bool, (where.provinces, where.cities, where.types, where.themes))))
heat_start, heat_end, heat_label = activity_map.period()

page_title("学习地图")
st.text_input("搜索场馆", key="sf_text", label_visibility="collapsed", bind="query-params",
              placeholder="按名称、地址或简介中的词语搜索，如：纪念馆 虹口、楓橋經驗")
try:
    shown = list_sites(conn, where)
except StudyKBError as exc:
    st.error(error_text(exc))
    st.stop()
st.markdown(f"共找到 **{len(shown)}** 处场馆" + ("（含已隐藏）" if where.include_hidden else ""))
legend = "　".join(f":{colour}[●] {name}" for name, (_, colour) in _TYPE_COLOURS.items())
st.caption(f"图例：{legend}")


# --- map and table --------------------------------------------------------------------------


def _signature(items: Sequence[StoredSite]) -> str:
    """A short digest of the listed ids: the map and table get fresh widget keys (and selections)
    whenever the listing changes, so a remembered row number never points at another site."""
    return hashlib.sha1(",".join(item.site.id for item in items).encode()).hexdigest()[:10]


def _view(items: Sequence[StoredSite]) -> pdk.ViewState:
    """A view that fits all listed sites on a map of about 600×480 px (deck.gl's Web Mercator draws
    the world 512 px wide at zoom 0)."""
    if not items:
        return pdk.ViewState(latitude=30.5, longitude=120.6, zoom=6)
    lats = [item.site.lat for item in items]
    lons = [item.site.lon for item in items]
    lat_span = max(max(lats) - min(lats), 0.002) * 1.15
    lon_span = max(max(lons) - min(lons), 0.002) * 1.15
    mid_lat = (max(lats) + min(lats)) / 2
    zoom_lon = math.log2(600 * 360 / (512 * lon_span))
    zoom_lat = math.log2(480 * 360 / (512 * lat_span / math.cos(math.radians(mid_lat))))
    zoom = max(3.0, min(14.0, min(zoom_lon, zoom_lat) - 0.1))
    return pdk.ViewState(latitude=mid_lat, longitude=(max(lons) + min(lons)) / 2, zoom=zoom)


def map_text(text: str) -> str:
    """`text` as the map may receive it: deck.gl's JSON converter evaluates any string that starts with
    "@@" (`@@=` expressions, `@@#` constants, `@@type`, `@@function`), data included, and a bad one breaks
    the map for every visitor. Such text gets an invisible word joiner (U+2060) in front: it reads the
    same in the tooltip and is never evaluated."""
    return "\u2060" + text if text.startswith("@@") else text


def _point(site: Site, selected: str | None) -> dict[str, object]:
    """One marker: a filled dot in the type's colour with a white rim; an estimated position (error above
    200 m) is a hollow ring instead (faint fill, rim in the type's colour) with a tooltip line saying so.
    The selected site is larger with a yellow rim."""
    rgb = _TYPE_COLOURS.get(site.type, ([90, 90, 90], ""))[0]
    approximate = site.approximate
    note = ""
    if approximate and site.coord_accuracy_m is not None:
        note = f"\n位置为估计值（误差约 ±{distance_zh(site.coord_accuracy_m)}），出行请以地址为准"
    if site.id == selected:
        line = [255, 210, 0, 255]
    else:
        line = [*rgb, 255] if approximate else [255, 255, 255, 255]
    return {
        "id": site.id,
        "name": map_text(site.name),
        "kind": map_text(site.type),
        "place": map_text(
            f"{site.city if site.city != site.province else ''}{site.district} {site.address}".strip()),
        "lat": site.lat,
        "lon": site.lon,
        "approximate": approximate,
        "accuracy_note": note,
        "colour": [*rgb, 45 if approximate else 220],
        "radius": 9 if site.id == selected else 6,
        "line": line,
    }


def _deck(items: Sequence[StoredSite], selected: str | None) -> pdk.Deck:
    """Markers (one per site, plain-text tooltip) and city labels over the visit heat layer, with
    numbered bubbles where markers overlap; no base-map style is needed (one can be configured, see
    sites/basemap.py), so the markers show even where map tiles cannot load."""
    points = [_point(item.site, selected) for item in items]
    cities: dict[str, list[Site]] = {}
    for item in items:
        cities.setdefault(item.site.city, []).append(item.site)
    labels = [
        {"label": map_text(city.removesuffix("市")), "lat": sum(s.lat for s in group) / len(group),
         "lon": sum(s.lon for s in group) / len(group)}
        for city, group in cities.items()
    ]
    # pydeck turns plain string props into JS expressions: constant strings are quoted ("'pixels'").
    layers = [
        pdk.Layer(
            "ScatterplotLayer", id=MAP_LAYER, data=points, get_position=["lon", "lat"],
            get_fill_color="colour", get_line_color="line", get_radius="radius", radius_units="'pixels'",
            stroked=True, line_width_min_pixels=2, pickable=True, auto_highlight=True,
        ),
        pdk.Layer(
            "TextLayer", id="city-labels", data=labels, get_position=["lon", "lat"], get_text="label",
            character_set="'auto'", get_size=15, get_color=[70, 70, 70, 200], get_pixel_offset=[0, -22],
            font_family="'Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif'", font_weight=600,
            pickable=False,
        ),
    ]
    heat = activity_map.heat_layer(items, activity_map.site_counts(conn, heat_start, heat_end))
    layers = [*([heat] if heat is not None else []), *layers, *activity_map.cluster_layers(items)]
    return pdk.Deck(
        layers=layers, initial_view_state=_view(items), map_style=map_style(state.data_dir()),
        tooltip={"text": "{name}\n{kind} · {place}{accuracy_note}"},
    )


def _new_pick(key: str, value: tuple[str, ...]) -> str | None:
    """The site id a map or table selection points at, when it differs from the last one seen."""
    seen = f"_seen-{key}"
    changed = ss.get(seen) != value
    ss[seen] = value
    return value[0] if changed and value else None


def _map_pick(event: object) -> tuple[str, ...]:
    """The ids of the markers selected on the map (the event is a dict-like selection state)."""
    selection = event.get("selection") if isinstance(event, dict) else None
    objects = selection.get("objects", {}) if isinstance(selection, dict) else {}
    return tuple(str(obj.get("id")) for obj in objects.get(MAP_LAYER, []) if isinstance(obj, dict))


def _table(items: Sequence[StoredSite]) -> pd.DataFrame:
    rows = []
    for item in items:
        site = item.site
        row = {"名称": site.name, "类型": site.type, "城市": site.city, "区县": site.district,
               "地址": site.address, "主题": "、".join(site.themes)}
        if where.include_hidden:
            row["状态"] = "已隐藏" if item.hidden else "显示"
        rows.append(row)
    return pd.DataFrame(rows, columns=["名称", "类型", "城市", "区县", "地址", "主题"]
                        + (["状态"] if where.include_hidden else []))


signature = _signature(shown)
ss["site_map_key"], ss["site_table_key"] = f"site_map-{signature}", f"site_table-{signature}"
ids = [item.site.id for item in shown]
if ss.get("site_id") not in ids:
    ss["site_id"] = None
publish("site", ss.get("site_id"))

left, right = st.columns([3, 2], gap="medium")
with left:
    event = st.pydeck_chart(_deck(shown, ss.get("site_id")), on_select="rerun",
                            selection_mode="single-object", key=ss["site_map_key"], height=480)
    estimated = sum(item.site.approximate for item in shown)
    st.caption(escape_markdown(
        f"● 实心圆点：位置已核对或未注明误差；○ 空心圆圈：位置为估计值（误差超过 {APPROXIMATE_ABOVE_M} 米，"
        f"当前列表中 {estimated} 处），出行请以地址为准。"))
    picked = _new_pick(ss["site_map_key"], _map_pick(event))
    table = st.dataframe(_table(shown), on_select="rerun", selection_mode="single-row", hide_index=True,
                         key=ss["site_table_key"], height=300)
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


def _reason_zh(reason: str) -> str:
    """A Chinese gloss of a loader finding (the English detail kept for specifics)."""
    glosses = (
        ("required value is missing", "必填"), ("not a number", "不是数字"),
        ("outside China", "不在中国范围内"), ("is outside", "不在所选省份范围内"),
        ("unknown", "不在可选范围内"), ("http", "只接受 http:// 或 https:// 网址"),
        ("slug", "只能用小写字母、数字和连字符"), ("duplicate", "编号重复"),
        ("whole number of metres", "须为 1–50000 之间的整数（米），不知道可留空"),
    )
    for needle, gloss in glosses:
        if needle in reason:
            return f"{gloss}（{reason}）"
    return reason


def _field_errors(prefix: str, name: str) -> None:
    for reason in ss.get(f"{prefix}-errors", {}).get(name, []):
        st.caption(f":red[{escape_markdown(_reason_zh(reason))}]")


def _site_form(prefix: str, initial: dict[str, str], *, new: bool) -> dict[str, str] | None:
    """The fields of a site as a form; returns the entered {column: text} when submitted."""
    for name, value in initial.items():
        ss.setdefault(f"{prefix}-{name}", value)
    for name in ("type", "province"):
        if ss.get(f"{prefix}-{name}") == "":
            ss[f"{prefix}-{name}"] = None
    themes_key = f"{prefix}-themes"
    if isinstance(ss.get(themes_key), str):
        ss[themes_key] = [t for t in ss[themes_key].split(";") if t in THEMES]
    with st.form(f"{prefix}-form", border=True):
        errors = ss.get(f"{prefix}-errors", {})
        if errors:
            st.error("保存失败：请按提示修改标红的字段。", icon="⚠️")
            for reason in errors.get("row", []) + errors.get("header", []):
                st.caption(f":red[{escape_markdown(reason)}]")
        if new:
            st.text_input("编号（小写字母、数字和连字符，如 zj-nanhu-red-boat）", key=f"{prefix}-id")
            _field_errors(prefix, "id")
        st.text_input("名称", key=f"{prefix}-name")
        _field_errors(prefix, "name")
        cols = st.columns(2)
        with cols[0]:
            st.selectbox("类型", SITE_TYPES, key=f"{prefix}-type", placeholder="请选择")
            _field_errors(prefix, "type")
        with cols[1]:
            st.selectbox("省份", PROVINCES, key=f"{prefix}-province", placeholder="请选择")
            _field_errors(prefix, "province")
        cols = st.columns(2)
        with cols[0]:
            st.text_input("城市（上海的场馆填 上海市）", key=f"{prefix}-city")
            _field_errors(prefix, "city")
        with cols[1]:
            st.text_input("区县", key=f"{prefix}-district")
        st.text_input("地址", key=f"{prefix}-address")
        coord_cols = st.columns(3)
        for col, name in zip(coord_cols, ("lat", "lon"), strict=False):
            with col:
                st.text_input(f"{_LABELS[name]}（WGS84 十进制度）", key=f"{prefix}-{name}")
                _field_errors(prefix, name)
        with coord_cols[2]:
            st.text_input("坐标误差（米，可留空）", key=f"{prefix}-coord_accuracy_m",
                          help=f"经纬度的估计误差半径，整数 1–50000。超过 {APPROXIMATE_ABOVE_M} 米时，"
                               "地图用空心圆圈表示，详情中提示以地址为准。")
            _field_errors(prefix, "coord_accuracy_m")
        st.text_input("开放时间", key=f"{prefix}-hours")
        st.text_input("预约说明", key=f"{prefix}-booking")
        st.multiselect("主题", THEMES, key=themes_key, placeholder="选择主题")
        _field_errors(prefix, "themes")
        st.text_area("简介", key=f"{prefix}-description", height=120)
        st.text_input("网址（http:// 或 https://）", key=f"{prefix}-url")
        _field_errors(prefix, "url")
        st.text_input("延伸阅读检索词（用 ; 分隔）", key=f"{prefix}-related_queries")
        if not st.form_submit_button("保存" if not new else "新增场馆", type="primary"):
            return None
    values = {name: str(ss.get(f"{prefix}-{name}") or "") for name in _LABELS if name != "themes"}
    values["themes"] = ";".join(ss.get(themes_key) or [])
    if not new:
        values["id"] = initial["id"]
    return values


def _forget_form(prefix: str) -> None:
    for key in [k for k in ss if isinstance(k, str) and k.startswith(f"{prefix}-")]:
        del ss[key]


def _error_text(exc: StudyKBError) -> str:
    """A Chinese message for a store error, by its kind (ui.messages)."""
    return error_text(exc)


def _save(prefix: str, values: dict[str, str], item: StoredSite | None) -> None:
    """Run the add or edit; on invalid fields keep them for the form to mark, else rerun clean."""
    try:
        if item is None:
            saved = add_site(conn, user, values)
        else:
            saved = edit_site(conn, user, item.site.id, values, expected_revision=item.revision)
        ss["site_id"] = saved.site.id
    except SitesInvalid as exc:
        ss[f"{prefix}-errors"] = exc.fields()
        st.rerun()
    except StudyKBError as exc:
        ss[f"{prefix}-errors"] = {}
        st.error(_error_text(exc), icon="⚠️")
        return
    _forget_form(prefix)
    ss["site_flash"] = "已保存。"
    st.rerun()


def _details(item: StoredSite) -> None:
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


def _organiser_tools(item: StoredSite) -> None:
    prefix = f"edit-{item.site.id}-{item.revision}"
    cols = st.columns(2)
    if item.hidden:
        if cols[0].button("取消隐藏", key=f"unhide-{item.site.id}"):
            _toggle(unhide_site, item, "已取消隐藏，党员可以看到该场馆。")
    elif cols[0].button("隐藏此场馆", key=f"hide-{item.site.id}",
                        help="隐藏后党员看不到该场馆，可随时取消。"):
        _toggle(hide_site, item, "已隐藏该场馆。")
    with st.expander("编辑场馆信息", expanded=bool(ss.get(f"{prefix}-errors"))):
        values = _site_form(prefix, site_values(item.site), new=False)
        if values is not None:
            _save(prefix, values, item)


def _toggle(action: Callable[..., StoredSite], item: StoredSite, done: str) -> None:
    try:
        action(conn, user, item.site.id, expected_revision=item.revision)
    except StudyKBError as exc:
        st.error(_error_text(exc), icon="⚠️")
        return
    ss["site_flash"] = done
    st.rerun()


@st.cache_data(show_spinner="正在检索相关阅读…", max_entries=256)
def _readings(data_dir: str, version: str | None, site: Site) -> list[Hit]:
    engine = _engine()
    return related_readings(engine, site) if engine is not None else []


def _open(hit: Hit) -> None:
    ss["site_reader"] = hit.chunk_id


def _related(site: Site) -> None:
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


with right:
    flash = ss.pop("site_flash", None)
    if flash:
        st.success(flash, icon="✅")
    chosen = next((item for item in shown if item.site.id == ss.get("site_id")), None)
    if chosen is None:
        st.info("在地图上点击标记，或在表格中选择一行，查看场馆详情和相关阅读。")
    else:
        with st.container(border=True):
            _details(chosen)
            activity_map.site_activity(conn, user, chosen, heat_start, heat_end)
            if organiser:
                _organiser_tools(chosen)
        _related(chosen.site)

st.divider()
activity_map.activity_panel(conn, shown, heat_start, heat_end, heat_label)

if organiser:
    st.divider()
    with st.expander("新增场馆", expanded=bool(ss.get("new-errors"))):
        entered = _site_form("new", {name: "" for name in _LABELS}, new=True)
        if entered is not None:
            _save("new", entered, None)
