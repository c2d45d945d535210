"""The calibration set of quotations (tests/quotes/calibration.json) run through a checker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .check import QuoteChecker
from .records import Quotation

__all__ = ["CALIBRATION_FILE", "CaseResult", "run_calibration"]

#: Quotations written over the sample corpus, with the kind of each and the document it quotes.
CALIBRATION_FILE = Path(__file__).resolve().parents[1] / "tests" / "quotes" / "calibration.json"


@dataclass(frozen=True)
class CaseResult:
    """One calibration case: kind, expected and found status and document, and the scores."""

    kind: str
    text: str
    expected: str
    status: str
    expected_path: str | None
    path: str | None
    edit: float
    overlap: float

    @property
    def ok(self) -> bool:
        return self.status == self.expected and self.path == self.expected_path


def run_calibration(checker: QuoteChecker, path: Path = CALIBRATION_FILE) -> list[CaseResult]:
    """Check every case of the calibration file and return the outcome of each."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for case in data["cases"]:
        quotation = Quotation(case["text"], 0, len(case["text"]), "“")
        verdict, alignment = checker.check_with_alignment(quotation)
        out.append(CaseResult(
            case["kind"], case["text"], data["expected"][case["kind"]], verdict.status, case["path"],
            verdict.source.path if verdict.source else None,
            alignment.edit if alignment else 0.0, alignment.overlap if alignment else 0.0,
        ))
    return out
