"""The sample corpus (corpus/) indexed once per session with the offline model, and a checker over it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from quotes import QuoteChecker
from studykb.db_copy import copy_to_postgres
from studykb.pg import DATABASE_URL_ENV
from tests.conftest import MODEL
from tests.pg_server import PgServer

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


@pytest.fixture(scope="session")
def sample_on_postgres(sample_data: Path, pg_server: PgServer,
                       tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(a data dir holding only the index files, the URL of a database holding the rows) of the sample."""
    url = pg_server.new_database()
    copy_to_postgres(sample_data / "studykb.db", url)
    data = tmp_path_factory.mktemp("quotes-pg") / "data"
    shutil.copytree(sample_data / "versions", data / "versions")
    shutil.copy2(sample_data / "CURRENT", data / "CURRENT")
    return data, url


@pytest.fixture(params=["sqlite", "postgres"])
def any_checker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[QuoteChecker]:
    """The checker over the sample corpus with its rows in SQLite, then in PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("checker")
        return
    from search.engine import Engine

    data, url = request.getfixturevalue("sample_on_postgres")
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    yield QuoteChecker(Engine.open(data))
