"""The site form of 学习地图: every column of a site as a widget, with the store's findings marked under
the fields they concern. Organisers use it to add a site and to edit one.

The widgets keep their values in session state under `<prefix>-<column>`; `prepare` turns a site's cells
into what the widgets hold and `entered` reads them back as cells for `sites.store` to validate.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import streamlit as st

from search.highlight import escape_markdown
from sites import APPROXIMATE_ABOVE_M, PROVINCES, SITE_TYPES, THEMES
from ui.messages import site_field_problem

#: Widget values by key, as Streamlit's session state holds them (tests pass a plain dict).
State = MutableMapping[Any, Any]

__all__ = ["LABELS", "State", "entered", "forget", "prepare", "site_form"]

#: The columns of a site, in form order, with their Chinese labels.
LABELS = {
    "id": "编号", "name": "名称", "type": "类型", "province": "省份", "city": "城市", "district": "区县",
    "address": "地址", "lat": "纬度", "lon": "经度", "hours": "开放时间", "booking": "预约说明",
    "themes": "主题", "description": "简介", "url": "网址", "related_queries": "延伸阅读检索词",
    "coord_accuracy_m": "坐标误差",
}


def prepare(state: State, prefix: str, initial: Mapping[str, str]) -> None:
    """Give the widgets under `prefix` their first values from `initial` ({column: text}): an empty type
    or province is no choice, and themes become the list of known themes in the `;`-separated text.
    Values already entered are kept."""
    for name, value in initial.items():
        state.setdefault(f"{prefix}-{name}", value)
    for name in ("type", "province"):
        if state.get(f"{prefix}-{name}") == "":
            state[f"{prefix}-{name}"] = None
    themes = state.get(f"{prefix}-themes")
    if isinstance(themes, str):
        state[f"{prefix}-themes"] = [t for t in themes.split(";") if t in THEMES]


def entered(state: State, prefix: str) -> dict[str, str]:
    """The widgets' values under `prefix` as {column: text}, the cells `sites.store` validates."""
    values = {name: str(state.get(f"{prefix}-{name}") or "") for name in LABELS if name != "themes"}
    themes = state.get(f"{prefix}-themes")
    values["themes"] = ";".join(themes) if isinstance(themes, list) else ""
    return values


def forget(state: State, prefix: str) -> None:
    """Drop every value and finding kept under `prefix` (after a save)."""
    for key in [k for k in state if isinstance(k, str) and k.startswith(f"{prefix}-")]:
        del state[key]


def _field_errors(prefix: str, name: str) -> None:
    for reason in st.session_state.get(f"{prefix}-errors", {}).get(name, []):
        st.caption(f":red[{escape_markdown(site_field_problem(reason))}]")


def site_form(prefix: str, initial: dict[str, str], *, new: bool) -> dict[str, str] | None:
    """The fields of a site as a form; returns the entered {column: text} when submitted (an edit keeps
    the site's id), else None. Findings kept under `<prefix>-errors` are marked under their fields."""
    ss = st.session_state
    prepare(ss, prefix, initial)
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
                st.text_input(f"{LABELS[name]}（WGS84 十进制度）", key=f"{prefix}-{name}")
                _field_errors(prefix, name)
        with coord_cols[2]:
            st.text_input("坐标误差（米，可留空）", key=f"{prefix}-coord_accuracy_m",
                          help=f"经纬度的估计误差半径，整数 1–50000。超过 {APPROXIMATE_ABOVE_M} 米时，"
                               "地图用空心圆圈表示，详情中提示以地址为准。")
            _field_errors(prefix, "coord_accuracy_m")
        st.text_input("开放时间", key=f"{prefix}-hours")
        st.text_input("预约说明", key=f"{prefix}-booking")
        st.multiselect("主题", THEMES, key=f"{prefix}-themes", placeholder="选择主题")
        _field_errors(prefix, "themes")
        st.text_area("简介", key=f"{prefix}-description", height=120)
        st.text_input("网址（http:// 或 https://）", key=f"{prefix}-url")
        _field_errors(prefix, "url")
        st.text_input("延伸阅读检索词（用 ; 分隔）", key=f"{prefix}-related_queries")
        if not st.form_submit_button("保存" if not new else "新增场馆", type="primary"):
            return None
    values = entered(ss, prefix)
    if not new:
        values["id"] = initial["id"]
    return values
