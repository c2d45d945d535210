"""The search filters of the search page (category, document, date range, tag) and their summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

import streamlit as st

from search.query import Filters
from search.records import DocumentInfo
from studykb.errors import ValidationError
from ui.dates import parse_day
from ui.messages import filter_problem  # re-exported: the filters' own explanation

__all__ = ["FILTER_KEYS", "active_count", "clear_filters", "filter_controls", "filter_problem", "summary"]

#: Session-state keys of the filter widgets (choices, then the typed dates).
FILTER_KEYS = ("f_cat", "f_doc", "f_tag", "f_from", "f_to")


def clear_filters() -> None:
    """Reset every filter (a button callback)."""
    for key in FILTER_KEYS:
        st.session_state[key] = "" if key in ("f_from", "f_to") else []


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _date_range(docs: Sequence[DocumentInfo]) -> tuple[dt.date | None, dt.date | None]:
    """Two typed dates (from, to), each applied as soon as it is entered; any day is accepted, also one
    past the newest document. A date that cannot be read is named under the boxes and not applied; a
    起 after the 止 is refused by the search (DateRangeError, explained by `filter_problem`)."""
    dates = sorted(d for doc in docs if doc.date and (d := _date(doc.date)))
    st.markdown("日期")
    left, right = st.columns(2, gap="small")
    left.text_input("起始日期", key="f_from", placeholder="起，如 2023-01-01", label_visibility="collapsed",
                     bind="query-params")
    right.text_input("截止日期", key="f_to", placeholder="止，如 2024-12-31", label_visibility="collapsed",
                      bind="query-params")
    picked: list[dt.date | None] = []
    for key, end in (("f_from", False), ("f_to", True)):
        try:
            picked.append(parse_day(str(st.session_state.get(key, "")), end=end))
        except ValidationError as exc:
            st.error(str(exc), icon=":material/event_busy:")
            picked.append(None)
    start, stop = picked  # a reversed range is passed on: the engine refuses it (see filter_problem)
    if dates:
        st.caption(f"收录资料的日期从 {dates[0]} 到 {dates[-1]}；可只填一端，也可写 2023 或 2023-05")
    return start, stop


def filter_controls(docs: Sequence[DocumentInfo]) -> Filters:
    """Render the filter widgets (into the current container: the page puts them in the sidebar) and
    return the Filters they select."""
    bar = st
    bar.subheader("筛选", anchor=False)
    cat_count = Counter(d.category for d in docs if d.category)
    # The URL holds each option as shown: plain names, so that ?f_cat=摘编 links keep working as the
    # library grows (a count in the label would change them).
    cats = bar.multiselect("类别", sorted(cat_count), key="f_cat", placeholder="全部类别",
                           bind="query-params")
    titles = {d.path: d.title for d in docs}
    chosen = bar.multiselect("文档", list(titles), key="f_doc", placeholder="全部文档", bind="query-params",
                             format_func=lambda p: titles.get(p, p))
    tag_count = Counter(t for d in docs for t in d.tags)
    tags = bar.multiselect("标签", sorted(tag_count, key=lambda t: (-tag_count[t], t)), key="f_tag",
                           placeholder="全部标签", bind="query-params")
    date_from, date_to = _date_range(docs)
    filters = Filters(
        categories=tuple(cats), documents=tuple(chosen), tags=tuple(tags),
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )
    if filters.active:
        bar.button("清除筛选", icon=":material/filter_alt_off:", on_click=clear_filters, key="f_clear")
    return filters


def active_count(filters: Filters) -> int:
    """How many kinds of filter are set (category, document, tag, date), for the phone's 筛选 button."""
    return sum(map(bool, (filters.categories, filters.documents, filters.tags,
                          filters.date_from or filters.date_to)))


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
    elif filters.date_to:
        parts.append(f"日期：{filters.date_to} 止")
    return "；".join(parts)
