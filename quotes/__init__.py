"""原文核对: find the quotations of a draft and check each against the library (exact / near / not found).

    from quotes import QuoteChecker
    report = QuoteChecker(Engine.open("data")).check(draft_text)
"""

from __future__ import annotations

from .check import QuoteChecker
from .draft import read_draft, read_upload
from .export import to_docx
from .extract import extract_quotations
from .records import DiffOp, DraftReport, Quotation, Source, Verdict

__all__ = [
    "DiffOp",
    "DraftReport",
    "QuoteChecker",
    "Quotation",
    "Source",
    "Verdict",
    "extract_quotations",
    "read_draft",
    "read_upload",
    "to_docx",
]
