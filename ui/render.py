"""Rendering search hits, citations and highlighted text as escaped Markdown (no HTML with document text).

Highlights use Streamlit's text directives (`:red[**…**]`, `:orange-background[…]`) rather than bare
`**…**`: CommonMark does not close `**` between a Chinese full-width punctuation mark and a following
character (`。**继续`), which would leave literal asterisks in Chinese text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import streamlit as st

from search.highlight import escape_markdown
from search.records import Hit

__all__ = ["heading_trail", "hit_card", "local_time", "location_line", "marked", "md", "meta_line"]

Span = tuple[int, int]


def local_time(stamp: str | None) -> str:
    """An ISO time stamp in the server's local time, to the minute ("2024-09-10 14:05"); escaped."""
    if not stamp:
        return "未知"
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return escape_markdown(stamp)


#: Escape text for st.markdown (kept as a short name: the pages use it for every piece of document text).
md = escape_markdown


def marked(text: str, terms: Sequence[Span] = (), passage: Span | None = None,
           convert: Callable[[str], str] | None = None) -> str:
    """Escaped Markdown of `text`: `terms` spans in bold red, the `passage` span on a highlighter background.

    Lines keep their breaks; blank lines start a new paragraph; every directive stays within one line.
    `convert` (e.g. Simplified → Traditional for display) is applied to each piece, so marks stay put.
    """
    cuts = {0, len(text)}
    for s, e in [*terms, *([passage] if passage else [])]:
        cuts.update((max(0, min(s, len(text))), max(0, min(e, len(text)))))
    for i, ch in enumerate(text):
        if ch == "\n":
            cuts.update((i, i + 1))
    bounds = sorted(cuts)
    lines: list[str] = []
    line: list[tuple[bool, str]] = []  # (inside the passage, markdown) pieces of the current line
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = text[a:b]
        if piece == "\n":
            lines.append(_join(line))
            line = []
            continue
        if not line:
            piece = piece.lstrip(" \t")  # four leading spaces would open a code block
        if not piece:
            continue
        out = md(convert(piece) if convert else piece)
        if any(s <= a and b <= e for s, e in terms):
            out = f":red[**{out}**]"
        line.append((bool(passage and passage[0] <= a and b <= passage[1]), out))
    lines.append(_join(line))
    paragraphs: list[list[str]] = [[]]
    for item in lines:
        if item.strip():
            paragraphs[-1].append(item)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("  \n".join(p) for p in paragraphs if p)


def heading_trail(hit: Hit) -> tuple[str, ...]:
    """The hit's heading path without a leading heading that only repeats the document's title."""
    path = hit.heading_path
    title = hit.document.title
    if path and path[0] and (path[0] in title or title in path[0]):
        path = path[1:]
    return path


def _join(pieces: list[tuple[bool, str]]) -> str:
    """One line of Markdown: each run of passage pieces on one highlighter background."""
    out: list[str] = []
    run: list[str] = []
    for inside, text in [*pieces, (False, "")]:
        if inside:
            run.append(text)
            continue
        if run:
            out.append(":orange-background[" + "".join(run) + "]")
            run = []
        out.append(text)
    return "".join(out)


def _pages(page: int | None, page_end: int | None) -> str | None:
    if not page:
        return None
    return f"第{page}页" if page_end in (None, page) else f"第{page}–{page_end}页"


def meta_line(hit: Hit) -> str:
    """Escaped one-line citation for readers: category badge · issuing body · date · page."""
    doc = hit.document
    parts = [md(p) for p in (doc.source, doc.date, _pages(hit.page, hit.page_end)) if p]
    badge = f":blue-badge[{md(doc.category)}] " if doc.category else ""
    return badge + (":gray[" + " · ".join(parts) + "]" if parts else "")


def location_line(hit: Hit) -> str | None:
    """Escaped "另见于" line naming the other documents where the same passage appears, or None."""
    if not hit.also_in:
        return None
    places = [f"《{md(loc.title)}》" + (f"第{loc.page}页" if loc.page else "") for loc in hit.also_in]
    return "另见于：" + "；".join(places)


def _small(text: str) -> str:
    """Escaped Markdown shown like a caption (small, gray) inside a larger Markdown element."""
    return f":gray[:small[{text}]]"


def hit_card(hit: Hit, rank: int, *, on_read: Callable[[Hit], None], on_similar: Callable[[Hit], None] | None,
             extra: Callable[[Hit], None] | None = None, key: str = "") -> None:
    """One result card: title, citation, heading path, highlighted snippet, duplicates, actions.

    `extra(hit)` renders further controls in the action row (reading-list curation); `key` keeps the
    buttons of the same passage distinct when it is shown twice on a page.
    """
    with st.container(border=True, key=f"card-{key}{hit.chunk_id}-{rank}"):  # ui.phone styles card-…
        # One Markdown element for the card's text: the browser lays out and measures each Markdown
        # element it draws, so fewer elements draw faster (bench/ui_latency.py).
        parts = [f":gray[{rank}\\.] **《{md(hit.document.title)}》**  \n{meta_line(hit)}"]
        trail = heading_trail(hit)
        if trail:
            parts.append(_small(" › ".join(md(h) for h in trail)))
        parts.append(marked(hit.snippet, hit.snippet_spans))
        also = location_line(hit)
        if also:
            parts.append(_small(also))
        st.markdown("\n\n".join(parts))
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        row.button("阅读原文", key=f"read-{key}{hit.chunk_id}-{rank}", icon=":material/menu_book:",
                   on_click=on_read, args=(hit,))
        if on_similar is not None:
            row.button("相似段落", key=f"sim-{key}{hit.chunk_id}-{rank}", icon=":material/join:",
                       on_click=on_similar, args=(hit,))
        if extra is not None:
            with row:
                extra(hit)
        if hit.ocr_confidence is not None:  # readers should know the text was read from a scan
            row.caption(f"扫描件文字识别 · 置信度 {hit.ocr_confidence:.0%}", width="stretch")
