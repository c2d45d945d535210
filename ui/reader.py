"""The reader: a passage shown in its source — the PDF page (image and text) or the document section —
with the document's metadata and a download of the original file."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Sequence
from pathlib import PurePosixPath

import streamlit as st

from search.engine import Engine
from search.highlight import mark_spans
from search.original import read_original
from search.query import parse_query
from search.records import DocumentInfo, Hit
from studykb.db import connect
from studykb.errors import OriginalUnavailableError, StudyKBError
from studykb.index_store import IndexStore
from ui.document_view import show_document
from ui.render import heading_trail, marked, md

__all__ = ["page_bounds", "page_image", "section_bounds", "show_reader"]

Span = tuple[int, int]

#: A section shorter than this is shown within its parent section (a glossary entry among its neighbours).
MIN_SECTION_CHARS = 400
#: The most text shown around a passage of a long section.
MAX_SECTION_CHARS = 4000
PAGE_SCALE = 1.5
_MIME = {"pdf": "application/pdf", "md": "text/markdown", "txt": "text/plain", "html": "text/html",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_FORMAT = {"pdf": "PDF", "docx": "Word", "md": "Markdown", "txt": "纯文本", "html": "网页"}
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe; app sessions run in threads


def page_bounds(page_starts: list[int], page: int | None, text_len: int) -> tuple[int, int]:
    """Character range of 1-based `page` given each page's start offset (whole text when unpaged)."""
    if not page or not page_starts or page > len(page_starts):
        return 0, text_len
    start = page_starts[page - 1]
    end = page_starts[page] if page < len(page_starts) else text_len
    return start, end


@st.cache_data(max_entries=64, show_spinner="正在渲染页面…")
def page_image(_doc: DocumentInfo, content_hash: str, page: int, scale: float = PAGE_SCALE) -> bytes | None:
    """PNG of 1-based `page` of the PDF `_doc` (None when its original file is unavailable or changed,
    or the page cannot be rendered, e.g. encrypted).

    The page is rendered from the verified bytes of the ingested file (`read_original`), so it always
    shows the indexed text; `content_hash` keys the cache.
    """
    import pypdfium2 as pdfium

    try:
        data = read_original(_doc)
    except OriginalUnavailableError:
        return None
    try:
        with _pdfium_lock:
            pdf = pdfium.PdfDocument(data)
            try:
                if not 1 <= page <= len(pdf):
                    return None
                image = pdf[page - 1].render(scale=scale).to_pil()
            finally:
                pdf.close()
    except (pdfium.PdfiumError, OSError):
        return None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@st.cache_data(max_entries=256, show_spinner=False)
def _chunk_layout(db_path: str, document_id: int) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, heading path) of each passage of a document (rows are immutable: safe to cache)."""
    conn = connect(db_path, migrate=False)
    try:
        rows = IndexStore(conn).document_layout(document_id)
    finally:
        conn.close()
    return [(r["start"], r["end"], tuple(json.loads(r["heading_path"]))) for r in rows]


Layout = Sequence[tuple[int, int, tuple[str, ...]]]


def section_bounds(text: str, layout: Layout, hit: Hit) -> tuple[int, int]:
    """Character range of the section around `hit`: its passages' span under the hit's heading (widened to
    the parent heading while shorter than MIN_SECTION_CHARS), from the heading line, cut to whole lines
    and to at most MAX_SECTION_CHARS around the passage."""
    lo, hi = hit.start, hit.end
    path = hit.heading_path
    for depth in range(len(path), 0, -1):
        same = [(s, e) for s, e, p in layout if p[:depth] == path[:depth]]
        lo, hi = min([hit.start, *(s for s, _ in same)]), max([hit.end, *(e for _, e in same)])
        head = text.rfind(path[depth - 1], max(0, lo - 300), lo + len(path[depth - 1]))
        if head >= 0:
            lo = min(lo, head)
        if hi - lo >= MIN_SECTION_CHARS:
            break
    if not path or hi - lo < MIN_SECTION_CHARS:
        lo, hi = min(lo, hit.start - MIN_SECTION_CHARS), max(hi, hit.end + MIN_SECTION_CHARS)
    if hi - lo > MAX_SECTION_CHARS:
        room = max(0, MAX_SECTION_CHARS - (hit.end - hit.start)) // 2
        lo, hi = max(lo, hit.start - room), min(hi, hit.end + room)
    lo, hi = max(0, lo), min(len(text), hi)
    lo = text.rfind("\n", 0, lo) + 1 if lo > 0 else 0
    nl = text.find("\n", hi)
    return lo, nl if nl != -1 and hi < len(text) else len(text)


def _terms(text: str, query: str) -> list[Span]:
    """Spans of the query's words in `text` (none for an empty or unparsable query)."""
    if not query.strip():
        return []
    try:
        parsed = parse_query(query)
    except StudyKBError:
        return []
    return mark_spans(text, () if parsed.exact else parsed.terms, parsed.phrases)  # a quote: only itself


def _window(text: str, lo: int, hi: int, hit: Hit, query: str) -> str:
    """Escaped Markdown of text[lo:hi] with the passage on a highlighter and the query words in red."""
    window = text[lo:hi]
    inside = hit.start < hi and hit.end > lo
    passage = (max(0, hit.start - lo), min(len(window), hit.end - lo)) if inside else None
    return marked(window, _terms(window, query), passage)


def _metadata(doc: DocumentInfo) -> None:
    st.subheader(f"《{md(doc.title)}》", anchor=False)
    line = [f":blue-badge[{md(doc.category)}]"] if doc.category else []
    facts = [md(x) for x in (doc.date, doc.source, doc.author) if x]
    if facts:
        line.append(":gray[" + " · ".join(facts) + "]")
    if line:
        st.markdown(" ".join(line))
    if doc.tags:
        st.markdown(" ".join(f":gray-badge[{md(t)}]" for t in doc.tags))


def _download(doc: DocumentInfo, key: str) -> None:
    """The download of the original file: only its verified, ingested bytes (see `read_original`)."""
    row = st.container(horizontal=True, vertical_alignment="center")
    kind = _FORMAT.get(doc.format, doc.format.upper())
    pages = f"，{doc.pages} 页" if doc.pages else ""
    row.caption(f"原文件：{md(doc.path)}（{kind}{pages}）", width="content")
    try:
        data = read_original(doc)
    except OriginalUnavailableError:
        row.caption(":orange[原文件已更改或不可用，无法下载。]", width="content")
        return
    row.download_button("下载原文件", data=data, file_name=PurePosixPath(doc.path).name,
                        mime=_MIME.get(doc.format), icon=":material/download:", key=f"dl-{key}")


def _pdf_page(doc: DocumentInfo, text: str, page_starts: list[int], hit: Hit, query: str) -> None:
    """The PDF page of the hit: page navigation, the rendered page beside its text (passage highlighted)."""
    total = doc.pages or len(page_starts) or 1
    key = f"reader-page-{hit.chunk_id}"
    page = min(max(1, int(st.session_state.get(key, hit.page or 1))), total)
    nav = st.container(horizontal=True, vertical_alignment="center")
    nav.button("上一页", icon=":material/chevron_left:", key=f"{key}-prev", disabled=page <= 1,
               on_click=st.session_state.__setitem__, args=(key, page - 1))
    nav.markdown(f"**第 {page} 页** :gray[/ 共 {total} 页]", width="content")
    nav.button("下一页", icon=":material/chevron_right:", icon_position="right", key=f"{key}-next",
               disabled=page >= total, on_click=st.session_state.__setitem__, args=(key, page + 1))
    if hit.page and page != hit.page:
        nav.button(f"回到命中段落（第{hit.page}页）", type="tertiary", key=f"{key}-hit",
                   on_click=st.session_state.__setitem__, args=(key, hit.page))
    lo, hi = page_bounds(page_starts, page, len(text))
    image = page_image(doc, doc.content_hash, page)
    body = _window(text, lo, hi, hit, query) or ":gray[（本页没有可提取的文字）]"
    if image is None:
        with st.container(border=True):
            st.markdown(body)
        return
    left, right = st.columns([11, 10], gap="medium")
    left.image(image, caption=f"原文第 {page} 页", width="stretch")
    with right.container(border=True):
        st.caption("本页文字（命中段落已标出）")
        st.markdown(body)


def show_reader(engine: Engine, hit: Hit, query: str = "") -> None:
    """Render the document around `hit`: metadata, download, and its PDF page (image and text) or its
    section, with the passage highlighted and the words of `query` (if any) in red."""
    doc, text, page_starts = engine.document(hit.document.id)
    _metadata(doc)
    _download(doc, str(hit.chunk_id))
    if doc.format == "pdf" and hit.page:
        trail = heading_trail(hit)
        if trail:
            st.caption("位置：" + " › ".join(md(h) for h in trail))
        _pdf_page(doc, text, page_starts, hit, query)
        return
    layout = _chunk_layout(str(engine.data.db_path), doc.id)
    show_document(text, layout, hit, lambda window: _terms(window, query), str(hit.chunk_id))
