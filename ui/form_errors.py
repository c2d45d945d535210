"""Refusals of the activity stores as Chinese messages, by error kind (never by English text)."""

from __future__ import annotations

from collections.abc import Mapping

from activity.csvfile import RowsInvalid
from studykb.errors import ConflictError, PermissionDenied, StudyKBError

__all__ = ["zh_error"]


def zh_error(
    exc: StudyKBError, fields: Mapping[str, str], *, scope: str, conflict: str, other: str
) -> str:
    """What to fix: for RowsInvalid the message of each bad field (from `fields`), else the message
    for a scope refusal, a conflict, or any other refusal."""
    if isinstance(exc, RowsInvalid):
        return "；".join(dict.fromkeys(fields.get(p.field, "输入有误") for p in exc.problems)) + "。"
    if isinstance(exc, PermissionDenied):
        return scope
    if isinstance(exc, ConflictError):
        return conflict
    return other
