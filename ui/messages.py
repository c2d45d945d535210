"""Chinese messages for the errors a user can meet, chosen by the error's class (never by its English text).

The English detail of a StudyKBError is for logs and maintainers; readers get what happened and what to do.
"""

from __future__ import annotations

from collections.abc import Mapping

from activity.csvfile import RowsInvalid
from search.query import MAX_QUERY_CHARS
from sites import Site
from studykb.errors import (
    ConfigError,
    ConflictError,
    CorpusRootError,
    DatabaseUnavailableError,
    DateRangeError,
    ExtractionError,
    FilterError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    LockedError,
    NotFoundError,
    OriginalUnavailableError,
    PermissionDenied,
    QueryError,
    SessionExpired,
    StorageError,
    StudyKBError,
    TooManyAttempts,
    UnknownCategoryError,
    ValidationError,
    WeakPasswordError,
)
from studykb.pg import UNAVAILABLE_ZH  # the one wording of a database outage

__all__ = [
    "INDEX_DAMAGED", "INDEX_MISSING", "INDEX_UNAVAILABLE", "approximate_note", "distance_zh", "error_text",
    "file_problem", "filter_problem", "query_problem", "site_field_problem", "zh_error",
]

#: What a visitor is told when the index cannot be opened: never the server's paths or a traceback
#: (the maintainer finds the details with `studykb status` and in the server log).
INDEX_DAMAGED = ("资料库索引已损坏，暂时无法检索。请联系维护人员运行 `studykb status` 查看原因，"
                 "并用 `studykb ingest` 重建索引。")
INDEX_MISSING = "还没有可检索的索引：资料库尚未导入任何资料。"
INDEX_UNAVAILABLE = "资料库索引暂时无法打开，请稍后再试或联系维护人员。"

_BY_KIND: tuple[tuple[type[StudyKBError], str], ...] = (
    (ConflictError, "此内容刚被其他人修改过，您的操作没有保存。页面已显示最新内容，请确认后重新操作。"),
    (SessionExpired, "您的账号已被管理员更改或删除，登录已失效，操作没有保存。请重新登录。"),
    (TooManyAttempts, "登录尝试过多，请 15 分钟后再试。"),
    (PermissionDenied, "没有权限执行此操作：需要组织员（或管理员）账号，请登录后再试。"),
    (NotFoundError, "所操作的内容已不存在（可能已被删除），没有保存。请刷新页面。"),
    (ValidationError, "输入有误或所操作的内容已不存在，没有保存。请刷新页面后检查再试。"),
    (IndexMissingError, INDEX_MISSING),
    (IndexMismatchError, "索引与当前模型不一致：请维护人员重建索引（studykb ingest … --rebuild）。"),
    (IndexCorruptError, INDEX_DAMAGED),
    (LockedError, "资料库正在更新，请稍后再试。"),
    (DatabaseUnavailableError, UNAVAILABLE_ZH + "。"),
    (StorageError, "资料库目前无法写入（只读或磁盘已满），操作没有保存。请联系维护人员。"),
    (OriginalUnavailableError, "原文件已移走或已被改动，暂时无法打开：请维护人员重新导入该文件。"),
    (QueryError, "检索词无法使用：请输入关键词、短语或问题。"),
    (ExtractionError, "原文件无法读取：请维护人员检查该文件。"),
    (WeakPasswordError, "密码太简单或太常见，请换一个更长、更难猜的密码。"),
    (CorpusRootError, "所给路径不在资料目录之内：请联系维护人员检查导入设置。"),
    (ConfigError, "设置有误：请联系维护人员检查 studykb.toml。"),
)


def error_text(exc: StudyKBError) -> str:
    """What to tell a user about `exc`, in Chinese, by its kind."""
    if isinstance(exc, FilterError):
        return filter_problem(exc)
    for kind, text in _BY_KIND:
        if isinstance(exc, kind):
            return text
    return "操作没有完成，请稍后重试；如果一再出现，请告知维护人员。"


def file_problem(exc: StudyKBError, name: str) -> str:
    """What to tell an organiser whose uploaded file `name` was refused: the kind in Chinese, then the
    validator's own words, which name the file, the line or the field to fix."""
    if isinstance(exc, ValidationError):
        detail = str(exc).replace("`", "'")  # shown verbatim in a code block: no Markdown inside
        return (f"文件“{name}”有误，没有导入任何内容。请按下面指出的位置修改后重新导入：\n"
                f"```text\n{detail}\n```")
    return f"文件“{name}”没有导入：{error_text(exc)}"


def filter_problem(exc: FilterError) -> str:
    """A Chinese explanation of filters that can match nothing (mapped from the error's kind)."""
    if isinstance(exc, UnknownCategoryError):
        return f"没有“{exc.value}”这个类别。可选类别：{'、'.join(exc.valid)}。"
    if isinstance(exc, DateRangeError):
        return f"日期范围颠倒了：开始日期 {exc.date_from} 晚于结束日期 {exc.date_to}，请调换后再试。"
    return "筛选条件有误，请清除筛选后再试。"


def query_problem(query: str) -> str:
    """Why `query` (refused by the engine with a QueryError) cannot be run, judged from the query itself."""
    text = query.strip()
    if not text:
        return "请输入关键词、短语或问题。"
    if len(text) > MAX_QUERY_CHARS:
        return f"检索词太长了（{len(text)} 个字，最多 {MAX_QUERY_CHARS} 个字），请缩短后再试。"
    return "检索词里没有可检索的字词（只有标点或常用虚词），请输入关键词、短语或问题。"


def zh_error(
    exc: StudyKBError, fields: Mapping[str, str], *, scope: str, conflict: str, other: str
) -> str:
    """A refusal of the activity stores: for RowsInvalid the message of each bad field (from `fields`),
    else the message for a scope refusal, a conflict, or any other refusal."""
    if isinstance(exc, RowsInvalid):
        return "；".join(dict.fromkeys(fields.get(p.field, "输入有误") for p in exc.problems)) + "。"
    if isinstance(exc, PermissionDenied):
        return scope
    if isinstance(exc, ConflictError):
        return conflict
    return other


def distance_zh(metres: int) -> str:
    """A distance for people: `300 米` below 1 km, else kilometres to one decimal (`3 公里`, `1.5 公里`)."""
    if metres < 1000:
        return f"{metres} 米"
    km = round(metres / 100) / 10
    return f"{km:g} 公里"


def approximate_note(site: Site) -> str | None:
    """A site detail's note for an estimated position (stated error above 200 m), or None."""
    if not site.approximate or site.coord_accuracy_m is None:
        return None
    return f"地图位置为估计值，误差约 ±{distance_zh(site.coord_accuracy_m)}，出行请以地址为准。"


#: Chinese glosses of the site loader's findings, by a word of the finding.
_SITE_GLOSSES = (
    ("required value is missing", "必填"), ("not a number", "不是数字"),
    ("outside China", "不在中国范围内"), ("is outside", "不在所选省份范围内"),
    ("unknown", "不在可选范围内"), ("http", "只接受 http:// 或 https:// 网址"),
    ("slug", "只能用小写字母、数字和连字符"), ("duplicate", "编号重复"),
    ("whole number of metres", "须为 1–50000 之间的整数（米），不知道可留空"),
)


def site_field_problem(reason: str) -> str:
    """A Chinese gloss of a site loader finding about one field (the English detail kept for specifics)."""
    for needle, gloss in _SITE_GLOSSES:
        if needle in reason:
            return f"{gloss}（{reason}）"
    return reason
