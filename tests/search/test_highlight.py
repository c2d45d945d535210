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
