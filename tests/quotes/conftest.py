"""A quotation checker over the sample corpus (the session's `sample_data`, tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from quotes import QuoteChecker
from studykb.db_copy import copy_to_postgres
from studykb.pg import DATABASE_URL_ENV
from tests.pg_server import PgServer


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
