"""Every failure as JSON `{"error": {"code", "message", "detail"}}` with a Chinese message and the right
status; never a stack trace.

The error *class* decides the status and code (callers never parse messages); `message` is the Chinese
sentence for people, `detail` the specific English reason the library gave (field, id, limit).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from studykb.errors import (
    ConfigError,
    ConflictError,
    DatabaseUnavailableError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    NotFoundError,
    PermissionDenied,
    QueryError,
    StorageError,
    StudyKBError,
    ValidationError,
)
from studykb.pg import UNAVAILABLE_ZH

__all__ = ["ApiError", "error_body", "error_response", "install_handlers"]

log = logging.getLogger("studykb.api")

#: studykb error class → (HTTP status, code, Chinese message); the first matching class wins.
_LIBRARY_ERRORS: tuple[tuple[type[StudyKBError], int, str, str], ...] = (
    (NotFoundError, 404, "not_found", "未找到所请求的记录（可能已被删除）。"),
    (ConflictError, 409, "conflict", "该记录已被他人修改，本次操作未保存：请重新读取后再试。"),
    (PermissionDenied, 403, "forbidden", "此 API 密钥没有执行该操作的权限。"),
    (QueryError, 400, "bad_query", "检索请求无效。"),
    (ConfigError, 400, "bad_request", "请求参数无效。"),
    (ValidationError, 422, "invalid", "提交的内容不合法。"),
    (IndexMissingError, 503, "index_missing", "资料库尚未建立索引：请先运行 studykb ingest。"),
    (IndexMismatchError, 503, "index_unavailable", "索引暂不可用：请联系管理员。"),
    (IndexCorruptError, 503, "index_unavailable", "索引暂不可用：请联系管理员。"),
    (DatabaseUnavailableError, 503, "database_unavailable", UNAVAILABLE_ZH + "。"),
)

_HTTP_CODES = {
    401: ("unauthorized", "需要有效的 API 密钥。"),
    403: ("forbidden", "没有执行该操作的权限。"),
    404: ("not_found", "没有这个地址。"),
    405: ("method_not_allowed", "该地址不支持此请求方法。"),
    413: ("too_large", "请求内容过大。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
}

_PARAM_REASONS = {
    "missing": "缺少此参数",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "float_parsing": "必须是数字",
    "bool_parsing": "必须是 true 或 false",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "string_type": "必须是文本",
    "list_type": "必须是列表",
    "literal_error": "必须是 {expected} 之一",
    "enum": "必须是 {expected} 之一",
    "json_invalid": "不是合法的 JSON",
    "model_attributes_type": "必须是 JSON 对象",
    "dict_type": "必须是 JSON 对象",
    "extra_forbidden": "不认识的字段",
}


class ApiError(Exception):
    """An error raised by the API layer itself (missing key, rate limit, unavailable file …)."""

    def __init__(
        self, status: int, code: str, message: str, detail: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail or message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers or {}


def error_body(code: str, message: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    """The JSON error document."""
    error: dict[str, Any] = {"code": code, "message": message}
    if detail:
        error["detail"] = detail
    error.update(extra)
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    detail: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A JSONResponse carrying `error_body`; the code is also exposed for the metrics."""
    response = JSONResponse(error_body(code, message, detail, **extra), status_code=status, headers=headers)
    response.headers["X-Error-Code"] = code
    return response


def library_error(exc: StudyKBError) -> tuple[int, str, str]:
    """(status, code, Chinese message) of a studykb error."""
    for cls, status, code, message in _LIBRARY_ERRORS:
        if isinstance(exc, cls):
            return status, code, message
    return 400, "error", "请求无法完成。"


def _param_message(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """A Chinese sentence naming each bad parameter, and the same as a list of {field, reason}."""
    fields: list[dict[str, str]] = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body", "header")]
        name = ".".join(loc) or "请求体"
        template = _PARAM_REASONS.get(str(err.get("type")), "取值无效")
        try:
            reason = template.format(**(err.get("ctx") or {}))
        except (KeyError, IndexError):
            reason = "取值无效"
        fields.append({"field": name, "reason": reason})
    text = "；".join(f"{f['field']}：{f['reason']}" for f in fields)
    return f"参数不合法——{text}。", fields


def install_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the JSON error document."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.detail, exc.headers)

    @app.exception_handler(StudyKBError)
    async def _library(request: Request, exc: StudyKBError) -> JSONResponse:
        status, code, message = library_error(exc)
        if isinstance(exc, (IndexCorruptError, StorageError, DatabaseUnavailableError)):
            # names server paths or the database host: the log has it
            log.error("%s", exc)
            return error_response(status, code, message)
        return error_response(status, code, message, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _params(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, fields = _param_message(list(exc.errors()))
        return error_response(422, "invalid_parameter", message, fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("error", "请求无法完成。"))
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal", "服务器内部错误，请稍后再试；问题已记录在服务器日志中。")
