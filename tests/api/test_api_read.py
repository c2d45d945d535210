"""Read endpoints over the real small index: search, passages, documents, lists, sites, health, metrics,
OpenAPI — and what bad or hostile input gets back (a JSON error, never a stack trace)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import REPRINT


def _error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert "Traceback" not in response.text
    return body["error"]


def test_health_reports_index_version_and_database(client: TestClient) -> None:
    body = client.get("/v1/health").json()
    assert body["status"] == "ok" and body["database"] is True
    assert body["index_version"].startswith("v") and body["passages"] > 0 and body["documents"] == 5


def test_health_is_503_without_an_index(tmp_path: Path) -> None:
    from api import create_app

    with TestClient(create_app(tmp_path / "empty", warm=False)) as client:
        response = client.get("/v1/health")
        assert response.status_code == 503
        assert response.json()["index_version"] is None and response.json()["database"] is True
        _error(client.get("/v1/search", params={"q": "学习"}), 503, "index_missing")


def test_search_returns_hits_with_citation_place_snippet_and_reprints(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "浦江经验", "k": 3}).json()
    assert body["total"] >= 1 and len(body["hits"]) <= 3
    top = body["hits"][0]
    assert top["document"]["title"] == "浙江基层治理经验"
    assert top["citation"].startswith("《浙江基层治理经验》，2023-06-01")
    assert top["heading_path"] == ["一、浦江经验"]
    assert "浦江经验" in top["snippet"] and "浦江经验" in top["text"]
    assert "root" not in top["document"]  # the server's folders stay private
    reprint = client.get("/v1/search", params={"q": REPRINT[:20], "k": 1}).json()["hits"][0]
    assert REPRINT in reprint["text"] and len(reprint["also_in"]) == 1


def test_search_carries_the_relevance_floor(client: TestClient) -> None:
    good = client.get("/v1/search", params={"q": "浦江经验", "k": 5}).json()
    assert good["relevant"] >= 1 and good["hits"][0]["weak"] is False
    nonsense = client.get("/v1/search", params={"q": "氪星 斑马 量子 煎饼 火山", "k": 10}).json()
    assert nonsense["relevant"] < 100
    assert [h["weak"] for h in nonsense["hits"]] == sorted(h["weak"] for h in nonsense["hits"])


def test_search_filters_and_paging_as_in_the_cli(client: TestClient) -> None:
    only = client.get("/v1/search", params={"q": "学习", "category": "摘编", "k": 50}).json()["hits"]
    assert only and {h["document"]["category"] for h in only} == {"摘编"}
    dated = client.get("/v1/search", params={"q": "学习", "from": "2023-01-01", "k": 50}).json()["hits"]
    assert dated and all(h["document"]["date"] >= "2023-01-01" for h in dated)
    first = client.get("/v1/search", params={"q": "学习", "k": 2}).json()["hits"]
    second = client.get("/v1/search", params={"q": "学习", "k": 2, "offset": 2}).json()["hits"]
    assert {h["passage_id"] for h in first}.isdisjoint(h["passage_id"] for h in second)
    err = _error(client.get("/v1/search", params={"q": "学习", "from": "2023-13-45"}), 400, "bad_request")
    assert "2023-04-10" in err["detail"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": "学习", "k": -3}, 422, "invalid_parameter"),
        ({"q": "学习", "k": 201}, 422, "invalid_parameter"),
        ({"q": "学习", "k": "many"}, 422, "invalid_parameter"),
        ({"q": "学习", "offset": -1}, 422, "invalid_parameter"),
        ({}, 422, "invalid_parameter"),
        ({"q": "   "}, 400, "bad_query"),
        ({"q": "学" * 5000}, 400, "bad_query"),
    ],
    ids=["negative-k", "k-over-200", "k-not-a-number", "negative-offset", "no-q", "blank-q", "oversized-q"],
)
def test_bad_search_parameters_are_json_errors(
    client: TestClient, params: dict, status: int, code: str
) -> None:
    error = _error(client.get("/v1/search", params=params), status, code)
    assert error["message"] and not error["message"].isascii()  # a Chinese message


def test_negative_k_names_the_parameter_in_chinese(client: TestClient) -> None:
    error = _error(client.get("/v1/search", params={"q": "学习", "k": -3}), 422, "invalid_parameter")
    assert error["message"] == "参数不合法——k：不能小于 1。"


@pytest.mark.parametrize(
    "q",
    [
        "' OR 1=1 --",
        '"; DROP TABLE chunks; --',
        "chunk_fts MATCH '*'",
        '"浦江" OR "x"',
        "<script>alert(1)</script>",
        "%00%27",
        "\u0000学习",
        "NEAR(学习 经验)",
        '"""',
    ],
    ids=["sql-or", "sql-drop", "fts-match", "fts-or", "html", "encoded", "nul", "fts-near", "quotes"],
)
def test_injection_strings_are_searched_as_text(client: TestClient, data_dir: Path, q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code in (200, 400), response.text
    assert "error" in response.json() or "hits" in response.json()
    conn = sqlite3.connect(data_dir / "studykb.db")
    assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] > 0  # nothing dropped


def test_passage_and_similar(client: TestClient) -> None:
    hit = client.get("/v1/search", params={"q": "千万工程", "k": 1}).json()["hits"][0]
    passage = client.get(f"/v1/passages/{hit['passage_id']}").json()
    assert passage["text"] == hit["text"] and passage["citation"] == hit["citation"]
    similar = client.get(f"/v1/passages/{hit['passage_id']}/similar", params={"k": 3}).json()
    assert similar and all(s["document"]["id"] != hit["document"]["id"] for s in similar)
    _error(client.get("/v1/passages/999999"), 404, "not_found")
    _error(client.get("/v1/passages/999999/similar"), 404, "not_found")
    _error(client.get("/v1/passages/abc"), 422, "invalid_parameter")


def test_document_with_text_and_pages(client: TestClient) -> None:
    hit = client.get("/v1/search", params={"q": "楓橋經驗", "k": 1}).json()["hits"][0]
    doc = client.get(f"/v1/documents/{hit['document']['id']}").json()
    assert doc["title"] == hit["document"]["title"] and hit["text"] in doc["text"]
    assert "text" not in client.get(f"/v1/documents/{doc['id']}", params={"text": "false"}).json()
    _error(client.get("/v1/documents/424242"), 404, "not_found")


def test_public_lists_and_sites(client: TestClient) -> None:
    assert client.get("/v1/lists").json() == []
    _error(client.get("/v1/lists/1"), 404, "not_found")
    sites = client.get("/v1/sites", params={"province": "浙江省"}).json()
    assert sites and {s["province"] for s in sites} == {"浙江省"}
    found = client.get("/v1/sites", params={"q": "南湖"}).json()
    assert any("南湖" in s["name"] for s in found)
    one = client.get(f"/v1/sites/{sites[0]['id']}").json()
    assert one["lat"] == sites[0]["lat"] and isinstance(one["approximate"], bool)
    geo = client.get("/v1/sites.geojson", params={"province": "浙江省"}).json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == len(sites)
    feature = next(f for f in geo["features"] if f["id"] == sites[0]["id"])
    assert feature["geometry"]["coordinates"] == [sites[0]["lon"], sites[0]["lat"]]  # GeoJSON: lon, lat
    _error(client.get("/v1/sites/no-such-site"), 404, "not_found")


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/v1/search", "/v1/lists", "/v1/sites.geojson", "/v1/documents/{document_id}/file"} <= set(
        schema["paths"]
    )
    assert "examples" in schema["components"]["schemas"]["ListIn"]
    assert "422" in schema["paths"]["/v1/search"]["get"]["responses"]
    assert client.get("/docs").status_code == 200


def test_docs_pages_load_their_scripts_from_the_app_not_a_cdn(client: TestClient) -> None:
    """Offline (an intranet) a CDN-hosted Swagger UI is a blank page."""
    import re

    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
        assert assets and all(a.startswith("/") for a in assets), (page, assets)
        for asset in assets:
            answer = client.get(asset)
            assert answer.status_code == 200 and len(answer.content) > 10_000, asset


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    _error(client.get("/v2/nothing"), 404, "not_found")
    _error(client.put("/v1/search"), 405, "method_not_allowed")


def test_metrics_count_requests_errors_and_index_version(client: TestClient) -> None:
    client.get("/v1/search", params={"q": "学习"})
    client.get("/v1/search", params={"q": "学习", "k": -3})
    version = client.get("/v1/health").json()["index_version"]
    text = client.get("/metrics").text
    assert 'studykb_api_requests_total{method="GET",route="/v1/search",status="200"}' in text
    assert 'studykb_api_errors_total{code="invalid_parameter"}' in text
    assert 'studykb_api_request_seconds_bucket{le="0.05",route="/v1/search"}' in text
    assert f'studykb_index_info{{version="{version}"}} 1.0' in text


def test_a_damaged_index_is_503_without_server_paths(
    data_dir: Path, make_client: Callable[..., TestClient]
) -> None:
    faiss = next(data_dir.glob("versions/*/faiss.index"))
    faiss.write_bytes(faiss.read_bytes()[:1000])
    response = make_client().get("/v1/search", params={"q": "浦江经验"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "index_unavailable"
    assert str(data_dir) not in response.text and "faiss" not in response.text
