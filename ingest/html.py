"""HTML extraction with BeautifulSoup: text blocks and h1..h6 headings, page chrome dropped."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from ingest.clean import iso_date
from ingest.decode import decode_bytes
from ingest.records import Block, Extracted
from studykb.errors import ExtractionError

__all__ = ["declared_charset", "extract_html", "html_blocks", "is_page_tools"]

# Page tools that government and news sites print around an article (not content).
_TOOL_WORDS = re.compile(
    "打印本页|打印此页|打印正文|打印文章|我要打印|打印|关闭本页|关闭窗口|关闭|返回顶部|回到顶部|返回首页|返回|"
    "收藏本页|加入收藏|收藏|字号|字体|默认|大|中|小|分享到|分享|微信|微博|QQ空间|复制链接|"
    "扫一扫在手机打开当前页|扫一扫|浏览次数|纠错|保存|下载"
)
_WORDLIKE = re.compile(r"[^\W_]")

# Elements whose text is never content: code, styling, and page chrome around the article.
_DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "math",
        "canvas",
        "object",
        "embed",
        "nav",
        "aside",
        "header",
        "footer",
        "select",
        "option",
        "button",
        "textarea",
        "head",
        "title",
    }
)
# Inline elements continue the current text block; any other element starts a new one.
_INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "label",
        "mark",
        "nobr",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    }
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BREAK = "\x1e"  # stands for <br> until text is split into blocks
_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_CJK_NEWLINE = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s*\n\s*(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])"
)
_SPACES = re.compile(r"[ \t\n\r\f\v\u00a0\u3000]+")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_DATE_META = (
    "date",
    "article:published_time",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "firstpublishedtime",
)
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "cp950"}


def declared_charset(data: bytes) -> str | None:
    """The Python codec named by `<meta charset>`, `http-equiv` or `<?xml encoding>` in the first 4 KB."""
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        name = codecs.lookup(_CHARSET_ALIASES.get(name, name)).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def _decode(data: bytes, path: Path, warnings: list[str]) -> str:
    """HTML bytes to text: a BOM first, then the declared charset, else detection."""
    charset = declared_charset(data)
    if charset and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode(charset).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            warnings.append(f"declared charset {charset} does not fit the bytes; detected instead")
    return decode_bytes(data, path)[0]


def extract_html(path: Path) -> Extracted:
    """Extract an HTML page: one Block per paragraph-like element, h1..h6 as headings.

    Scripts, styles, hidden elements and page chrome (nav, header, footer, aside) are dropped;
    p, li, td, blockquote, div text and the like become blocks, and <br> splits a block. Meta:
    title (<title>, else the first h1), date (<meta name="date">, article:published_time,
    PubDate …), author, keywords, subject (description).
    """
    from bs4 import BeautifulSoup

    warnings: list[str] = []
    text = _decode(Path(path).read_bytes(), Path(path), warnings)
    if not text.strip():
        raise ExtractionError(path, "empty file")
    soup = BeautifulSoup(text, "html.parser")
    meta = _meta(soup)
    blocks = html_blocks(soup)
    if "title" not in meta:
        first = next((b.text for b in blocks if b.heading_level == 1), None)
        if first:
            meta["title"] = first
    return Extracted(tuple(blocks), "html", meta=meta, warnings=tuple(warnings))


def html_blocks(soup: Any) -> list[Block]:
    """The text blocks of a parsed page (a BeautifulSoup tree), in document order."""
    blocks: list[Block] = []
    buffer: list[str] = []
    root = soup.body or soup
    _walk(root, blocks, buffer)
    _flush(buffer, blocks)
    return blocks


def _walk(node: Any, blocks: list[Block], buffer: list[str]) -> None:
    from bs4.element import NavigableString, PreformattedString, Tag

    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, doctypes, CDATA
                buffer.append(str(child))
            continue
        if not isinstance(child, Tag) or _skipped(child):
            continue
        name = child.name.lower()
        if name == "br":
            buffer.append(_BREAK)
        elif name in _HEADINGS:
            _flush(buffer, blocks)
            inner: list[str] = []
            _walk(child, blocks, inner)
            heading = _inline_text("".join(inner).replace(_BREAK, " "))
            if heading:
                blocks.append(Block(heading, heading_level=_HEADINGS[name]))
        elif name in _INLINE:
            _walk(child, blocks, buffer)
        else:
            _flush(buffer, blocks)
            _walk(child, blocks, buffer)
            _flush(buffer, blocks)


def _skipped(tag: Any) -> bool:
    """Chrome and hidden elements; <header>/<footer> inside an <article> are kept."""
    name = tag.name.lower()
    if name in ("header", "footer") and tag.find_parent("article") is not None:
        return False
    if name in _DROP:
        return True
    attrs = tag.attrs or {}
    return "hidden" in attrs or bool(_HIDDEN.search(str(attrs.get("style", ""))))


def _flush(buffer: list[str], blocks: list[Block]) -> None:
    """Turn the collected inline text into blocks, one per <br>-separated line."""
    if not buffer:
        return
    for piece in "".join(buffer).split(_BREAK):
        text = _inline_text(piece)
        if text and not is_page_tools(text):
            blocks.append(Block(text))
    buffer.clear()


def is_page_tools(text: str) -> bool:
    """True for a line made only of page tools, as government sites print them under an article:
    【打印本页】【关闭窗口】, [字号：大 中 小], 分享到： 微信 微博, 返回顶部 …"""
    rest = _TOOL_WORDS.sub("", text)
    two_char_tool = any(len(word) >= 2 for word in _TOOL_WORDS.findall(text))  # not a lone 中 or 小
    return two_char_tool and not _WORDLIKE.search(rest)


def _inline_text(text: str) -> str:
    """Collapse HTML whitespace; a source line break between CJK characters disappears."""
    return _SPACES.sub(" ", _CJK_NEWLINE.sub("", text)).strip()


def _meta(soup: Any) -> dict[str, str]:
    """Title, date, author, keywords and subject from <title> and <meta> elements."""
    meta: dict[str, str] = {}
    if soup.title and soup.title.get_text(strip=True):
        meta["title"] = _inline_text(soup.title.get_text())
    named: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("name") or tag.get("property") or tag.get("itemprop") or "").lower()
        content = str(tag.get("content") or "").strip()
        if key and content and key not in named:
            named[key] = content
    for key in _DATE_META:
        day = iso_date(named.get(key))
        if day:
            meta["date"] = day
            break
    for key, name in (("author", "author"), ("keywords", "keywords"), ("description", "subject")):
        if named.get(key):
            meta[name] = named[key]
    return meta
