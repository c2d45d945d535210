"""Session fixtures over the multilingual USE (the offline default model): the sample corpus
(corpus/) indexed once with it, and its search Engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from studykb.use_model import USE_MODEL

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="session")
def use_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the sample corpus indexed with the multilingual USE (loaded once)."""
    data = tmp_path_factory.mktemp("use") / "data"
    ingest([SAMPLE_CORPUS], data, IngestOptions(model=USE_MODEL))
    return data


@pytest.fixture(scope="session")
def use_engine(use_data: Path):  # type: ignore[no-untyped-def]
    """The search Engine over the sample corpus indexed with the multilingual USE."""
    from search.engine import Engine

    return Engine.open(use_data)
