"""Fixtures for the API tests: the session's real index (tests/conftest.py) copied per test, a TestClient
over it, and keys of each role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.keys import create_key
from studykb import auth
from studykb.db import connect
from tests.activity.activity_samples import import_sample_units


@pytest.fixture
def data_dir(workspace: tuple[Path, Path]) -> Path:
    """A private copy of the indexed data dir (its documents point at the session's corpus folder)."""
    return workspace[1]


@pytest.fixture
def make_client(data_dir: Path) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient over `data_dir`, optionally writing `[api]` settings first."""
    clients: list[TestClient] = []

    def make(api_settings: str = "") -> TestClient:
        if api_settings:
            (data_dir / "studykb.toml").write_text("[api]\n" + api_settings, encoding="utf-8")
        client = TestClient(create_app(data_dir, warm=False), raise_server_exceptions=False)
        clients.append(client)
        return client.__enter__()

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A TestClient with the default settings (public reads, keys for writes)."""
    return make_client()


@pytest.fixture
def keys(data_dir: Path) -> dict[str, str]:
    """Tokens: organiser (unit zz2 of the 12 sample units) and member keys without an account, and keys
    linked to the accounts lihua (member) and wangfang (organiser)."""
    conn = connect(data_dir / "studykb.db")
    import_sample_units(conn, data_dir)
    auth.add_user(conn, "lihua", None, "member", display_name="李华")
    auth.add_user(conn, "wangfang", None, "organiser", display_name="王芳")
    out = {
        "organiser": create_key(conn, "portal-org", "organiser", unit="zz2")[1],
        "member": create_key(conn, "portal-member", "member")[1],
        "lihua": create_key(conn, "lihua-phone", "member", username="lihua")[1],
        "wangfang": create_key(conn, "wangfang-app", "organiser", username="wangfang")[1],
    }
    conn.close()
    return out


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}
