"""检索 — the search page: query, sidebar filters, result cards, reader, similar passages, paging."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import streamlit as st

from search.engine import Engine
from search.query import Filters
from search.records import Hit
from studykb.errors import IndexMissingError, StudyKBError
from ui import state
from ui.reader import show_reader
from ui.render import hit_card

PAGE_SIZE = 10
ss = st.session_state
ss.setdefault("shown", PAGE_SIZE)


def _no_index(exc: Exception) -> None:
    st.title("学习资料检索")
    st.warning("还没有可检索的索引。")
    st.markdown("请维护人员先导入资料，然后刷新本页：")
    st.code(f"studykb ingest corpus --data-dir {state.data_dir()}", language="bash")
    st.caption(str(exc))


try:
    engine: Engine = state.engine()
except IndexMissingError as exc:
    _no_index(exc)
    st.stop()

docs = engine.documents()


def _sidebar() -> Filters:
    st.sidebar.header("筛选")
    categories = sorted({d.category for d in docs if d.category})
    cats = st.sidebar.multiselect("类别", categories, key="f_cat")
    titles = {f"{d.title}（{d.path}）": d.path for d in docs}
    chosen = st.sidebar.multiselect("文档", list(titles), key="f_doc")
    tags = sorted({t for d in docs for t in d.tags})
    tag_sel = st.sidebar.multiselect("标签", tags, key="f_tag")
    dates = sorted(d.date for d in docs if d.date)
    lo = dt.date.fromisoformat(dates[0]) if dates else dt.date(2000, 1, 1)
    hi = dt.date.fromisoformat(dates[-1]) if dates else dt.date.today()
    use_dates = st.sidebar.checkbox("按日期筛选", key="f_use_dates")
    date_from = date_to = None
    if use_dates:
        date_from = st.sidebar.date_input("起始日期", value=lo, key="f_from")
        date_to = st.sidebar.date_input("截止日期", value=hi, key="f_to")
    _status()
    return Filters(
        categories=tuple(cats), documents=tuple(titles[c] for c in chosen),
        date_from=date_from.isoformat() if date_from else None, date_to=date_to.isoformat() if date_to else None,
        tags=tuple(tag_sel),
    )


def _status() -> None:
    info = engine.status()
    st.sidebar.divider()
    model = info["model"].split("/")[-1]
    line = f"{info['documents']} 份文档 · {info['passages']} 个段落 · 模型 {model}"
    st.sidebar.caption(line + f"  \n索引 {info['version']} 构建于 {info['built_at']}")
    if info["model_fallback"]:
        st.sidebar.caption(":orange[当前使用离线英文备用模型，中文检索主要依靠关键词匹配。]")


def _read(hit: Hit) -> None:
    ss["reader"] = hit.chunk_id


def _similar(hit: Hit) -> None:
    ss["similar"] = hit.chunk_id


def _suggest(query: str) -> None:
    ss["q"] = query
    ss["shown"] = PAGE_SIZE


def _examples() -> list[str]:
    """Example queries drawn from the corpus: its most common tags, then its heading words."""
    counts = Counter(t for d in docs for t in d.tags)
    picks = [t for t, _ in counts.most_common(6)]
    return picks + ['"浦江经验"'] if picks else ['"浦江经验"', "中国式现代化"]


filters = _sidebar()
st.title("学习资料检索")

if ss.get("reader"):
    if st.button("← 返回检索结果"):
        ss["reader"] = None
        st.rerun()
    try:
        show_reader(engine, engine.passage(int(ss["reader"])))
    except StudyKBError as exc:
        st.error(f"无法打开该段落：{exc}")
    st.stop()

query = st.text_input(
    "检索", key="q", placeholder="输入关键词、短语或问题，回车检索；用引号 \"…\" 查找原文表述",
    label_visibility="collapsed", on_change=lambda: ss.update(shown=PAGE_SIZE, similar=None),
)

if not query.strip():
    st.markdown("输入关键词或问题开始检索，支持简体、繁体和英文。可以试试：")
    cols = st.columns(4)
    for i, example in enumerate(_examples()):
        cols[i % 4].button(example, key=f"ex-{i}", on_click=_suggest, args=(example,))
    st.stop()

try:
    result = engine.search(query, k=ss["shown"], filters=filters)
except StudyKBError as exc:
    st.error(str(exc))
    st.stop()

mode = "原文匹配" if result.exact else "综合检索"
st.caption(f"{mode}：找到 {result.total} 个段落（{result.seconds * 1000:.0f} 毫秒）")
for note in result.notes:
    st.caption(f":orange[{note}]")
if not result.hits:
    st.info("没有找到相关段落。可以换个说法、去掉筛选条件，或去掉引号进行综合检索。")

for rank, hit in enumerate(result.hits, start=1):
    hit_card(hit, rank, on_read=_read, on_similar=_similar)
    if ss.get("similar") == hit.chunk_id:
        similar = engine.more_like_this(hit.chunk_id, k=5)
        with st.expander("相似段落（其他文档）", expanded=True):
            if not similar:
                st.caption("其他文档中没有相似段落。")
            for j, sim in enumerate(similar, start=1):
                hit_card(sim, j, on_read=_read, on_similar=None)

if result.total > len(result.hits):
    st.button("显示更多结果", on_click=lambda: ss.update(shown=ss["shown"] + PAGE_SIZE))
