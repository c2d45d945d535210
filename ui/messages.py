"""Chinese messages for the errors a user can meet, chosen by the error's class (never by its English text).

The English detail of a StudyKBError is for logs and maintainers; readers get what happened and what to do.
"""

from __future__ import annotations

from search.query import MAX_QUERY_CHARS
from studykb.errors import (
    ConfigError,
    ConflictError,
    ExtractionError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    LockedError,
    PermissionDenied,
    QueryError,
    StudyKBError,
    ValidationError,
)

__all__ = ["error_text", "query_problem"]

_BY_KIND: tuple[tuple[type[StudyKBError], str], ...] = (
    (ConflictError, "此内容刚被其他人修改过，您的操作没有保存。页面已显示最新内容，请确认后重新操作。"),
    (PermissionDenied, "没有权限执行此操作：需要组织员（或管理员）账号，请登录后再试。"),
    (ValidationError, "输入有误或所操作的内容已不存在，没有保存。请刷新页面后检查再试。"),
    (IndexMissingError, "资料库尚未建立索引：请维护人员先导入资料。"),
    (IndexMismatchError, "索引与当前模型不一致：请维护人员重建索引（studykb ingest … --rebuild）。"),
    (IndexCorruptError, "索引文件损坏：请维护人员运行 studykb verify 检查。"),
    (LockedError, "资料库正在更新，请稍后再试。"),
    (QueryError, "检索词无法使用：请输入关键词、短语或问题。"),
    (ExtractionError, "原文件无法读取：请维护人员检查该文件。"),
    (ConfigError, "设置有误：请联系维护人员检查 studykb.toml。"),
)


def error_text(exc: StudyKBError) -> str:
    """What to tell a user about `exc`, in Chinese, by its kind."""
    for kind, text in _BY_KIND:
        if isinstance(exc, kind):
            return text
    return "操作没有完成，请稍后重试；如果一再出现，请告知维护人员。"


def query_problem(query: str) -> str:
    """Why `query` (refused by the engine with a QueryError) cannot be run, judged from the query itself."""
    text = query.strip()
    if not text:
        return "请输入关键词、短语或问题。"
    if len(text) > MAX_QUERY_CHARS:
        return f"检索词太长了（{len(text)} 个字，最多 {MAX_QUERY_CHARS} 个字），请缩短后再试。"
    return "检索词里没有可检索的字词（只有标点或常用虚词），请输入关键词、短语或问题。"
