"""Finding the quotations of a draft: spans in quotation marks and sentences introduced by 指出：."""

from __future__ import annotations

import re

from .records import Quotation

__all__ = ["MIN_SENTENCE_CHARS", "extract_quotations"]

#: A quoted span with fewer word characters (ideographs, letters, digits) than this is a term
#: (“两个确立”, “千万工程”), reported but not checked as a sentence.
MIN_SENTENCE_CHARS = 8

# Opening mark → closing mark. ‘…’ only nests inside another quotation (a lone ’ is an apostrophe).
_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_TOP_OPENERS = ("“", "「", "『", '"')
# Words that introduce a quotation without marks: 总书记指出：……。
_INTRO = re.compile(r"(?:指出|强调|要求|提出|指明|阐明|明确|表示|写道|讲道|谈到|说|號召|号召)[：:]")
_SENTENCE_END = "。！？!?\n"
_WORD = re.compile(r"[^\W_]")


def _word_chars(text: str) -> int:
    return len(_WORD.findall(text))


def _quotation(draft: str, start: int, end: int, mark: str) -> Quotation | None:
    # Trim spaces inside the marks so that text == draft[start:end] stays true.
    while start < end and draft[start].isspace():
        start += 1
    while end > start and draft[end - 1].isspace():
        end -= 1
    text = draft[start:end]
    if not _word_chars(text):
        return None
    return Quotation(text, start, end, mark, term=_word_chars(text) < MIN_SENTENCE_CHARS)


def _marked(draft: str) -> list[Quotation]:
    """Outermost spans in “…”, 「…」, 『…』 and "…"; inner quotes stay part of the outer span.

    A quotation left open at the end of a paragraph is dropped (a typo, not a quotation).
    """
    found: list[Quotation] = []
    stack: list[str] = []
    start = 0
    for i, ch in enumerate(draft):
        if ch == "\n":
            stack.clear()
        elif ch == '"':
            if stack and stack[-1] == '"':
                stack.pop()
                if not stack and (q := _quotation(draft, start, i, '"')):
                    found.append(q)
            else:
                if not stack:
                    start = i + 1
                stack.append('"')
        elif ch in _PAIRS and (stack or ch in _TOP_OPENERS):
            if not stack:
                start = i + 1
            stack.append(ch)
        elif stack and stack[-1] in _PAIRS and ch == _PAIRS[stack[-1]]:
            opener = stack.pop()
            if not stack and (q := _quotation(draft, start, i, opener)):
                found.append(q)
    return found


def _introduced(draft: str, marked: list[Quotation]) -> list[Quotation]:
    """Sentences after 指出：/强调：/要求：… that are not themselves in quotation marks."""
    found: list[Quotation] = []
    for m in _INTRO.finditer(draft):
        start = m.end()
        while start < len(draft) and draft[start] in " \u3000":
            start += 1
        if start >= len(draft) or draft[start] in _TOP_OPENERS:
            continue  # a marked quotation follows: found by _marked
        end = start
        while end < len(draft) and draft[end] not in _SENTENCE_END:
            end += 1
        if end < len(draft) and draft[end] != "\n":
            end += 1  # keep the sentence's own 。！？
        if any(q.start < end and start < q.end and not q.term for q in marked):
            continue  # overlaps a marked sentence already checked
        q = _quotation(draft, start, end, m.group(0))
        if q is not None and not q.term:
            found.append(q)
    return found


def extract_quotations(draft: str) -> list[Quotation]:
    """Every quotation of `draft`, in text order: marked spans and introduced sentences.

    Example: [q.text for q in extract_quotations("他指出：江山就是人民，人民就是江山。要坚持“两个确立”。")]
    == ["江山就是人民，人民就是江山。", "两个确立"]
    """
    marked = _marked(draft)
    return sorted(marked + _introduced(draft, marked), key=lambda q: (q.start, q.end))
