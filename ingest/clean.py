"""Cleaning of extracted page text: line joining, page furniture, widths and spaces, dates."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from studykb.text import normalize

__all__ = [
    "SENTENCE_END",
    "clean_pages",
    "collapse_spaces",
    "display_width",
    "is_page_number",
    "iso_date",
    "join_lines",
    "join_text",
    "normalize_width",
    "strip_page_furniture",
    "typical_width",
]

#: Characters after which a line may end a paragraph (Chinese and Western sentence ends).
SENTENCE_END = "。！？；：…”’」』!?;:."
# Characters that need no space next to them when two pieces of text are joined (CJK, kana,
# full-width forms, Chinese quotes and dashes).
_W = (
    r"[\u2e80-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u9fff\uf900-\ufaff\ufe30-\ufe4f"
    r"\uff00-\uffef\U00020000-\U0003ffff“”‘’…—·]"
)
_WIDE = re.compile(_W)
_IDEOGRAPH = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"
# Single ideographs each set apart by one space, as in letter-spaced titles (通 知, 目 录).
_LETTER_SPACED = re.compile(rf"(?<!{_IDEOGRAPH}){_IDEOGRAPH}(?: {_IDEOGRAPH})+(?!{_IDEOGRAPH})")
# A run of spaces between two wide characters.
_SPACES_BETWEEN_WIDE = re.compile(rf"(?<={_W}) {{2,}}(?={_W})")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f]+")
# Line starts that open a new block: numbered headings, enumerations and bullets.
_CN_NUM = "一二三四五六七八九十百千零〇两"
_LIST_START = re.compile(
    rf"""^(?:
        [{_CN_NUM}]+[、．.]                              # 一、
      | [（(][{_CN_NUM}\d]{{1,3}}[）)]                   # （一） (1)
      | \d{{1,3}}[、．](?!\d) | \d{{1,3}}\.(?!\d)         # 1、 1.
      | [①-⑳⑴-⒇⒈-⒛]                                   # circled numbers
      | [•·●○■□◆◇▪▶►※][ \u3000]?                       # bullets
      | [-*–][ \u3000]                                  # ASCII bullets
    )""",
    re.VERBOSE,
)
_CHAPTER = re.compile(rf"^第[{_CN_NUM}\d]+[章节条款编篇卷讲课部]")
_PAGE_NUMBER = re.compile(
    rf"""^(?:
        [-–—－_~·•\s]*\d{{1,4}}[-–—－_~·•\s]*             # 12, - 12 -, — 12 —
      | 第\s*[\d{_CN_NUM}]{{1,6}}\s*页(?:\s*[,，/]?\s*共\s*[\d{_CN_NUM}]{{1,6}}\s*页)?
      | 共\s*\d{{1,4}}\s*页[,，\s]*第\s*\d{{1,4}}\s*页
      | \d{{1,4}}\s*/\s*\d{{1,4}}                       # 12/40
      | (?:page|p\.)\s*\d{{1,4}}(?:\s*(?:of|/)\s*\d{{1,4}})?
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
# Kangxi radicals (U+2F00..2FD5) that some PDFs emit instead of the ideographs they look like.
_RADICALS = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FD6)}
# PDF extractors' soft-hyphen and non-character markers.
_JUNK = {0x02: None, 0xFFFE: None, 0x00AD: None}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_COMPACT_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")


def display_width(text: str) -> int:
    """Columns `text` takes in a monospaced view: 2 for wide (CJK) characters, 1 for others."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def normalize_width(text: str) -> str:
    """Half-width ASCII letters/digits and plain spaces; Chinese full-width punctuation kept.

    Also maps Kangxi radicals (⼀⽅) to the ideographs they stand for and drops soft hyphens.
    """
    return normalize(text).translate(_RADICALS).translate(_JUNK)


def collapse_spaces(text: str) -> str:
    """Collapse space runs to one space, and close up letter-spaced CJK (通 知 → 通知).

    Runs of two or more spaces between CJK characters become one space; single spaces between
    CJK words (第一章 总则, 中共中央 国务院) are kept.
    """
    text = _SPACES.sub(" ", text).strip()
    text = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _SPACES_BETWEEN_WIDE.sub(" ", text)


def join_text(left: str, right: str) -> str:
    """Join two pieces of a wrapped line: no space next to CJK text, one space between words."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if _WIDE.match(left[-1]) or _WIDE.match(right[0]) or left[-1] == "-":
        return left + right
    return f"{left} {right}"


def is_page_number(line: str) -> bool:
    """True for a line that is only a page number: 12, - 12 -, 第12页, 12/40, Page 3 of 9."""
    return bool(_PAGE_NUMBER.match(normalize(line).strip()))


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", _SPACES.sub(" ", normalize(line)).strip())


def strip_page_furniture(pages: Sequence[Sequence[str]], *, edge: int = 2) -> list[list[str]]:
    """Drop running headers/footers and bare page numbers from the lines of each page.

    A header/footer is a line among the first/last `edge` non-blank lines of a page that recurs,
    with its digits ignored (so "学习资料 第3期 5" matches "学习资料 第3期 6"), at the same end
    of at least half the pages (and of two or more); it is dropped once per page end, so a document
    title printed under its own running header survives. A bare page number is dropped from either
    end of any page.
    """
    tops: Counter[str] = Counter()
    bottoms: Counter[str] = Counter()
    for lines in pages:
        body = [_furniture_key(line) for line in lines if line.strip()]
        tops.update(set(body[:edge]))
        bottoms.update(set(body[-edge:]))
    need = max(2, math.ceil(len(pages) / 2))
    top_keys = {k for k, n in tops.items() if n >= need and k}
    bottom_keys = {k for k, n in bottoms.items() if n >= need and k}
    cleaned: list[list[str]] = []
    for lines in pages:
        positions = [i for i, line in enumerate(lines) if line.strip()]
        drop = set()
        # Once per page and end: a running title directly above the same title (page 1) keeps it.
        unseen_top, unseen_bottom = set(top_keys), set(bottom_keys)
        for rank, i in enumerate(positions):
            at_top, at_bottom = rank < edge, rank >= len(positions) - edge
            if not (at_top or at_bottom):
                continue
            key = _furniture_key(lines[i])
            if at_top and key in unseen_top:
                unseen_top.discard(key)
                drop.add(i)
            elif at_bottom and key in unseen_bottom:
                unseen_bottom.discard(key)
                drop.add(i)
            elif is_page_number(lines[i]):
                drop.add(i)
        cleaned.append([line for i, line in enumerate(lines) if i not in drop])
    return cleaned


def typical_width(lines: Sequence[str]) -> int | None:
    """The display width of a full line (90th percentile), or None with fewer than 4 lines."""
    widths = sorted(display_width(line.strip()) for line in lines if line.strip())
    if len(widths) < 4:
        return None
    return widths[int(0.9 * (len(widths) - 1))]


def _starts_block(line: str, short: bool) -> bool:
    """True when `line` opens a heading, list item or article rather than continuing a sentence."""
    text = normalize(line).strip()
    if _LIST_START.match(text):
        return True
    chapter = _CHAPTER.match(text)
    if chapter is None:
        return False
    return short or text[chapter.end() : chapter.end() + 1] in (" ", "")


def join_lines(lines: Sequence[str], *, width: int | None = None) -> list[str]:
    """Rejoin hard-wrapped lines into paragraphs, with no space inserted between CJK characters.

    A line break is kept (a paragraph ends) at a blank line, before an indented line, before a
    heading or list item (一、 （一） 1. 第一章 …), and after a short line: one narrower than 80% of
    `width`, the display width of a full line (estimated from `lines` when not given), such as the
    last line of a paragraph or a heading. With under 4 lines there is no width to go by and only
    a short numbered line (一、总体要求, 第一章 总则) counts as short. Every other line break is
    joined, including one after sentence punctuation (。！？) on a full line. Returned paragraphs
    are stripped, not normalised.
    """
    if width is None:
        width = typical_width(lines)
    paragraphs: list[str] = []
    current = ""
    previous_short = True
    for raw in lines:
        text = raw.strip()
        if not text:
            if current:
                paragraphs.append(current)
            current, previous_short = "", True
            continue
        if width is None:  # too few lines to know a full line: short numbered lines are headings
            short = display_width(text) <= 40 and _starts_block(text, False)
        else:
            short = display_width(text) < 0.8 * width
        indented = raw[:1] == "\u3000" or raw[:2] == "  " or raw[:1] == "\t"
        if current and (previous_short or indented or _starts_block(text, short)):
            paragraphs.append(current)
            current = ""
        current = join_text(current, text) if current else text
        previous_short = short
    if current:
        paragraphs.append(current)
    return paragraphs


def clean_pages(pages: Sequence[str]) -> list[list[str]]:
    """Turn the raw text of each page into its cleaned paragraphs (a list per page).

    Steps: split lines, drop headers/footers/page numbers, rejoin wrapped lines (full-line width
    measured over the whole document), normalise widths and collapse spaces.
    """
    split = [page.replace("\r\n", "\n").replace("\r", "\n").split("\n") for page in pages]
    kept = strip_page_furniture(split)
    width = typical_width([line for lines in kept for line in lines])
    result: list[list[str]] = []
    for lines in kept:
        paragraphs = (collapse_spaces(normalize_width(p)) for p in join_lines(lines, width=width))
        result.append([p for p in paragraphs if p])
    return result


def iso_date(value: object) -> str | None:
    """The yyyy-mm-dd form of a date in common notations, or None when there is no full date.

    Accepts date/datetime objects, 2023-01-15, 2023/1/5, 2023.1.5, 2023年1月5日, 20230115 and PDF
    dates (D:20230115103000+08'00'), with anything after the date ignored.
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = normalize(value).strip()
    match = _DATE.search(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None
