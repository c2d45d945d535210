"""The reader: a passage shown in its source — the PDF page or the document section — with metadata
and a download of the original file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from search.engine import Engine
from search.highlight import escape_markdown, to_markdown
from search.records import Hit

__all__ = ["page_bounds", "show_reader"]

_SECTION_WINDOW = 1500


def page_bounds(page_starts: list[int], page: int | None, text_len: int) -> tuple[int, int]:
    """Character range of 1-based `page` given each page's start offset (whole text when unpaged)."""
    if not page or not page_starts or page > len(page_starts):
        return 0, text_len
    start = page_starts[page - 1]
    end = page_starts[page] if page < len(page_starts) else text_len
    return start, end


def show_reader(engine: Engine, hit: Hit) -> None:
    """Render the document around `hit`: its page (PDF) or section, passage in bold, metadata, download."""
    doc, text, page_starts = engine.document(hit.document.id)
    st.subheader(f"《{doc.title}》")
    meta = [("类别", doc.category), ("日期", doc.date), ("来源", doc.source), ("作者", doc.author),
            ("标签", "、".join(doc.tags) if doc.tags else None), ("文件", doc.path),
            ("页数", str(doc.pages) if doc.pages else None)]
    st.markdown("  \n".join(f"**{k}**：{escape_markdown(v)}" for k, v in meta if v))
    if doc.format == "pdf" and hit.page:
        lo, hi = page_bounds(page_starts, hit.page, len(text))
        pages = list(range(1, (doc.pages or len(page_starts)) + 1))
        shown = st.select_slider("页码", options=pages, value=hit.page, key=f"reader-page-{hit.chunk_id}") \
            if len(pages) > 1 else hit.page
        lo, hi = page_bounds(page_starts, shown, len(text))
        st.caption(f"第 {shown} 页 / 共 {len(pages)} 页")
    else:
        lo = max(0, hit.start - _SECTION_WINDOW // 2)
        hi = min(len(text), hit.end + _SECTION_WINDOW // 2)
        lo = text.rfind("\n", 0, lo) + 1 if lo > 0 else 0
        nl = text.find("\n", hi)
        hi = nl if nl != -1 else len(text)
        if hit.heading_path:
            st.caption(" › ".join(hit.heading_path))
    window = text[lo:hi]
    spans = [(max(0, hit.start - lo), min(len(window), hit.end - lo))] if hit.start < hi and hit.end > lo else []
    with st.container(border=True, height=520):
        st.markdown(to_markdown(window, spans))
    source = Path(doc.root) / doc.path
    if source.is_file():
        st.download_button("下载原文件", data=source.read_bytes(), file_name=source.name,
                           key=f"dl-{hit.chunk_id}")
    else:
        st.caption("原文件已不在原位置，无法下载。")
