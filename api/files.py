"""The original file of an indexed document, served only when it is provably the ingested file.

The check itself is `search.original.read_original` (inside the corpus root, same size and SHA-256 as
at ingestion), shared with the web app's reader; this module maps its verdict to HTTP.
"""

from __future__ import annotations

from urllib.parse import quote

from search.original import read_original
from search.records import DocumentInfo
from studykb.errors import OriginalUnavailableError

from .errors import ApiError

__all__ = ["MEDIA_TYPES", "content_disposition", "verified_original"]

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def verified_original(doc: DocumentInfo) -> bytes:
    """The bytes of `doc`'s original file, verified by `read_original`.

    Raises ApiError 404 when the file is gone, unreadable or leads outside the root, 409 when it changed.
    """
    try:
        return read_original(doc)
    except OriginalUnavailableError as exc:
        if exc.changed:
            raise ApiError(
                409,
                "file_changed",
                "原文件在入库后已被修改，与检索结果不再一致：请重新入库后再下载。",
                str(exc),
            ) from None
        raise ApiError(404, "file_missing", "原文件已不在原位置或不可用，无法下载。", str(exc)) from None


def content_disposition(name: str) -> str:
    """An attachment header for a file name in any script (RFC 6266 / 5987: an ASCII fallback and UTF-8)."""
    fallback = name.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
