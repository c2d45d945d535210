"""Rendering search hits and citations as escaped Markdown (no HTML with document text)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from search.highlight import escape_markdown, to_markdown
from search.records import Hit

__all__ = ["hit_card", "meta_line"]


def meta_line(hit: Hit) -> str:
    """Escaped one-line citation: category · date · page · source path."""
    doc = hit.document
    parts = []
    if doc.category:
        parts.append(doc.category)
    if doc.date:
        parts.append(doc.date)
    if hit.page:
        parts.append(f"第{hit.page}页" if hit.page_end in (None, hit.page) else f"第{hit.page}–{hit.page_end}页")
    parts.append(doc.path)
    return " · ".join(escape_markdown(p) for p in parts)


def hit_card(hit: Hit, rank: int, *, on_read: Callable[[Hit], None], on_similar: Callable[[Hit], None] | None,
             extra: Callable[[Hit], None] | None = None) -> None:
    """One result card: title, citation, heading path, highlighted snippet, duplicates, actions."""
    with st.container(border=True):
        st.markdown(f"**{rank}. 《{escape_markdown(hit.document.title)}》**  \n:gray[{meta_line(hit)}]")
        if hit.heading_path:
            st.caption(" › ".join(hit.heading_path))
        st.markdown(to_markdown(hit.snippet, hit.snippet_spans))
        badges = []
        if hit.ocr_confidence is not None:
            badges.append(f"OCR 识别 · 置信度 {hit.ocr_confidence:.0%}")
        legs = {"bm25": "关键词", "dense": "语义", "phrase": "原文匹配"}
        badges.append("命中方式：" + "、".join(legs.get(x, x) for x in hit.legs) + f" · 得分 {hit.score:.4f}")
        st.caption(" · ".join(badges))
        if hit.also_in:
            st.caption(
                "另见于："
                + "；".join(
                    f"《{escape_markdown(loc.title)}》" + (f"第{loc.page}页" if loc.page else "") for loc in hit.also_in
                )
            )
        cols = st.columns([1, 1, 4])
        cols[0].button("阅读原文", key=f"read-{hit.chunk_id}-{rank}", on_click=on_read, args=(hit,))
        if on_similar is not None:
            cols[1].button("相似段落", key=f"sim-{hit.chunk_id}-{rank}", on_click=on_similar, args=(hit,))
        if extra is not None:
            with cols[2]:
                extra(hit)
