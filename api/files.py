"""The original file of an indexed document, served only when it is provably the ingested file.

MERGE: another branch adds a shared "is this still the ingested file" check in ingest/ or search/;
`verified_original` is the one place to swap for it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from search.records import DocumentInfo
from studykb.digest import file_sha256

from .errors import ApiError

__all__ = ["MEDIA_TYPES", "verified_original"]

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def verified_original(conn: sqlite3.Connection, doc: DocumentInfo) -> Path:
    """The path of `doc`'s original file, after checking that it resolves (symlinks followed) inside the
    corpus root it was ingested from and that its SHA-256 equals the ingested one.

    Raises ApiError 404 when the file is gone or lies outside the root, 409 when it changed since.
    """
    root = Path(doc.root).resolve()
    try:
        path = (root / doc.path).resolve(strict=True)
    except (OSError, RuntimeError):
        raise ApiError(
            404, "file_missing", "原文件已不在原位置，无法下载。", f"{doc.path}: not found"
        ) from None
    if not path.is_relative_to(root) or not path.is_file():
        raise ApiError(
            404,
            "file_missing",
            "原文件已不在原位置，无法下载。",
            f"{doc.path}: resolves outside the corpus root",
        ) from None
    row = conn.execute("SELECT content_hash FROM documents WHERE id = ?", (doc.id,)).fetchone()
    if row is None or file_sha256(path) != row["content_hash"]:
        raise ApiError(
            409,
            "file_changed",
            "原文件在入库后已被修改，与检索结果不再一致：请重新入库后再下载。",
            f"{doc.path}: checksum differs from the ingested file",
        )
    return path
