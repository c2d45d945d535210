"""Tests for sites.match: query words from jieba over folded text, matched against a site's terms."""

from __future__ import annotations

import pytest

from sites.match import QueryWord, matches, query_words


@pytest.mark.parametrize(
    ("query", "words"),
    [
        pytest.param("鲁迅纪念馆虹口", ["鲁迅", "纪念馆", "虹口"], id="no-spaces"),
        pytest.param("魯迅  紀念館", ["鲁迅", "纪念馆"], id="traditional-folded"),
        pytest.param("上海的纪念馆？", ["上海", "纪念馆"], id="stopword-and-punctuation-dropped"),
        pytest.param("ＡＢ馆", ["ab", "馆"], id="full-width-letters"),
        pytest.param("，。", [], id="only-punctuation"),
    ],
)
def test_query_words(query: str, words: list[str]) -> None:
    assert [w.word for w in query_words(query)] == words


def test_covering_sub_words_are_kept_only_when_they_cover_the_word() -> None:
    by_word = {w.word: w for w in query_words("绿水青山 纪念馆")}
    assert by_word["绿水青山"].parts == ("绿水", "青山")
    assert by_word["纪念馆"].parts == ()  # 纪念 alone would leave 馆 out


@pytest.mark.parametrize(
    ("word", "terms", "found"),
    [
        pytest.param(QueryWord("纪念馆", ()), {"纪念", "纪念馆"}, True, id="whole-word"),
        pytest.param(QueryWord("纪念馆", ()), {"纪念", "纪念碑"}, False, id="partial-cover-is-not-enough"),
        pytest.param(QueryWord("绿水青山", ("绿水", "青山")), {"绿水", "青山"}, True, id="covering-parts"),
        pytest.param(QueryWord("绿水青山", ("绿水", "青山")), {"绿水"}, False, id="one-part-missing"),
    ],
)
def test_a_word_is_found_whole_or_by_covering_parts(word: QueryWord, terms: set[str], found: bool) -> None:
    assert word.found_in(frozenset(terms)) is found


def test_every_word_must_be_found_and_an_empty_query_matches() -> None:
    terms = frozenset({"鲁迅", "纪念", "纪念馆", "虹口"})
    assert matches(query_words("鲁迅 虹口"), terms)
    assert not matches(query_words("鲁迅 黄浦"), terms)
    assert matches((), terms)
