"""Word-level text search over sites: jieba terms of folded text, so Traditional queries match too."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from studykb.text import fold, segment, tokenize

from .records import Site

__all__ = ["QueryWord", "matches", "query_words", "searchable_text", "site_terms"]


def searchable_text(site: Site) -> str:
    """The text a query is matched against: name, city, district, address and description."""
    return "\n".join((site.name, site.city, site.district, site.address, site.description))


@lru_cache(maxsize=4096)
def site_terms(site: Site) -> frozenset[str]:
    """The site's search terms: jieba search-mode words of its folded searchable text (cached per
    record; a few milliseconds each, so they are computed rather than stored)."""
    return frozenset(tokenize(searchable_text(site)))


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: its folded form and the dictionary sub-words that together cover it
    (empty when they do not cover every character: 纪念馆 → 纪念 leaves 馆 out)."""

    word: str
    parts: tuple[str, ...]

    def found_in(self, terms: frozenset[str]) -> bool:
        """Whether the word is one of `terms`, or all its covering sub-words are (jieba may keep a
        word whole in the query but split it inside a longer text: 绿水青山 → 绿水 + 青山)."""
        return self.word in terms or (bool(self.parts) and all(part in terms for part in self.parts))


def query_words(query: str) -> tuple[QueryWord, ...]:
    """Split a query into words (jieba default mode over the folded text), dropping punctuation and
    stopwords; 鲁迅纪念馆虹口 → 鲁迅 / 纪念馆 / 虹口, 魯迅 → 鲁迅."""
    words: list[QueryWord] = []
    for word, _, _ in segment(fold(query)):
        terms = tokenize(word)
        if terms:
            folded = fold(word).strip()
            parts = tuple(term for term in terms if term != folded)
            words.append(QueryWord(folded, parts if _covers(parts, folded) else ()))
    return tuple(words)


def _covers(parts: tuple[str, ...], word: str) -> bool:
    """Whether the occurrences of `parts` inside `word` cover every one of its characters."""
    covered: set[int] = set()
    for part in parts:
        start = word.find(part)
        while start >= 0:
            covered.update(range(start, start + len(part)))
            start = word.find(part, start + 1)
    return len(covered) == len(word)


def matches(words: tuple[QueryWord, ...], terms: frozenset[str]) -> bool:
    """A site matches when every query word is found among its terms (an empty query matches all)."""
    return all(word.found_in(terms) for word in words)
