"""Document metadata: catalog.toml and sidecar files, validated, with inference as the fallback.

Sources in order of precedence, per field:
1. a sidecar `<file>.meta.toml` next to the document (top-level keys),
2. the `[documents."<relative path>"]` table of `catalog.toml` in the corpus root,
3. inference: the file's own metadata (PDF info, DOCX core properties, HTML <title>, Markdown front
   matter), its first heading, a date such as （2022年10月16日） in its opening text, its file name.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from studykb.categories import CATEGORIES
from studykb.corpus_path import resolve_inside
from studykb.errors import ConfigError

from .records import DocumentMeta, Extracted

__all__ = [
    "CATALOG_NAME",
    "CATEGORIES",
    "MAX_AUTHOR_CHARS",
    "MAX_SOURCE_CHARS",
    "MAX_TAGS",
    "MAX_TAG_CHARS",
    "MAX_TITLE_CHARS",
    "SIDECAR_SUFFIX",
    "Catalog",
    "infer_date",
    "resolve_meta",
]

CATALOG_NAME = "catalog.toml"
SIDECAR_SUFFIX = ".meta.toml"
_FIELDS = {"title", "date", "category", "source", "author", "tags"}
# Length limits of metadata. Every hit carries its document's title, source and tags, so one
# 2,000,000-character title made each search take minutes; real ones are far shorter (the longest
# title of the sample catalog has 114 characters, its longest tag 32).
MAX_TITLE_CHARS = 300
MAX_SOURCE_CHARS = 300
MAX_AUTHOR_CHARS = 200
MAX_TAGS = 50
MAX_TAG_CHARS = 60
_MAX_CHARS = {"title": MAX_TITLE_CHARS, "source": MAX_SOURCE_CHARS, "author": MAX_AUTHOR_CHARS}

_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_DATE_WINDOW = 400  # only look for a date in the opening characters of a document


class Catalog:
    """The validated `catalog.toml` of a corpus root (an empty catalog when the file is absent)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / CATALOG_NAME
        self.entries: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, str] = {}  # invalid entries fail only their own document
        if not self.path.is_file():
            return
        data = _read_toml(self.path, root)
        docs = data.get("documents", {})
        if not isinstance(docs, dict):
            raise ConfigError(f"{self.path}: [documents] must be a table of tables keyed by file path")
        for key, entry in docs.items():
            where = f'{self.path}: [documents."{key}"]'
            rel = key.replace("\\", "/")
            try:
                if not isinstance(entry, dict):
                    raise ConfigError(f"{where} must be a table")
                self.entries[rel] = _validated(entry, where)
            except ConfigError as exc:
                self.errors[rel] = str(exc)

    def lookup(self, rel_path: str) -> dict[str, Any]:
        """The catalog fields for a document path relative to the corpus root ({} when absent).

        Raises ConfigError (naming the file and field) when that document's entry is invalid.
        """
        if rel_path in self.errors:
            raise ConfigError(self.errors[rel_path])
        return dict(self.entries.get(rel_path, {}))


def _read_toml(path: Path, root: Path) -> dict[str, Any]:
    """The TOML at `path`, which must not be a link out of the corpus `root` (its values are shown)."""
    if resolve_inside(root, path) is None:
        raise ConfigError(f"{path}: a symbolic link to a file outside the corpus root: not read")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _validated(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check field names and types; return the cleaned fields. Errors name the file and field."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key not in _FIELDS:
            raise ConfigError(f"{where}: unknown field '{key}' (valid: {', '.join(sorted(_FIELDS))})")
        if key == "tags":
            if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
                raise ConfigError(f"{where}: field 'tags' must be a list of non-empty strings")
            if len(value) > MAX_TAGS:
                raise ConfigError(f"{where}: field 'tags' has {len(value)} tags (at most {MAX_TAGS} tags)")
            long = next((t.strip() for t in value if len(t.strip()) > MAX_TAG_CHARS), None)
            if long is not None:
                raise ConfigError(f"{where}: field 'tags' has a tag of {len(long)} characters starting "
                                  f"{long[:20]!r} (at most {MAX_TAG_CHARS} characters a tag)")
            out[key] = tuple(t.strip() for t in value)
        elif key == "date":
            out[key] = _parse_date(value, f"{where}: field 'date'")
        elif not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: field '{key}' must be a non-empty string")
        elif key == "category" and value.strip() not in CATEGORIES:
            raise ConfigError(
                f"{where}: field 'category' has unknown value '{value[:40]}' (valid: {'、'.join(CATEGORIES)})"
            )
        elif len(value.strip()) > _MAX_CHARS.get(key, len(value)):
            raise ConfigError(f"{where}: field '{key}' is {len(value.strip())} characters long "
                              f"(at most {_MAX_CHARS[key]} characters)")
        else:
            out[key] = value.strip()
    return out


def _parse_date(value: Any, where: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        m = _ISO_DATE.fullmatch(value.strip()) or _CN_DATE.fullmatch(value.strip())
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                pass
    raise ConfigError(f"{where} must be a date like 2023-04-10, got {value!r}")


def read_sidecar(doc_path: Path, root: Path) -> dict[str, Any]:
    """The validated fields of `<doc>.meta.toml` (inside the corpus `root`), or {} when there is none."""
    sidecar = doc_path.with_name(doc_path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    return _validated(_read_toml(sidecar, root), str(sidecar))


def infer_date(text: str) -> str | None:
    """The first valid date written in the opening of `text` (（2022年10月16日） or 2022-10-16)."""
    head = text[:_DATE_WINDOW]
    for pattern in (_CN_DATE, _ISO_DATE):
        for m in pattern.finditer(head):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                continue
    return None


def _first_heading(extracted: Extracted) -> str | None:
    for block in extracted.blocks[:20]:
        if block.heading_level is not None and block.text.strip():
            return block.text.strip()
    return None


def _fits(value: str | None, limit: int) -> str | None:
    """An inferred value, or None when it is empty or longer than `limit` (the next source is used)."""
    return value if value and len(value) <= limit else None


def resolve_meta(
    doc_path: Path, rel_path: str, catalog: Catalog, extracted: Extracted | None
) -> DocumentMeta:
    """Merge sidecar, catalog and inferred metadata for one document.

    `extracted` may be None when only the declared metadata is wanted (inference then falls back to
    the file name). Raises ConfigError naming the file and field for invalid declared metadata.
    """
    declared = {**catalog.lookup(rel_path), **read_sidecar(doc_path, catalog.root)}
    own = extracted.meta if extracted else {}
    title = (
        declared.get("title")
        or _fits((own.get("title") or "").strip(), MAX_TITLE_CHARS)
        or _fits(_first_heading(extracted) if extracted else None, MAX_TITLE_CHARS)
        or doc_path.stem
    )
    date = declared.get("date")
    if date is None and own.get("date"):
        try:
            date = _parse_date(own["date"], "")
        except ConfigError:
            date = None
    if date is None and extracted is not None:
        date = infer_date(extracted.text)
    return DocumentMeta(
        title=title,
        date=date,
        category=declared.get("category"),
        source=declared.get("source"),
        author=declared.get("author") or _fits((own.get("author") or "").strip(), MAX_AUTHOR_CHARS),
        tags=declared.get("tags", ()),
    )


def declared_fingerprint(doc_path: Path, rel_path: str, catalog: Catalog) -> str:
    """A stable string of the declared (catalog + sidecar) metadata, for change detection."""
    import json

    declared = {**catalog.lookup(rel_path), **read_sidecar(doc_path, catalog.root)}
    return json.dumps(declared, sort_keys=True, ensure_ascii=False, default=list)
