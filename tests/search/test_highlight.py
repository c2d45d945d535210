"""Tests for search.highlight: jieba-bounded marks, snippets, escaping."""

from __future__ import annotations

from search.highlight import escape_markdown, mark_spans, snippet
from studykb.text import tokenize


def test_marks_follow_word_boundaries() -> None:
    text = "深入学习浦江经验，推进基层治理。"
    spans = mark_spans(text, tokenize("浦江经验"))
    assert [text[s:e] for s, e in spans] == ["浦江经验"]


def test_traditional_passage_marked_for_simplified_query() -> None:
    text = "學習浦江經驗。"
    assert [text[s:e] for s, e in mark_spans(text, tokenize("浦江经验"))] == ["浦江經驗"]


def test_phrase_occurrences_marked() -> None:
    text = "两个确立。再说两个确立。"
    assert mark_spans(text, [], ["两个确立"]) == [(0, 4), (7, 11)]


def test_snippet_centres_on_marks() -> None:
    text = "前" * 300 + "浦江经验" + "后" * 300
    snip, spans = snippet(text, mark_spans(text, ["浦江经验"]), width=100)
    assert snip.startswith("…") and snip.endswith("…")
    assert [snip[s:e] for s, e in spans] == ["浦江经验"]


def test_markdown_is_escaped() -> None:
    raw = "<script>alert(1)</script> **粗体** [链接](javascript:alert(1)) &lt; a=b"
    md = escape_markdown(raw)
    assert "<script>" not in md and "**" not in md and "](" not in md
    assert "\\&lt;" in md and "a\\=b" in md


def test_a_quote_snippet_is_centred_on_the_whole_quote() -> None:
    quote = "坚持和发展新时代枫桥经验"
    text = "甲乙" * 20 + "浦江" + "丙" * 40 + quote + "丁" * 200
    spans = mark_spans(text, [], [quote])
    snip, shifted = snippet(text, spans, width=40, centred=True)
    assert [snip[s:e] for s, e in shifted] == [quote]
    start = snip.index(quote)
    before, after = start - 1, len(snip) - 1 - (start + len(quote))  # minus the "…" on each side
    assert abs(before - after) <= 1


def test_a_quote_longer_than_the_snippet_is_kept_whole() -> None:
    quote = "学" * 60
    text = "前" * 100 + quote + "后" * 100
    snip, shifted = snippet(text, mark_spans(text, [], [quote]), width=40, centred=True)
    assert [snip[s:e] for s, e in shifted] == [quote]
