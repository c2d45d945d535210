"""Parsing a user query: quoted exact phrases, free terms, and the filters of a search."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studykb.categories import CATEGORIES
from studykb.errors import DateRangeError, QueryError, UnknownCategoryError
from studykb.text import fold, tokenize

__all__ = ["Filters", "ParsedQuery", "parse_query"]

# ASCII "…" is search syntax: an exact phrase wherever it appears. Chinese quotation marks (“…”, 「…」,
# 『…』) are what input methods type for ordinary quoting — 「“石膏花支洞”凭借什么…」 quotes a name —
# so they ask for exact wording only when the whole query is quoted phrases.
_ASCII_QUOTED = re.compile(r'"([^"]+)"')
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』')
MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class Filters:
    """Restrictions on a search. Empty fields do not restrict.

    `documents` holds document paths (relative to the corpus root) or numeric document ids as strings;
    dates are ISO yyyy-mm-dd, inclusive; a document matches `tags` when it has any of them.
    """

    categories: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.categories or self.documents or self.date_from or self.date_to or self.tags)

    def check(self) -> None:
        """Refuse filters that can match nothing however the library grows: a category outside the
        catalog's list (UnknownCategoryError) or a date range whose start is after its end
        (DateRangeError)."""
        for category in self.categories:
            if category not in CATEGORIES:
                raise UnknownCategoryError(category, CATEGORIES)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise DateRangeError(self.date_from, self.date_to)


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into exact phrases (folded) and BM25 terms (of the whole query text)."""

    text: str
    phrases: tuple[str, ...] = ()
    terms: tuple[str, ...] = field(default_factory=tuple)

    @property
    def exact(self) -> bool:
        """True in exact-phrase mode (the query quoted something)."""
        return bool(self.phrases)


def parse_query(text: str) -> ParsedQuery:
    """Parse `text`; raises QueryError for an empty or over-long query."""
    text = (text or "").strip()
    if not text:
        raise QueryError("the query is empty: type a word, a phrase or a question")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    whole = not _QUOTED.sub("", text).strip()
    quoted = _QUOTED if whole else _ASCII_QUOTED
    phrases = tuple(
        folded for m in quoted.finditer(text) if (folded := fold(next(g for g in m.groups() if g).strip()))
    )
    plain = quoted.sub(lambda m: " " + next(g for g in m.groups() if g) + " ", text)
    terms = tuple(tokenize(plain))
    if not terms and not phrases:
        raise QueryError(f"the query {text!r} has no searchable words")
    return ParsedQuery(text, phrases, terms)
