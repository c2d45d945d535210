"""检索 — the search page: query, sidebar filters, result cards, reader, similar passages, paging."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from search.engine import MIN_DEPTH, Engine
from search.query import MAX_QUERY_CHARS, Filters
from search.records import DocumentInfo, Hit
from studykb.errors import FilterError, IndexMissingError, QueryError, StudyKBError
from ui import state
from ui.auth import current_user, require_login_if_configured
from ui.examples import example_queries
from ui.filters import filter_controls, filter_problem, summary
from ui.reader import show_reader
from ui.render import hit_card, md

try:  # reading-list curation joins the result cards when that feature is installed
    from ui.curate import add_controls
except ModuleNotFoundError:
    add_controls = None  # type: ignore[assignment]

PAGE_SIZE = 10
PLACEHOLDER = "输入关键词、短语或问题（中文或英文均可，可跨语言检索），按回车；用引号“…”查找原文表述"
NOTHING_RELEVANT = "未找到高度相关的内容"
WEAK_DIVIDER = "以下结果相关度较低"
#: Engine notes already shown in the sidebar status (the English-only all-MiniLM-L6-v2).
_SIDEBAR_NOTES = ("the embedding model is the English-only",)
ss = st.session_state
ss.setdefault("shown", PAGE_SIZE)
ss.setdefault("query", "")
# The query box is not drawn while the reader is open, and Streamlit forgets an undrawn widget's value:
# "query" keeps it, so that "返回检索结果" comes back to the same query and results.
if "q" not in ss:
    ss["q"] = ss["query"]


def _no_index() -> None:
    st.title("学习资料检索", anchor=False)
    st.warning("还没有可检索的索引：资料库尚未导入任何资料。", icon=":material/inventory_2:")
    st.markdown("请维护人员把资料放进一个文件夹（例如 `corpus/`），运行下面的命令导入，完成后刷新本页：")
    st.code(f"studykb ingest corpus --data-dir {state.data_dir()}", language="bash")
    st.caption(f"数据目录：{md(str(state.data_dir()))}"
               "（由 `studykb serve --data-dir` 或环境变量 `STUDYKB_DATA_DIR` 指定）")


def _built_at(stamp: str | None) -> str:
    """The build time in the server's local time, to the minute ("2024-09-10 14:05")."""
    if not stamp:
        return "未知"
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return md(stamp)


def _status(engine: Engine) -> None:
    """The index status line: documents, passages, model (and the fallback note), build time."""
    info = engine.status()
    model = info["model"].split("/")[-1]
    box = st.container()
    box.caption(
        f"资料库：{info['documents']} 份文档 · {info['passages']} 个段落  \n"
        f"模型：{md(model)}  \n索引 {md(info['version'])} · 更新于 {_built_at(info['built_at'])}"
    )
    user = current_user()
    if info.get("model_reason") and user is not None and user.role == "maintainer":
        box.caption(f"模型选用原因：{md(info['model_reason'])}")
    if info["model_fallback"]:
        box.caption(":orange[:material/warning: 当前模型只懂英文：中文检索主要依靠关键词匹配，"
                    "语义匹配较弱。]")


def _read(hit: Hit) -> None:
    ss["reader"] = hit.chunk_id


def _similar(hit: Hit) -> None:
    ss["similar"] = None if ss.get("similar") == hit.chunk_id else hit.chunk_id


def _search_for(query: str) -> None:
    ss["q"] = ss["query"] = query
    ss.update(shown=PAGE_SIZE, similar=None)


def _submitted() -> None:
    ss["query"] = ss["q"]
    ss.update(shown=PAGE_SIZE, similar=None)


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
            st.error(f"无法查找相似段落：{md(str(exc))}")
            return
        if not found:
            st.caption("其他文档中没有相似段落。")
        for j, sim in enumerate(found, start=1):
            hit_card(sim, j, on_read=_read, on_similar=None, key="sim-")


def _query_problem(detail: str) -> str:
    """A Chinese explanation of why a query cannot be run (the engine's message says it in English)."""
    if "no searchable words" in detail:
        return "检索词里没有可检索的字词（只有标点或常用虚词），请输入关键词、短语或问题。"
    if "too long" in detail:
        return f"检索词太长了（最多 {MAX_QUERY_CHARS} 个字），请缩短后再试。"
    return f"无法检索：{md(detail)}"


def _results(engine: Engine, query: str, filters: Filters, docs: list[DocumentInfo]) -> None:
    try:
        result = state.search(query, ss["shown"], filters)
    except FilterError as exc:
        st.warning(md(filter_problem(exc)), icon=":material/filter_alt:")
        return
    except QueryError as exc:
        st.warning(_query_problem(str(exc)), icon=":material/edit:")
        return
    except StudyKBError as exc:
        st.error(f"检索出错：{md(str(exc))}")
        return
    mode = "原文精确匹配" if result.exact else "综合检索"
    capped = result.relevant >= max(MIN_DEPTH, 3 * ss["shown"])  # the engine looks this deep, no deeper
    total = f"{result.relevant} 个以上" if capped else f"{result.relevant} 个"
    took = f"{result.seconds * 1000:.0f} 毫秒" if result.seconds < 1 else f"{result.seconds:.1f} 秒"
    line = f"{mode} · 找到 {total}相关段落 · 用时 {took}"
    scope = summary(filters, docs)
    st.caption(line + (f"  \n筛选：{md(scope)}" if scope else ""))
    for note in result.notes:
        if not note.startswith(_SIDEBAR_NOTES):
            st.caption(f":orange[{md(note)}]")
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
        st.error(f"无法打开该段落：{md(str(exc))}")


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
        st.title("学习资料检索", anchor=False)
        st.error(state.index_error_text(exc), icon=":material/error:")
        return
    docs = engine.documents()
    with filter_box:
        filters = filter_controls(docs)
    with status_box:
        st.divider()
        _status(engine)
    if ss.get("reader"):
        _reader(engine)
        return
    st.title("学习资料检索", anchor=False)
    st.caption(f"在 {len(docs)} 份学习资料中检索原文：讲话、汇编、辅导读物、党课等，可直接阅读出处")
    st.text_input("检索", key="q", on_change=_submitted, label_visibility="collapsed",
                  icon=":material/search:", placeholder=PLACEHOLDER)
    query = ss["query"] = ss["q"]
    if query.strip():
        _results(engine, query, filters, docs)
    else:
        _empty_state(engine, docs)


main()
