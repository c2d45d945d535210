"""The search filters of the search page (category, document, date range, tag) and their summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

import streamlit as st

from search.query import Filters
from search.records import DocumentInfo
from studykb.errors import DateRangeError, FilterError, UnknownCategoryError

__all__ = ["FILTER_KEYS", "clear_filters", "filter_controls", "filter_problem", "summary"]

#: Session-state keys of the filter widgets.
FILTER_KEYS = ("f_cat", "f_doc", "f_tag", "f_date")


def clear_filters() -> None:
    """Reset every filter (a button callback)."""
    for key in FILTER_KEYS:
        st.session_state[key] = []


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def filter_controls(docs: Sequence[DocumentInfo]) -> Filters:
    """Render the filter widgets (into the current container: the page puts them in the sidebar) and
    return the Filters they select."""
    bar = st
    bar.subheader("筛选", anchor=False)
    cat_count = Counter(d.category for d in docs if d.category)
    cats = bar.multiselect("类别", sorted(cat_count), key="f_cat", placeholder="全部类别",
                           format_func=lambda c: f"{c}（{cat_count[c]}）")
    titles = {d.path: d.title for d in docs}
    chosen = bar.multiselect("文档", list(titles), key="f_doc", placeholder="全部文档",
                             format_func=lambda p: titles.get(p, p))
    tag_count = Counter(t for d in docs for t in d.tags)
    tags = bar.multiselect("标签", sorted(tag_count, key=lambda t: (-tag_count[t], t)), key="f_tag",
                           placeholder="全部标签")
    dates = sorted(d for doc in docs if doc.date and (d := _date(doc.date)))
    picked: tuple[dt.date, ...] = ()
    if dates:
        value = bar.date_input("日期范围", value=[], min_value=dates[0], max_value=dates[-1], key="f_date",
                               format="YYYY-MM-DD", help=f"收录资料的日期从 {dates[0]} 到 {dates[-1]}")
        picked = tuple(value) if isinstance(value, (tuple, list)) else ((value,) if value else ())
    filters = Filters(
        categories=tuple(cats), documents=tuple(chosen), tags=tuple(tags),
        date_from=picked[0].isoformat() if picked else None,
        date_to=picked[1].isoformat() if len(picked) > 1 else None,
    )
    if filters.active:
        bar.button("清除筛选", icon=":material/filter_alt_off:", on_click=clear_filters, key="f_clear")
    return filters


def summary(filters: Filters, docs: Sequence[DocumentInfo]) -> str:
    """Plain-text summary of the active filters ("类别：摘编；日期：2023-01-01 起"), empty when none."""
    titles = {d.path: d.title for d in docs}
    parts = []
    if filters.categories:
        parts.append("类别：" + "、".join(filters.categories))
    if filters.documents:
        parts.append("文档：" + "、".join(f"《{titles.get(p, p)}》" for p in filters.documents))
    if filters.tags:
        parts.append("标签：" + "、".join(filters.tags))
    if filters.date_from and filters.date_to:
        parts.append(f"日期：{filters.date_from} 至 {filters.date_to}")
    elif filters.date_from:
        parts.append(f"日期：{filters.date_from} 起")
    return "；".join(parts)


def filter_problem(exc: FilterError) -> str:
    """A Chinese explanation of filters that can match nothing (mapped from the error's kind)."""
    if isinstance(exc, UnknownCategoryError):
        return f"没有“{exc.value}”这个类别。可选类别：{'、'.join(exc.valid)}。"
    if isinstance(exc, DateRangeError):
        return f"日期范围颠倒了：开始日期 {exc.date_from} 晚于结束日期 {exc.date_to}，请调换后再试。"
    return "筛选条件有误，请清除筛选后再试。"
