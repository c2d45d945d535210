"""The sample corpus (corpus/) indexed once per session with the offline model, and a checker over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from quotes import QuoteChecker
from tests.conftest import MODEL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data dir of the whole sample corpus, ingested once (about 30 s)."""
    data = tmp_path_factory.mktemp("quotes") / "data"
    report = ingest([ROOT / "corpus"], data, IngestOptions(model=MODEL))
    assert not report.failed, report.failed
    return data


@pytest.fixture(scope="session")
def checker(sample_data: Path) -> QuoteChecker:
    from search.engine import Engine

    return QuoteChecker(Engine.open(sample_data))
