"""Tests for search.query: phrases, terms, errors."""

from __future__ import annotations

import pytest

from search.query import parse_query
from studykb.errors import QueryError


@pytest.mark.parametrize(
    ("query", "phrases"),
    [
        ('"浦江经验"', ("浦江经验",)),
        ('"千万工程"的经验', ("千万工程",)),
        ("“千万工程”", ("千万工程",)),
        ("“千万工程”的经验是什么？", ()),
        ("「楓橋經驗」", ("枫桥经验",)),
        ('"两个确立" "新时代"', ("两个确立", "新时代")),
        ("“两个确立” 「新时代」", ("两个确立", "新时代")),
        ("中国式现代化", ()),
    ],
    ids=["ascii-quotes", "ascii-inside-question", "curly-whole-query", "curly-inside-question-is-punctuation",
         "corner-brackets-traditional", "two-phrases", "two-chinese-quoted", "no-phrase"],
)
def test_phrases_are_folded(query: str, phrases: tuple[str, ...]) -> None:
    parsed = parse_query(query)
    assert parsed.phrases == phrases
    assert parsed.exact == bool(phrases)


def test_terms_include_quoted_words() -> None:
    assert "浦江经验" in parse_query('"浦江经验" 下访').terms


@pytest.mark.parametrize("query", ["", "   ", "？！。", "x" * 1001], ids=["empty", "blank", "punct", "long"])
def test_bad_queries(query: str) -> None:
    with pytest.raises(QueryError):
        parse_query(query)
