"""Reading a whole document (any format but paged PDF): its heading tree as a table of contents, one
section at a time with previous/next, a font size, a Simplified/Traditional display toggle, the hit marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from search.records import Hit
from studykb.text import to_traditional
from ui.render import marked, md

__all__ = ["Section", "sections", "show_document"]

Span = tuple[int, int]
Layout = Sequence[tuple[int, int, tuple[str, ...]]]

#: Body font sizes offered to readers (CSS pixels).
FONT_SIZES = {"小": 15, "中": 18, "大": 22}


@dataclass(frozen=True)
class Section:
    """One part of a document under one heading path: text[start:end], from its heading line on."""

    path: tuple[str, ...]
    start: int
    end: int

    @property
    def title(self) -> str:
        return self.path[-1] if self.path else "（正文）"


def sections(text: str, layout: Layout) -> list[Section]:
    """The document's sections in reading order, from its passages' heading paths; each starts at its
    heading line (found in the text) and ends where the next section starts. Together they cover the text."""
    starts: list[tuple[int, tuple[str, ...]]] = []
    seen: set[tuple[str, ...]] = set()
    for start, _end, path in layout:
        for depth in range(1, len(path) + 1):  # a heading whose own text is empty still names its children
            head = path[:depth]
            if head in seen:
                continue
            seen.add(head)
            line = text.rfind(head[-1], 0, start + len(head[-1]))
            starts.append((line if line >= 0 else start, head))
    starts.sort(key=lambda item: item[0])
    out: list[Section] = []
    if not starts or starts[0][0] > 0:
        first = starts[0][0] if starts else len(text)
        if text[:first].strip():
            out.append(Section((), 0, first))
    for i, (start, path) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out.append(Section(path, start, max(start, end)))
    return out


def _section_of(parts: Sequence[Section], hit: Hit) -> int:
    """Index of the section holding the hit's start (the deepest one starting at or before it)."""
    best = 0
    for i, part in enumerate(parts):
        if part.start <= hit.start:
            best = i
    return best


def _trail(path: tuple[str, ...], title: str) -> tuple[str, ...]:
    """The path without a leading heading that only repeats the document's title."""
    return path[1:] if path and path[0] and (path[0] in title or title in path[0]) else path


def show_document(text: str, layout: Layout, hit: Hit, terms: Callable[[str], list[Span]], key: str) -> None:
    """Draw the whole document one section at a time, opening at the hit's section."""
    parts = sections(text, layout)
    if not parts:
        st.caption("（该文档没有可显示的文字）")
        return
    home = _section_of(parts, hit)
    at_key = f"doc-sec-{key}"
    at = min(max(0, int(st.session_state.get(at_key, home))), len(parts) - 1)
    with st.expander(f"目录（共 {len(parts)} 节）", icon=":material/toc:"):
        for i, part in enumerate(parts):
            indent = "\u3000" * (len(part.path) - 1 if part.path else 0)
            mark = "　◀ 命中段落所在" if i == home else ""
            st.button(f"{indent}{part.title}{mark}", key=f"{at_key}-toc-{i}", type="tertiary",
                      disabled=i == at, on_click=st.session_state.__setitem__, args=(at_key, i))
    bar = st.container(horizontal=True, vertical_alignment="center")
    bar.button("上一节", icon=":material/chevron_left:", key=f"{at_key}-prev", disabled=at == 0,
               on_click=st.session_state.__setitem__, args=(at_key, at - 1))
    bar.markdown(f"**第 {at + 1} 节** :gray[/ 共 {len(parts)} 节]", width="content")
    bar.button("下一节", icon=":material/chevron_right:", icon_position="right", key=f"{at_key}-next",
               disabled=at == len(parts) - 1, on_click=st.session_state.__setitem__, args=(at_key, at + 1))
    if at != home:
        bar.button("回到命中段落", type="tertiary", key=f"{at_key}-home",
                   on_click=st.session_state.__setitem__, args=(at_key, home))
    size = bar.segmented_control("字号", list(FONT_SIZES), default="中", key=f"{at_key}-size",
                                 label_visibility="collapsed") or "中"
    script = bar.segmented_control("字形", ["简体", "繁體"], default="简体", key=f"{at_key}-script",
                                   label_visibility="collapsed") or "简体"
    part = parts[at]
    trail = _trail(part.path, hit.document.title)
    if trail:
        st.caption("位置：" + " › ".join(md(h) for h in trail))
    window = text[part.start:part.end]
    inside = hit.start < part.end and hit.end > part.start
    passage = (max(0, hit.start - part.start), min(len(window), hit.end - part.start)) if inside else None
    body = st.container(border=True, key=f"docbody-{key}")
    # Only our own constant CSS: the font size of this container's paragraphs.
    px = FONT_SIZES[size]
    st.html(f"<style>.st-key-docbody-{key} p {{ font-size: {px}px; line-height: 1.9; }}</style>")
    body.markdown(marked(window, terms(window), passage, to_traditional if script == "繁體" else None)
                  or ":gray[（本节没有正文）]")
