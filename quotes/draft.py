"""Reading a draft to check: pasted text or a TXT/Markdown/DOCX file, with its size limits."""

from __future__ import annotations

import tempfile
from pathlib import Path

from studykb.errors import ExtractionError, QueryError

__all__ = ["DRAFT_SUFFIXES", "MAX_DRAFT_BYTES", "MAX_DRAFT_CHARS", "check_text", "read_draft", "read_upload"]

#: A draft is a speech, a report or a set of slides: 200,000 characters is a long book chapter.
MAX_DRAFT_CHARS = 200_000
#: Files above this size are refused before they are read (a DOCX with images can be a few MB).
MAX_DRAFT_BYTES = 20 * 1024 * 1024
DRAFT_SUFFIXES = (".txt", ".md", ".markdown", ".docx")


def check_text(text: str) -> str:
    """Return `text` if it can be checked; raise QueryError (in Chinese) if empty or too long."""
    if not text or not text.strip():
        raise QueryError("文稿是空的：请粘贴或上传要核对的文字。")
    if len(text) > MAX_DRAFT_CHARS:
        raise QueryError(
            f"文稿太长（{len(text):,} 字，最多 {MAX_DRAFT_CHARS:,} 字）：请分成几部分分别核对。"
        )
    return text


def read_draft(path: Path) -> str:
    """The text of a TXT, Markdown or DOCX draft; ExtractionError (in Chinese, naming the file) if not.

    Example: read_draft(Path("党课讲稿.docx"))
    """
    path = Path(path)
    if path.suffix.lower() not in DRAFT_SUFFIXES:
        suffix = path.suffix or "（无扩展名）"
        raise ExtractionError(path, f"不支持的文稿格式 {suffix}：请使用 .txt、.md 或 .docx 文件")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError(path, f"无法打开文件（{exc.strerror or exc}）") from None
    if size > MAX_DRAFT_BYTES:
        limit = MAX_DRAFT_BYTES // 1048576
        raise ExtractionError(path, f"文件太大（{size / 1048576:.1f} MB，最多 {limit} MB）")
    from ingest.extract import extract

    try:
        text = extract(path).text
    except ExtractionError as exc:
        if exc.reason in ("empty file", "no text found"):
            raise ExtractionError(path, "文稿是空的，没有可核对的文字") from None
        kind = "Word 文档（.docx）" if path.suffix.lower() == ".docx" else "文本文件"
        raise ExtractionError(path, f"不是有效的{kind}，或文件已损坏（{exc.reason}）") from None
    try:
        return check_text(text)
    except QueryError as exc:
        raise ExtractionError(path, str(exc)) from None


def read_upload(name: str, data: bytes) -> str:
    """`read_draft` for an uploaded file's name and bytes (written to a private temporary folder)."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="studykb-draft-") as tmp:
        path = Path(tmp) / f"draft{suffix}"
        path.write_bytes(data)
        try:
            return read_draft(path)
        except ExtractionError as exc:
            raise ExtractionError(name, exc.reason) from None
