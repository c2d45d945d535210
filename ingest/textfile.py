"""Plain-text and Markdown extraction: decode, split paragraphs, Markdown headings and front matter."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.clean import SENTENCE_END, display_width, iso_date, join_lines, join_text
from ingest.decode import decode_bytes
from ingest.records import Block, Extracted
from studykb.errors import ExtractionError

__all__ = ["extract_markdown", "extract_txt", "is_hard_wrapped", "split_paragraphs", "strip_inline"]

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images → alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # inline HTML tags
    (re.compile(r"`+([^`]+)`+"), r"\1"),  # code spans
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![A-Za-z0-9*])\*(?=\S)(.+?)(?<=\S)\*(?![A-Za-z0-9*])"), r"\1"),  # *em*, not 2*3*4
    (re.compile(r"(?<![A-Za-z0-9_])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9_])"), r"\1"),  # _em_, not a_b_c
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
)
# Backslash-escaped punctuation is parked in the private-use area while the patterns run.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_PARKED = re.compile("[\ue000-\ue07f]")
_FRONT_KEYS = {
    "title": "title",
    "date": "date",
    "author": "author",
    "authors": "author",
    "keywords": "keywords",
    "tags": "keywords",
    "subject": "subject",
    "description": "subject",
}


def extract_txt(path: Path) -> Extracted:
    """Extract a plain-text file: decoded, one Block per paragraph, no heading levels.

    Paragraphs are split at blank lines; hard-wrapped text (most lines of one width) has its
    lines rejoined, otherwise each line is its own paragraph, as Chinese text files usually have.
    """
    text, _ = decode_bytes(Path(path).read_bytes(), path)
    if not text.strip():
        raise ExtractionError(path, "empty file")
    blocks = tuple(Block(p) for p in split_paragraphs(text))
    return Extracted(blocks, "txt", meta={}, warnings=())


def is_hard_wrapped(lines: list[str]) -> bool:
    """True when most non-blank lines have about the full-line width and mostly end mid-sentence.

    One-paragraph-per-line text has lines of all lengths, each ending a sentence; text wrapped at
    a fixed width (20 to 100 CJK characters) has most lines at about that width, cut anywhere.
    """
    stripped = [line.strip() for line in lines if line.strip()]
    widths = sorted(display_width(line) for line in stripped)
    if len(widths) < 3:
        return False
    full = widths[int(0.9 * (len(widths) - 1))]
    if not 40 <= full <= 200:
        return False
    slack = max(2, full // 10)
    at_width = [line for line in stripped if full - slack <= display_width(line) <= full]
    # Lines cut at a fixed width seldom end a sentence; paragraphs of similar length always do.
    sentence_ends = sum(1 for line in at_width if line[-1] in SENTENCE_END)
    return len(at_width) * 2 >= len(widths) and sentence_ends * 2 < len(at_width)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: rejoined when hard-wrapped, else one per non-blank line."""
    lines = text.split("\n")
    if is_hard_wrapped(lines):
        return join_lines(lines)
    return [line.strip() for line in lines if line.strip()]


def strip_inline(text: str) -> str:
    """Markdown inline syntax to plain text: links, images, emphasis, code spans, escapes, tags."""
    text = _ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return _PARKED.sub(lambda m: chr(ord(m.group(0)) - 0xE000), text).strip()


def extract_markdown(path: Path) -> Extracted:
    """Extract a Markdown file: `#` and setext headings carry heading_level, syntax is stripped.

    YAML (---) or TOML (+++) front matter is dropped; its title, date, author, keywords/tags and
    subject/description go to `meta`. Without a front-matter title the first `# ` heading is used.
    List items, table rows and fenced code blocks become one Block each.
    """
    text, _ = decode_bytes(Path(path).read_bytes(), path)
    if not text.strip():
        raise ExtractionError(path, "empty file")
    warnings: list[str] = []
    meta, body = _front_matter(text, warnings)
    blocks = _markdown_blocks(_COMMENT.sub("", body).split("\n"))
    if "title" not in meta:
        first = next((b.text for b in blocks if b.heading_level == 1), None)
        if first:
            meta["title"] = first
    return Extracted(tuple(blocks), "md", meta=meta, warnings=tuple(warnings))


def _markdown_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    fence: str | None = None
    code: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = ""
            for line in paragraph:
                joined = join_text(joined, line.strip())
            if strip_inline(joined):
                blocks.append(Block(strip_inline(joined)))
            paragraph.clear()

    for line in lines:
        if fence is not None:
            if line.strip().startswith(fence):
                if "\n".join(code).strip():
                    blocks.append(Block("\n".join(code).strip("\n")))
                fence, code = None, []
            else:
                code.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            fence = opening.group(1)
            continue
        line = _QUOTE.sub("", line)
        atx = _ATX.match(line)
        setext = _SETEXT.match(line)
        if not line.strip() or _LINK_DEF.match(line) or _TABLE_RULE.match(line) and "|" in line:
            flush()
        elif setext and len(paragraph) == 1:
            level = 1 if setext.group(1).startswith("=") else 2
            heading = strip_inline(paragraph.pop())
            if heading:
                blocks.append(Block(heading, heading_level=level))
        elif _RULE.match(line):
            flush()
        elif atx:
            flush()
            heading = strip_inline(atx.group(2) or "")
            if heading:
                blocks.append(Block(heading, heading_level=len(atx.group(1))))
        elif _LIST_ITEM.match(line):
            flush()
            paragraph.append(_LIST_ITEM.sub("", line))
        elif line.lstrip().startswith("|"):
            flush()
            cells = [strip_inline(c) for c in line.strip().strip("|").split("|")]
            row = " ".join(c for c in cells if c)
            if row:
                blocks.append(Block(row))
        else:
            paragraph.append(line)
    flush()
    if fence is not None and "\n".join(code).strip():
        blocks.append(Block("\n".join(code).strip("\n")))
    return blocks


def _front_matter(text: str, warnings: list[str]) -> tuple[dict[str, str], str]:
    """(meta, body): YAML `---` or TOML `+++` front matter at the top of `text`, parsed and cut."""
    lines = text.split("\n")
    opener = lines[0].strip() if lines else ""
    if opener not in ("---", "+++"):
        return {}, text
    closers = ("---", "...") if opener == "---" else ("+++",)
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() in closers), None)
    if end is None:
        return {}, text
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    values = _toml(raw, warnings) if opener == "+++" else _yaml(raw)
    meta: dict[str, str] = {}
    for key, value in values.items():
        name = _FRONT_KEYS.get(key.lower())
        if name is None or name in meta:
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value if str(v).strip())
        text_value = iso_date(value) if name == "date" else str(value).strip()
        if text_value:
            meta[name] = text_value
    return meta, body


def _toml(raw: str, warnings: list[str]) -> dict[str, object]:
    import tomllib

    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        warnings.append(f"front matter is not valid TOML ({exc}); ignored")
        return {}


def _yaml(raw: str) -> dict[str, object]:
    """Top-level `key: value` scalars, `[a, b]` flow lists and `- item` block lists of YAML."""
    values: dict[str, object] = {}
    key: str | None = None
    for line in raw.split("\n"):
        item = re.match(r"^\s+-\s+(.*)$", line)
        if item and key is not None:
            current = values.get(key)
            items = current if isinstance(current, list) else []
            items.append(_unquote(item.group(1)))
            values[key] = items
            continue
        pair = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if not pair:
            continue
        key, value = pair.group(1), pair.group(2).strip()
        if value.startswith("[") and value.endswith("]"):
            values[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
        else:
            values[key] = _unquote(value)
    return values


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return re.sub(r"\s+#.*$", "", value)
