"""维护 — the maintainer's page: index status, model and versions, the last ingest run, the fallback warning.

Members never see these details (their cards and sidebar show only what a reader needs); the page joins
the navigation for maintainers only, and refuses anyone else who opens its address.
"""

from __future__ import annotations

import streamlit as st

from search.highlight import escape_markdown as md
from search.status import index_status
from studykb.auth import can
from studykb.errors import IndexMissingError
from ui import state
from ui.auth import require_login_if_configured
from ui.phone import page_title
from ui.render import local_time

#: Outcomes of an ingest run (ingest.pipeline) and of its files (ingest.report.STATUSES), in Chinese.
_STATUS = {"published": "已发布新索引", "noop": "无变化", "empty": "没有可导入的文件"}
_SUMMARY = {"added": "新增", "changed": "更新", "updated": "更新", "unchanged": "未变", "removed": "移除",
            "failed": "失败", "skipped": "跳过"}


def _mib(size: object) -> str:
    return f"{int(size) / 2**20:.1f} MB" if isinstance(size, int) else "—"


def main() -> None:
    """Draw the page for maintainers; a polite refusal for everyone else."""
    user = require_login_if_configured()
    page_title("维护")
    if not can(user, "maintainer"):
        st.info("本页面向资料库管理员：请以管理员账号登录。", icon=":material/lock:")
        return
    try:
        info = index_status(state.data_dir())
    except IndexMissingError:
        st.warning("还没有已发布的索引。请运行 `studykb ingest corpus --data-dir …` 导入资料。")
        return
    model = str(info["model"])
    if "fallback" in model:
        st.warning("当前为离线英文备用模型：中文检索主要依靠关键词匹配，语义匹配较弱。"
                   "可下载 BAAI/bge-small-zh-v1.5 后用 `studykb ingest … --rebuild` 重建索引。",
                   icon=":material/warning:")
    c1, c2, c3 = st.columns(3)
    c1.metric("文档", info["documents"])
    c2.metric("段落", info["passages"])
    c3.metric("索引与数据库", f"{_mib(info['index_bytes'])} / {_mib(info['database_bytes'])}")
    st.markdown(
        f"- **模型**：{md(model.replace(' (offline English-only fallback)', '（离线英文备用模型）'))}"
        f"（{info['dimensions']} 维）\n"
        + (f"- **模型选用原因**：{md(str(info['model_reason']))}\n" if info.get("model_reason") else "")
        + f"- **索引版本**：{md(str(info['version']))}（{md(str(info['index_type']))}），"
        f"建于 {local_time(info['built_at'])}\n"
        f"- **数据目录**：{md(str(info['data_dir']))}\n"
        "- **匹配方式**：关键词（BM25）+ 语义（向量检索），加权融合；带引号的检索只做原文精确匹配"
    )
    run = info.get("last_run")
    st.subheader("最近一次导入", anchor=False)
    if not run:
        st.caption("没有导入记录。")
        return
    st.markdown(f"{local_time(run['finished_at'])} · {_STATUS.get(run['status'], md(str(run['status'])))}")
    summary = run.get("summary") or {}
    if summary:
        st.dataframe([{"项目": _SUMMARY.get(k, k), "数量": v} for k, v in summary.items()], hide_index=True)
    st.caption("导入失败的文件及原因见 `studykb ingest … --json` 的报告；`studykb verify` 检查索引一致性。")


main()
