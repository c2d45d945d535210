"""The HTTP API over PostgreSQL: the data dir holds only index files, and a database restart costs the
requests of that moment a clear 503, never the process (the next requests succeed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from studykb.pg import DATABASE_URL_ENV
from tests.pg_server import PgServer, move_to_postgres


@pytest.fixture
def client(workspace: tuple[Path, Path], pg_server: PgServer,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    data = workspace[1]
    monkeypatch.setenv(DATABASE_URL_ENV, move_to_postgres(data, pg_server))
    with TestClient(create_app(data, warm=False), raise_server_exceptions=False) as client:
        yield client
    assert not list(data.glob("studykb.db*"))


def test_search_and_lists_read_their_rows_from_postgres(client: TestClient) -> None:
    health = client.get("/v1/health")
    assert health.status_code == 200 and health.json()["database"] is True
    hits = client.get("/v1/search", params={"q": "浦江经验", "k": 3}).json()["hits"]
    assert hits and "浦江" in hits[0]["text"]
    assert client.get("/v1/sites").status_code == 200


def test_a_database_restart_is_a_503_for_that_moment_then_requests_succeed(
    client: TestClient, pg_server: PgServer
) -> None:
    assert client.get("/v1/sites").status_code == 200
    pg_server.stop()
    try:
        down = client.get("/v1/sites")
        assert down.status_code == 503
        error = down.json()["error"]
        assert error["code"] == "database_unavailable" and "数据库暂时无法连接" in error["message"]
        assert str(pg_server.port) not in down.text  # the server's address stays in the log
        assert client.get("/v1/health").status_code == 503
    finally:
        pg_server.start()
    assert client.get("/v1/sites").status_code == 200
    assert client.get("/v1/health").status_code == 200
