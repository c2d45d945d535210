"""A quotation checker over the sample corpus (the session's `sample_data`, tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotes import QuoteChecker


@pytest.fixture(scope="session")
def checker(sample_data: Path) -> QuoteChecker:
    from search.engine import Engine

    return QuoteChecker(Engine.open(sample_data))
