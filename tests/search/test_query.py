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


def test_an_unknown_category_is_an_error_listing_the_valid_ones() -> None:
    from search.query import Filters
    from studykb.errors import UnknownCategoryError

    with pytest.raises(UnknownCategoryError, match="辅导读物") as caught:
        Filters(categories=("讲话", "小说")).check()
    assert caught.value.value == "小说"
    Filters(categories=("讲话",)).check()


def test_a_reversed_date_range_is_an_error() -> None:
    from search.query import Filters
    from studykb.errors import DateRangeError

    with pytest.raises(DateRangeError, match="reversed"):
        Filters(date_from="2024-01-01", date_to="2023-01-01").check()
    Filters(date_from="2023-01-01", date_to="2023-01-01").check()


def test_the_engine_refuses_filters_that_can_match_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    from search.query import Filters
    from studykb.errors import FilterError

    with pytest.raises(FilterError):
        engine.search("学习", filters=Filters(categories=("小说",)))
    with pytest.raises(FilterError):
        engine.search("学习", filters=Filters(date_from="2024-01-01", date_to="2023-01-01"))


def test_the_ui_explains_filter_errors_in_chinese() -> None:
    from search.query import Filters
    from studykb.errors import FilterError
    from ui.filters import filter_problem

    for bad in (Filters(categories=("小说",)), Filters(date_from="2024-01-01", date_to="2023-01-01")):
        with pytest.raises(FilterError) as caught:
            bad.check()
        text = filter_problem(caught.value)
        assert text and not any("a" <= ch.lower() <= "z" for ch in text.replace("小说", ""))
    assert "小说" in filter_problem(_raised(Filters(categories=("小说",))))
    assert "2024-01-01" in filter_problem(_raised(Filters(date_from="2024-01-01", date_to="2023-01-01")))


def _raised(filters):  # type: ignore[no-untyped-def]
    from studykb.errors import FilterError

    try:
        filters.check()
    except FilterError as exc:
        return exc
    raise AssertionError("no error")
