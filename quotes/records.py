"""Records of a quotation check: a quotation found in a draft, its source, the diff, the verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["STATUSES", "DiffOp", "DraftReport", "Quotation", "Source", "Status", "Verdict"]

#: exact: verbatim in the library; near: the closest passage differs; not_found: nothing close enough;
#: term: a short quoted term (“两个确立”), listed but not checked as a sentence.
Status = Literal["exact", "near", "not_found", "term"]
STATUSES: tuple[Status, ...] = ("exact", "near", "not_found", "term")


@dataclass(frozen=True)
class Quotation:
    """A span of a draft that quotes something: `text` is draft[start:end], without the marks.

    `mark` is the opening quotation mark (“ 「 『 ") or the introducing word (指出：) for a sentence
    quoted without marks; `term` is true for spans too short to check as a sentence.
    """

    text: str
    start: int
    end: int
    mark: str
    term: bool = False

    def __repr__(self) -> str:
        term = ", term" if self.term else ""
        return f"Quotation({self.text[:20]!r}, {self.start}:{self.end}, {self.mark!r}{term})"


@dataclass(frozen=True)
class DiffOp:
    """One step of the character diff from the quotation to the source passage.

    `op` is "equal", "changed" (draft has `draft`, source has `source`), "extra" (only in the draft)
    or "missing" (only in the source).
    """

    op: Literal["equal", "changed", "extra", "missing"]
    draft: str
    source: str


@dataclass(frozen=True)
class Source:
    """Where a quotation was found: the passage, its document and the source text verbatim."""

    chunk_id: int
    document_id: int
    path: str
    title: str
    issuer: str | None
    date: str | None
    page: int | None
    heading_path: tuple[str, ...]
    text: str
    also_in: tuple[str, ...] = ()

    @property
    def link(self) -> str:
        """The app URL (relative to the server) that opens the reader at this passage."""
        return f"/quotes?passage={self.chunk_id}"

    @property
    def citation(self) -> str:
        """《title》，issuer，date，第 N 页，heading — the parts that are known."""
        parts = [f"《{self.title}》"]
        parts += [p for p in (self.issuer, self.date) if p]
        if self.page:
            parts.append(f"第{self.page}页")
        if self.heading_path:
            parts.append(" › ".join(self.heading_path))
        return "，".join(parts)


@dataclass(frozen=True)
class Verdict:
    """The check of one quotation: status, similarity (0–1) to the source, the source and the diff."""

    quotation: Quotation
    status: Status
    score: float = 0.0
    source: Source | None = None
    diff: tuple[DiffOp, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: text, status, score, path (null when not found), source details, diff."""
        src = self.source
        return {
            "text": self.quotation.text,
            "start": self.quotation.start,
            "end": self.quotation.end,
            "mark": self.quotation.mark,
            "status": self.status,
            "score": round(self.score, 4),
            "path": src.path if src else None,
            "source": {**asdict(src), "citation": src.citation, "link": src.link} if src else None,
            "diff": [asdict(d) for d in self.diff if d.op != "equal"],
        }


@dataclass(frozen=True)
class DraftReport:
    """The checked draft: its text, one verdict per quotation (in draft order), and the time taken."""

    text: str
    verdicts: tuple[Verdict, ...]
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """Number of quotations per status (every status present, zeros included)."""
        found = Counter(v.status for v in self.verdicts)
        return {s: found.get(s, 0) for s in STATUSES}

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: `counts`, `quotes` (one per quotation), `seconds`."""
        return {
            "counts": self.counts,
            "quotes": [v.to_json() for v in self.verdicts],
            "characters": len(self.text),
            "seconds": round(self.seconds, 4),
        }
