"""The document categories of the library: what catalogs may say (ingest) and filters may ask (search)."""

from __future__ import annotations

__all__ = ["CATEGORIES"]

#: Valid document categories.
CATEGORIES = ("讲话", "汇编", "文件", "摘编", "辅导读物", "总结", "词汇", "场馆介绍", "计划", "党课", "其他")
