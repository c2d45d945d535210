"""原文核对 — paste or upload a draft; every quotation is checked against the library."""

from __future__ import annotations

import json

import streamlit as st

from quotes import DraftReport, QuoteChecker, Verdict, read_upload, to_docx
from quotes.draft import MAX_DRAFT_CHARS
from quotes.export import LABELS, describe_diff
from studykb.errors import ExtractionError, IndexMissingError, QueryError, StudyKBError
from ui import state
from ui.auth import require_login_if_configured
from ui.messages import INDEX_MISSING, error_text
from ui.phone import page_title
from ui.reader import show_reader
from ui.render import md

_BADGE = {"exact": "green", "near": "orange", "not_found": "red", "term": "gray"}
ss = st.session_state


@st.cache_resource(show_spinner=False)
def _checker(path: str) -> QuoteChecker:
    return QuoteChecker(state.engine())


def _marked_source(v: Verdict) -> str:
    """The source verbatim, the words that differ from the draft on an amber background."""
    out = []
    for d in v.diff:
        if d.op == "equal":
            out.append(md(d.source))
        elif d.source:
            out.append(f":orange-background[{md(d.source)}]")
    return "".join(out)


def _card(n: int, v: Verdict) -> None:
    with st.container(border=True):
        st.markdown(f"**[{n}]** :{_BADGE[v.status]}-badge[{LABELS[v.status]}]　“{md(v.quotation.text)}”")
        if v.status == "term":
            st.caption("较短的术语或提法，不作为句子核对。")
            return
        if v.source is None:
            st.markdown(":red[资料库中没有找到足够相近的原文。请核实出处，或改为不加引号的转述。]")
            return
        src = v.source
        st.caption(f"出处：{md(src.citation)}")
        if v.status == "near":
            left, right = st.columns(2)
            left.markdown("**文稿**  \n" + md(v.quotation.text))
            right.markdown("**原文**  \n" + _marked_source(v))
            st.markdown(f":orange[差异：{md(describe_diff(v.diff))}]")
        if src.also_in:  # documents by title, as on the search cards (file names are for maintainers)
            titles = {d.path: d.title for d in state.engine().documents()}
            st.caption("另见于：" + "、".join(f"《{md(titles.get(p, p))}》" for p in src.also_in))
        st.markdown(f"[在阅读器中打开原文]({src.link})")


def _report(report: DraftReport) -> None:
    c = report.counts
    cols = st.columns(4)
    for col, status in zip(cols, ("exact", "near", "not_found", "term"), strict=True):
        col.metric(LABELS[status], c[status])
    took = f"{report.seconds * 1000:.0f} 毫秒"
    st.caption(f"共 {len(report.text):,} 字，{len(report.verdicts)} 处引文，用时 {took}")
    row = st.container(horizontal=True)
    row.download_button("下载核对稿（Word）", to_docx(report), file_name="原文核对.docx",
                        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        icon=":material/download:")
    row.download_button("下载结果（JSON）", json.dumps(report.to_json(), ensure_ascii=False, indent=1),
                        file_name="原文核对.json", mime="application/json", icon=":material/data_object:")
    if not report.verdicts:
        st.info("文稿里没有找到引文：引号（“…”「…」）中的文字和“指出：”“强调：”后的句子会被核对。")
    for n, v in enumerate(report.verdicts, start=1):
        _card(n, v)


def _check(text: str, upload: object) -> None:
    try:
        if upload is not None:
            text = read_upload(upload.name, upload.getvalue())  # type: ignore[attr-defined]
        ss["quotes_report"] = _checker(str(state.data_dir())).check(text)
        ss.pop("quotes_error", None)
    except (QueryError, ExtractionError) as exc:
        ss["quotes_error"] = str(exc)
        ss.pop("quotes_report", None)


def _reader(passage: str) -> None:
    if st.button("返回核对结果", icon=":material/arrow_back:", type="tertiary"):
        st.query_params.clear()
        st.rerun()
    try:
        engine = state.engine()
        show_reader(engine, engine.passage(int(passage)))
    except StudyKBError as exc:
        st.error(f"无法打开该段落：{error_text(exc)}")
    except ValueError:  # ?passage= that is not a number
        st.error("无法打开该段落：链接中的段落编号无效。")


def main() -> None:
    """Draw the page: the reader when a passage link was followed, else the draft form and the report."""
    require_login_if_configured()
    try:
        state.engine()
    except IndexMissingError:
        page_title("原文核对")
        st.warning(INDEX_MISSING, icon=":material/inventory_2:")
        return
    passage = st.query_params.get("passage")
    if passage:
        _reader(passage)
        return
    page_title("原文核对")
    st.caption("粘贴讲话稿、学习笔记或党课稿，逐条核对其中的引文是否与资料库中的原文一致；文稿不会被保存。")
    with st.form("draft-form", border=False):
        text = st.text_area("文稿", height=220, max_chars=MAX_DRAFT_CHARS, key="draft",
                            placeholder="粘贴文稿：引号“…”「…」中的文字，以及“指出：”“强调：”“要求：”之后的句子会被核对")
        upload = st.file_uploader("或上传文稿（TXT、Markdown、Word）", type=["txt", "md", "markdown", "docx"])
        submitted = st.form_submit_button("核对引文", type="primary", icon=":material/fact_check:")
    if submitted:
        _check(text, upload)
    if ss.get("quotes_error"):
        st.error(md(ss["quotes_error"]), icon=":material/error:")
    elif ss.get("quotes_report") is not None:
        _report(ss["quotes_report"])


main()
