"""Records returned by the search engine: hits, where else a passage appears, documents."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["DocumentInfo", "Hit", "Leg", "Location", "SearchLeg", "SearchResult"]

#: A retrieval leg that found a passage: "bm25" (its keywords), "dense" (its embedding), "phrase"
#: (the quoted text verbatim), "context" (only the keywords of its neighbours, search/context.py).
Leg = Literal["bm25", "dense", "phrase", "context"]
#: The legs a search can be restricted to (`Engine.search(legs=...)`).
SearchLeg = Literal["bm25", "dense"]


@dataclass(frozen=True)
class DocumentInfo:
    """Catalog data of one indexed document. `path` is relative to the ingested folder `root`;
    `content_hash` (SHA-256) and `size` are those of the file when it was ingested."""

    id: int
    path: str
    root: str
    title: str
    format: str
    date: str | None = None
    category: str | None = None
    source: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    pages: int | None = None
    content_hash: str = ""
    size: int | None = None

    def __repr__(self) -> str:
        return f"DocumentInfo({self.id}, {self.path!r}, {self.title!r})"


@dataclass(frozen=True)
class Location:
    """Another place where the same passage text appears (a reprint in another document)."""

    chunk_id: int
    document_id: int
    path: str
    title: str
    date: str | None
    page: int | None


@dataclass(frozen=True)
class Hit:
    """One search result: a passage with its citation, highlighted snippet and ranking details.

    `highlights` are (start, end) spans in `text`; `snippet_spans` are spans in `snippet`.
    `legs` says which retrieval legs found it ("bm25", "dense", "phrase"; "context" when only a
    neighbouring passage of its document matched the keywords, search/context.py). `weak` is True
    when it ranks below every hit for which a leg has real evidence of relevance
    (search/relevance.py): the app lists weak hits under "以下结果相关度较低".
    """

    chunk_id: int
    text: str
    snippet: str
    snippet_spans: tuple[tuple[int, int], ...]
    highlights: tuple[tuple[int, int], ...]
    document: DocumentInfo
    page: int | None
    page_end: int | None
    heading_path: tuple[str, ...]
    start: int
    end: int
    score: float
    legs: tuple[Leg, ...]
    also_in: tuple[Location, ...] = ()
    ocr_confidence: float | None = None
    weak: bool = False

    @property
    def citation(self) -> str:
        """A one-line citation: title, date, page."""
        parts = [f"《{self.document.title}》"]
        if self.document.date:
            parts.append(self.document.date)
        if self.page:
            parts.append(
                f"第{self.page}页"
                if self.page == self.page_end or not self.page_end
                else f"第{self.page}–{self.page_end}页"
            )
        return "，".join(parts)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (used by `studykb search --json`)."""
        d = asdict(self)
        d["citation"] = self.citation
        return d

    def __repr__(self) -> str:
        return f"Hit({self.chunk_id}, {self.citation}, {self.score:.4f}, {'+'.join(self.legs)})"


@dataclass(frozen=True)
class SearchResult:
    """A page of hits plus what the engine understood of the query.

    `total` counts the distinct passages found (up to the depth the engine looks), `relevant` those
    of them above the relevance cut (the rest are weak). `depth` is how many passages each retrieval
    leg looked at (0: no limit): a count that reaches it is a lower bound (`total_capped`,
    `relevant_capped`), since more passages may match beyond it.
    """

    query: str
    hits: tuple[Hit, ...]
    total: int
    offset: int
    exact: bool
    terms: tuple[str, ...]
    phrases: tuple[str, ...]
    version: str
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    relevant: int = 0
    depth: int = 0

    @property
    def total_capped(self) -> bool:
        """Whether `total` is a lower bound: the engine stopped looking at its depth."""
        return 0 < self.depth <= self.total

    @property
    def relevant_capped(self) -> bool:
        """Whether `relevant` is a lower bound ("N 个以上"): it reaches the depth the engine looks."""
        return 0 < self.depth <= self.relevant

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with every hit."""
        return {
            "query": self.query,
            "total": self.total,
            "relevant": self.relevant,
            "offset": self.offset,
            "exact": self.exact,
            "terms": list(self.terms),
            "phrases": list(self.phrases),
            "version": self.version,
            "seconds": round(self.seconds, 4),
            "notes": list(self.notes),
            "hits": [h.to_json() for h in self.hits],
        }
