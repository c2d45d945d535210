"""GET /v1/visits/stats and organiser writes of visits, over the API test library with the 12-unit tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from activity.units import import_units, set_member_unit
from api.keys import create_key
from sites import store
from studykb.db import connect
from studykb.pg import DATABASE_URL_ENV
from tests.activity.activity_samples import MAINTAINER, UNIT_COLUMNS, UNITS, csv_text
from tests.api.conftest import bearer
from tests.pg_server import PgServer, move_to_postgres


@pytest.fixture(params=["sqlite", "postgres"])
def data_dir(request: pytest.FixtureRequest, workspace: tuple[Path, Path],
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The indexed data dir with its rows in SQLite, or in PostgreSQL (the dir then holds index files)."""
    data = workspace[1]
    if request.param == "sqlite":
        yield data
        return
    server: PgServer = request.getfixturevalue("pg_server")
    monkeypatch.setenv(DATABASE_URL_ENV, move_to_postgres(data, server))
    yield data
    assert not list(data.glob("studykb.db*")), "a SQLite file was written beside PostgreSQL"


def _tree(data_dir: Path) -> str:
    """Import the 12 units, put organiser wangfang in 第一党总支 (zz1); return a shipped site's id."""
    conn = connect(data_dir / "studykb.db")
    units = data_dir / "units.csv"
    units.write_text(csv_text(UNIT_COLUMNS, UNITS), encoding="utf-8")
    import_units(conn, MAINTAINER, units)
    set_member_unit(conn, MAINTAINER, "wangfang", "zz1")
    store.ensure_loaded(conn)
    site_id = store.list_sites(conn, store.SiteFilter())[0].site.id
    conn.close()
    return site_id


def _visit(site_id: str, unit: str, **over: object) -> dict[str, object]:
    body: dict[str, object] = {"site_id": site_id, "date": "2026-07-01", "unit_id": unit,
                               "participants": 25, "activity": "主题党日", "topic": "重温入党誓词"}
    return body | over


def test_organiser_records_visits_in_their_subtree_and_stats_count_them(
    client: TestClient, keys: dict[str, str], data_dir: Path
) -> None:
    site_id = _tree(data_dir)
    org = bearer(keys["wangfang"])
    assert client.post("/v1/visits", json=_visit(site_id, "zb11")).status_code == 401
    made = client.post("/v1/visits", json=_visit(site_id, "zb11", id="v1"), headers=org)
    assert made.status_code == 201 and made.json()["unit_id"] == "zb11"
    assert client.post("/v1/visits", json=_visit(site_id, "zb12", id="v2", participants=5),
                       headers=org).status_code == 201
    other = client.post("/v1/visits", json=_visit(site_id, "zb21"), headers=org)
    assert other.status_code == 403 and other.json()["error"]["code"]
    again = client.post("/v1/visits", json=_visit(site_id, "zb11", id="v1"), headers=org)
    assert again.status_code == 409
    edited = client.put("/v1/visits/v2", json=_visit(site_id, "zb12", participants=7), headers=org)
    assert edited.status_code == 200 and edited.json()["participants"] == 7

    by_unit = client.get("/v1/visits/stats", params={"by": "unit"}).json()
    assert {(c["key"], c["visits"], c["participants"]) for c in by_unit} == {
        ("zb11", 1, 25), ("zb12", 1, 7)
    }
    month = client.get("/v1/visits/stats", params={"by": "month", "from": "2026-07-01"}).json()
    assert month == [{"key": "2026-07", "visits": 2, "participants": 32}]
    assert client.get("/v1/visits/stats", params={"by": "site", "to": "2026-06-30"}).json() == []


def test_bad_visits_and_stats_parameters_are_json_errors(
    client: TestClient, keys: dict[str, str], data_dir: Path
) -> None:
    site_id = _tree(data_dir)
    org = bearer(keys["wangfang"])
    for bad in (_visit(site_id, "zb11", date="2026-02-31"), _visit("no-such-site", "zb11"),
                _visit(site_id, "zb11", participants=-3), _visit(site_id, "zb11", activity="聚餐")):
        response = client.post("/v1/visits", json=bad, headers=org)
        assert 400 <= response.status_code < 500 and "error" in response.json(), bad
    assert client.get("/v1/visits/stats", params={"by": "planet"}).status_code == 422
    unknown = client.get("/v1/visits/stats", params={"by": "unit", "unit": "nowhere"})
    assert unknown.status_code == 400 and "error" in unknown.json()


def test_a_key_issued_to_a_unit_writes_only_in_that_units_subtree(
    client: TestClient, keys: dict[str, str], data_dir: Path
) -> None:
    site_id = _tree(data_dir)
    portal = bearer(keys["organiser"])  # key-only organiser key issued to 第二党总支 (zz2)
    assert client.post("/v1/visits", json=_visit(site_id, "zb21", id="p1"), headers=portal).status_code == 201
    outside = client.post("/v1/visits", json=_visit(site_id, "zb11", id="p2"), headers=portal)
    assert outside.status_code == 403 and outside.json()["error"]["code"]

    conn = connect(data_dir / "studykb.db")
    narrow = create_key(conn, "wangfang-zb11", "organiser", unit="zb11", username="wangfang")[1]
    weaker = create_key(conn, "wangfang-read", "member", username="wangfang")[1]
    conn.close()
    # wangfang manages zz1 (zb11, zb12); her key for zb11 may not write for zb12.
    assert client.post("/v1/visits", json=_visit(site_id, "zb11", id="n1"),
                       headers=bearer(narrow)).status_code == 201
    assert client.post("/v1/visits", json=_visit(site_id, "zb12", id="n2"),
                       headers=bearer(narrow)).status_code == 403
    # A member-role key of an organiser account stays a member key on writes.
    assert client.post("/v1/visits", json=_visit(site_id, "zb11", id="n3"),
                       headers=bearer(weaker)).status_code == 403
    by_unit = client.get("/v1/visits/stats", params={"by": "unit"}).json()
    assert {v["key"] for v in by_unit} == {"zb21", "zb11"}
