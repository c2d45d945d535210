"""检索 — the search page: query, sidebar filters, result cards, reader, similar passages, paging."""

from __future__ import annotations

import streamlit as st

from search.engine import Engine
from search.query import Filters
from search.records import DocumentInfo, Hit
from studykb.errors import FilterError, IndexMissingError, QueryError, StudyKBError
from ui import state
from ui.auth import require_login_if_configured
from ui.curate import add_controls
from ui.examples import example_queries
from ui.filters import FILTER_KEYS, active_count, filter_controls, filter_problem, summary
from ui.keep import keep
from ui.messages import error_text, query_problem
from ui.phone import menu_button, page_title
from ui.reader import show_reader
from ui.render import hit_card, local_time, md
from ui.url import adopt, publish, whole_number

PAGE_SIZE = 10
PLACEHOLDER = "输入关键词、短语或问题（中文或英文均可，可跨语言检索），按回车；用引号“…”查找原文表述"
NOTHING_RELEVANT = "未找到高度相关的内容"
WEAK_DIVIDER = "以下结果相关度较低"
#: The most results a link may ask for at once (?n=…).
MAX_SHOWN = 100
ss = st.session_state
keep("q", *FILTER_KEYS)
adopt("read", "reader", whole_number)
adopt("n", "shown", lambda t: min(MAX_SHOWN, max(PAGE_SIZE, whole_number(t) or PAGE_SIZE)))
if not ss.get("shown"):
    ss["shown"] = PAGE_SIZE
ss.setdefault("query", "")
# The query box is not drawn while the reader is open, and Streamlit forgets an undrawn widget's value:
# "query" keeps it, so that "返回检索结果" comes back to the same query and results.
if "q" not in ss:
    ss["q"] = ss["query"]


def _no_index() -> None:
    page_title("学习资料检索")
    st.warning("还没有可检索的索引：资料库尚未导入任何资料。", icon=":material/inventory_2:")
    st.markdown("请维护人员把资料放进一个文件夹（例如 `corpus/`），运行下面的命令导入，完成后刷新本页：")
    st.code(f"studykb ingest corpus --data-dir {state.data_dir()}", language="bash")
    st.caption(f"数据目录：{md(str(state.data_dir()))}"
               "（由 `studykb serve --data-dir` 或环境变量 `STUDYKB_DATA_DIR` 指定）")


def _status(engine: Engine) -> None:
    """What the library holds and when it was last updated (model and index details: the 维护 page)."""
    info = engine.status()
    built = local_time(info["built_at"])
    st.caption(f"资料库：{info['documents']} 份文档 · {info['passages']} 个段落 · 更新于 {built}")


def _read(hit: Hit) -> None:
    ss["reader"] = hit.chunk_id


def _similar(hit: Hit) -> None:
    ss["similar"] = None if ss.get("similar") == hit.chunk_id else hit.chunk_id


def _search_for(query: str) -> None:
    ss["q"] = ss["query"] = query
    ss.update(shown=PAGE_SIZE, similar=None)


def _submitted() -> None:
    ss["query"] = ss["q"]
    ss.update(shown=PAGE_SIZE, similar=None, reader=None)


def _empty_state(engine: Engine, docs: list[DocumentInfo]) -> None:
    """What a reader sees before searching: example queries from the corpus and what the library holds."""
    examples = example_queries(engine)
    if examples:
        st.markdown("**试试这些检索：**")
        row = st.container(horizontal=True, gap="small")
        for i, example in enumerate(examples):
            row.button(example, key=f"ex-{i}", on_click=_search_for, args=(example,))
    st.caption("支持简体、繁体和英文；用引号（“…”）查找原文中的确切表述；左侧可按类别、文档、日期和标签筛选。")
    st.markdown(f"**收录资料**（{len(docs)} 份）")
    rows = sorted(docs, key=lambda d: d.date or "", reverse=True)
    st.dataframe(
        {"标题": [d.title for d in rows], "类别": [d.category or "" for d in rows],
         "日期": [d.date or "" for d in rows], "文件": [d.path for d in rows]},
        hide_index=True, width="stretch", height=min(36 * (len(rows) + 1) + 2, 440),
        column_config={"标题": st.column_config.TextColumn(width="large"),
                       "文件": st.column_config.TextColumn(width="medium")},
    )


def _similar_panel(hit: Hit) -> None:
    """Passages like `hit` in other documents, under its card."""
    with st.container(border=True):
        head = st.container(horizontal=True, vertical_alignment="center")
        head.markdown(f"**与第 {ss['ranks'][hit.chunk_id]} 条相似的其他文档段落**", width="content")
        head.button("收起", key=f"sim-close-{hit.chunk_id}", type="tertiary", icon=":material/close:",
                    on_click=ss.update, kwargs={"similar": None})
        try:
            found = state.similar(hit.chunk_id, k=5)
        except StudyKBError as exc:
            st.error(f"无法查找相似段落：{error_text(exc)}")
            return
        if not found:
            st.caption("其他文档中没有相似段落。")
        for j, sim in enumerate(found, start=1):
            hit_card(sim, j, on_read=_read, on_similar=None, key="sim-")


def _results(engine: Engine, query: str, filters: Filters, docs: list[DocumentInfo]) -> None:
    try:
        result = state.search(query, ss["shown"], filters)
    except FilterError as exc:
        st.warning(md(filter_problem(exc)), icon=":material/filter_alt:")
        return
    except QueryError:
        st.warning(query_problem(query), icon=":material/edit:")
        return
    except StudyKBError as exc:
        st.error(f"检索出错：{error_text(exc)}")
        return
    mode = "原文精确匹配" if result.exact else "综合检索"
    total = f"{result.relevant} 个以上" if result.relevant_capped else f"{result.relevant} 个"
    took = f"{result.seconds * 1000:.0f} 毫秒" if result.seconds < 1 else f"{result.seconds:.1f} 秒"
    line = f"{mode} · 找到 {total}相关段落 · 用时 {took}"
    scope = summary(filters, docs)
    st.caption(line + (f"  \n筛选：{md(scope)}" if scope else ""))
    # result.notes speak of the model and the index: they are for maintainers (the 维护 page), not here.
    if not result.hits:
        advice = "换个说法、减少词语" + ("，或去掉引号改为综合检索" if result.exact else "")
        advice += "，或清除左侧的筛选条件" if filters.active else ""
        st.info(f"没有找到相关段落。可以{advice}。", icon=":material/search_off:")
        return
    ss["ranks"] = {hit.chunk_id: rank for rank, hit in enumerate(result.hits, start=1)}
    if result.hits[0].weak:
        st.info(f"{NOTHING_RELEVANT}。可以换个说法或减少词语。", icon=":material/search_off:")
    for rank, hit in enumerate(result.hits, start=1):
        if hit.weak and (rank == 1 or not result.hits[rank - 2].weak):
            st.divider()
            st.caption(WEAK_DIVIDER)
        hit_card(hit, rank, on_read=_read, on_similar=_similar, extra=add_controls)
        if ss.get("similar") == hit.chunk_id:
            _similar_panel(hit)
    if result.total > len(result.hits):
        more = st.container(horizontal=True, horizontal_alignment="center", vertical_alignment="center")
        more.button("显示更多结果", key="more", icon=":material/expand_more:",
                    on_click=lambda: ss.update(shown=ss["shown"] + PAGE_SIZE))
        more.caption(f"已显示 {len(result.hits)} 条", width="content")


def _reader(engine: Engine) -> None:
    st.button("返回检索结果", icon=":material/arrow_back:", key="reader-back", type="tertiary",
              on_click=ss.update, kwargs={"reader": None})
    try:
        show_reader(engine, engine.passage(int(ss["reader"])), ss["query"])
    except StudyKBError as exc:
        st.error(f"无法打开该段落：{error_text(exc)}")


def main() -> None:
    """Draw the page: sidebar (filters, status, login), then the reader or the search."""
    filter_box = st.sidebar.container()
    status_box = st.sidebar.container()
    require_login_if_configured()
    try:
        engine = state.engine()
    except IndexMissingError:
        _no_index()
        return
    except StudyKBError as exc:  # a damaged index: a Chinese line, never a traceback or a server path
        page_title("学习资料检索")
        st.error(state.index_error_text(exc), icon=":material/error:")
        return
    docs = engine.documents()
    with filter_box:
        filters = filter_controls(docs)
    with status_box:
        st.divider()
        _status(engine)
    menu_button("筛选", active_count(filters))
    _page(engine, filters, docs)


@st.fragment
def _page(engine: Engine, filters: Filters, docs: list[DocumentInfo]) -> None:
    """The title, the query box and the results or the reader.

    A fragment: a new query, paging, opening or leaving the reader rerun only this part, so that the
    sidebar (filters, status, login) and the navigation are neither rebuilt on the server nor redrawn
    by the browser (bench/ui_latency.py). A filter change reruns the whole page, which calls this again.
    """
    publish("read", ss.get("reader") or None)
    publish("n", ss["shown"] if ss["shown"] != PAGE_SIZE else None)
    reading = bool(ss.get("reader"))
    if not reading:
        page_title("学习资料检索",
                   f"在 {len(docs)} 份学习资料中检索原文：讲话、汇编、辅导读物、党课等，可直接阅读出处")
    # The box stays on the reader too (a new search closes it): its value and the URL's ?q= never lapse.
    st.text_input("检索", key="q", on_change=_submitted, label_visibility="collapsed",
                  icon=":material/search:", placeholder=PLACEHOLDER, bind="query-params")
    if reading:
        _reader(engine)
        return
    query = ss["query"] = ss["q"]
    if query.strip():
        _results(engine, query, filters, docs)
    else:
        _empty_state(engine, docs)

main()
