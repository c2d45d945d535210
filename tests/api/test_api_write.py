"""Write endpoints with API keys: 401 without a key, 403 for the wrong role (the stores' rules), 409 on a
stale revision, and the configurable limits (require_key, body size, rate, CORS)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.keys import revoke_key
from studykb.db import connect
from tests.api.conftest import bearer


def _code(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.json()["error"]["code"])


def _passage(client: TestClient, q: str = "浦江经验") -> int:
    return int(client.get("/v1/search", params={"q": q, "k": 1}).json()["hits"][0]["passage_id"])


def test_writes_need_a_key(client: TestClient) -> None:
    response = client.post("/v1/lists", json={"title": "五月清单"})
    assert response.status_code == 401 and _code(response) == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.post("/v1/sites/sh-songhu-memorial/hide").status_code == 401


def test_unknown_or_revoked_key_is_401_even_for_reads(
    client: TestClient, keys: dict[str, str], data_dir: Path
) -> None:
    assert client.get("/v1/lists", headers=bearer("skb_not-a-real-key")).status_code == 401
    assert client.get("/v1/lists", headers={"X-API-Key": keys["organiser"]}).status_code == 200
    revoke_key(connect(data_dir / "studykb.db"), "portal-org")
    response = client.post("/v1/lists", json={"title": "x"}, headers=bearer(keys["organiser"]))
    assert response.status_code == 401


def test_member_key_is_forbidden_to_edit_lists_and_sites(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/v1/lists", json={"title": "五月清单"}, headers=bearer(keys["member"]))
    assert response.status_code == 403 and _code(response) == "forbidden"
    assert "organiser" in response.json()["error"]["detail"]
    assert client.post("/v1/sites/sh-songhu-memorial/hide", headers=bearer(keys["lihua"])).status_code == 403


def test_list_lifecycle_with_an_organiser_key(client: TestClient, keys: dict[str, str]) -> None:
    org = bearer(keys["organiser"])
    created = client.post(
        "/v1/lists", json={"title": "五月理论学习清单", "period_start": "2024-05-01"}, headers=org
    )
    assert created.status_code == 201
    lst = created.json()
    assert lst["status"] == "draft" and lst["owner"] == "portal-org"
    assert client.get("/v1/lists").json() == []  # drafts are not public
    assert client.get(f"/v1/lists/{lst['id']}").status_code == 403
    first = client.post(
        f"/v1/lists/{lst['id']}/items", json={"passage_id": _passage(client), "note": "重点"}, headers=org
    )
    assert first.status_code == 201 and first.json()["status"] == "found"
    doc_id = client.get("/v1/search", params={"q": "楓橋經驗", "k": 1}).json()["hits"][0]["document"]["id"]
    second = client.post(f"/v1/lists/{lst['id']}/items", json={"document_id": doc_id}, headers=org).json()
    revision = second["list"]["revision"]
    dup = client.post(f"/v1/lists/{lst['id']}/items", json={"document_id": doc_id}, headers=org)
    assert dup.status_code == 422 and _code(dup) == "invalid"
    stale = client.post(f"/v1/lists/{lst['id']}/publish", json={"revision": revision - 1}, headers=org)
    assert stale.status_code == 409 and _code(stale) == "conflict"
    published = client.post(f"/v1/lists/{lst['id']}/publish", json={"revision": revision}, headers=org).json()
    assert published["status"] == "published"
    public = client.get(f"/v1/lists/{lst['id']}").json()
    assert [i["kind"] for i in public["items_detail"]] == ["passage", "document"]
    assert public["items_detail"][0]["note"] == "重点" and "浦江经验" in public["items_detail"][0]["text"]
    ids = [i["id"] for i in public["items_detail"]]
    reordered = client.put(
        f"/v1/lists/{lst['id']}/order",
        json={"revision": published["revision"], "item_ids": ids[::-1]},
        headers=org,
    ).json()
    assert [i["id"] for i in reordered["items_detail"]] == ids[::-1]
    noted = client.patch(
        f"/v1/lists/{lst['id']}/items/{ids[0]}",
        json={"revision": reordered["revision"], "note": "先读", "move": -1},
        headers=org,
    ).json()
    assert [i["id"] for i in noted["items_detail"]] == ids and noted["items_detail"][0]["note"] == "先读"
    renamed = client.patch(
        f"/v1/lists/{lst['id']}", json={"revision": noted["revision"], "title": "六月清单"}, headers=org
    ).json()
    assert renamed["title"] == "六月清单"
    removed = client.delete(
        f"/v1/lists/{lst['id']}/items/{ids[1]}", params={"revision": renamed["revision"]}, headers=org
    ).json()
    assert [i["id"] for i in removed["items_detail"]] == [ids[0]]
    gone = client.delete(f"/v1/lists/{lst['id']}", params={"revision": removed["revision"]}, headers=org)
    assert gone.status_code == 204 and client.get(f"/v1/lists/{lst['id']}").status_code == 404


def test_items_must_belong_to_the_list_in_the_path(client: TestClient, keys: dict[str, str]) -> None:
    org = bearer(keys["organiser"])
    a = client.post("/v1/lists", json={"title": "甲"}, headers=org).json()
    b = client.post("/v1/lists", json={"title": "乙"}, headers=org).json()
    item = client.post(
        f"/v1/lists/{a['id']}/items", json={"passage_id": _passage(client)}, headers=org
    ).json()
    wrong = client.delete(f"/v1/lists/{b['id']}/items/{item['id']}", params={"revision": 1}, headers=org)
    assert wrong.status_code == 404
    both = client.post(f"/v1/lists/{a['id']}/items", json={"passage_id": 1, "document_id": 1}, headers=org)
    assert both.status_code == 422
    missing = client.post(f"/v1/lists/{a['id']}/items", json={"passage_id": 999999}, headers=org)
    assert missing.status_code == 404


def test_progress_is_the_linked_accounts_own(client: TestClient, keys: dict[str, str]) -> None:
    org = bearer(keys["wangfang"])
    lst = client.post("/v1/lists", json={"title": "必读"}, headers=org).json()
    item = client.post(
        f"/v1/lists/{lst['id']}/items", json={"passage_id": _passage(client)}, headers=org
    ).json()
    client.post(f"/v1/lists/{lst['id']}/publish", json={"revision": item["list"]["revision"]}, headers=org)
    url = f"/v1/lists/{lst['id']}/items/{item['id']}/read"
    unlinked = client.put(url, headers=bearer(keys["member"]))
    assert unlinked.status_code == 403 and "no account" in unlinked.json()["error"]["detail"]
    assert client.put(url, headers=bearer(keys["lihua"])).status_code == 204
    mine = client.get(f"/v1/lists/{lst['id']}", headers=bearer(keys["lihua"])).json()
    assert mine["items_detail"][0]["read_at"]
    assert client.get(f"/v1/lists/{lst['id']}").json()["items_detail"][0]["read_at"] is None
    report = client.get(f"/v1/lists/{lst['id']}/completion", headers=org).json()
    assert report["finished"] == 1 and report["people"][0]["username"] == "lihua"
    assert client.get(f"/v1/lists/{lst['id']}/completion", headers=bearer(keys["lihua"])).status_code == 403
    assert client.delete(url, headers=bearer(keys["lihua"])).status_code == 204
    assert (
        client.get(f"/v1/lists/{lst['id']}", headers=bearer(keys["lihua"])).json()["items_detail"][0][
            "read_at"
        ]
        is None
    )


SITE = {
    "id": "sh-api-test-hall",
    "name": "测试纪念馆",
    "type": "纪念馆",
    "province": "上海市",
    "city": "上海市",
    "district": "黄浦区",
    "address": "测试路 1 号",
    "lat": 31.2222,
    "lon": 121.47,
    "themes": ["建党"],
    "url": "https://example.org",
    "related_queries": ["中共一大"],
    "coord_accuracy_m": 50,
}


def test_sites_add_edit_hide_with_validation(client: TestClient, keys: dict[str, str]) -> None:
    org = bearer(keys["organiser"])
    added = client.post("/v1/sites", json=SITE, headers=org)
    assert added.status_code == 201 and added.json()["themes"] == ["建党"]
    assert client.post("/v1/sites", json=SITE, headers=org).status_code == 409
    bad = client.post(
        "/v1/sites", json=SITE | {"id": "sh-bad", "lat": 45.0, "url": "javascript:alert(1)"}, headers=org
    )
    assert bad.status_code == 422 and "field url" in bad.json()["error"]["detail"]
    assert client.get("/v1/sites/sh-bad").status_code == 404  # nothing stored
    unknown = client.post("/v1/sites", json=SITE | {"colour": "red"}, headers=org)
    assert unknown.status_code == 422 and _code(unknown) == "invalid_parameter"
    rev = added.json()["revision"]
    edited = client.put(
        f"/v1/sites/{SITE['id']}", json=SITE | {"name": "测试陈列馆", "revision": rev}, headers=org
    )
    assert edited.json()["name"] == "测试陈列馆"
    stale = client.put(f"/v1/sites/{SITE['id']}", json=SITE | {"revision": rev}, headers=org)
    assert stale.status_code == 409
    hidden = client.post(f"/v1/sites/{SITE['id']}/hide", headers=org).json()
    assert hidden["hidden"] is True
    assert client.get(f"/v1/sites/{SITE['id']}").status_code == 404
    assert SITE["id"] not in {s["id"] for s in client.get("/v1/sites").json()}
    shown = client.get("/v1/sites", params={"include_hidden": "true"}, headers=org).json()
    assert SITE["id"] in {s["id"] for s in shown}
    assert client.post(f"/v1/sites/{SITE['id']}/unhide", headers=org).json()["hidden"] is False


def test_require_key_makes_reads_need_a_key(
    make_client: Callable[..., TestClient], keys: dict[str, str]
) -> None:
    client = make_client("require_key = true\n")
    assert client.get("/v1/search", params={"q": "学习"}).status_code == 401
    assert client.get("/v1/search", params={"q": "学习"}, headers=bearer(keys["member"])).status_code == 200
    assert client.get("/v1/health").status_code == 200  # for load balancers


def test_a_login_only_library_needs_keys_for_reading(data_dir: Path, keys: dict[str, str]) -> None:
    from api import create_app

    (data_dir / "studykb.toml").write_text("[access]\nrequire_login = true\n", encoding="utf-8")
    with TestClient(create_app(data_dir, warm=False)) as client:
        assert client.get("/v1/sites").status_code == 401
        assert client.get("/v1/sites", headers=bearer(keys["member"])).status_code == 200


def test_oversized_body_is_413(make_client: Callable[..., TestClient], keys: dict[str, str]) -> None:
    client = make_client("max_body_bytes = 2048\n")
    response = client.post(
        "/v1/lists", json={"title": "x", "description": "很" * 4000}, headers=bearer(keys["organiser"])
    )
    assert response.status_code == 413 and _code(response) == "too_large"
    long_title = client.post("/v1/lists", json={"title": "题" * 300}, headers=bearer(keys["organiser"]))
    assert long_title.status_code == 422


def test_malformed_json_is_422(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/lists",
        content=b"{not json",
        headers=bearer(keys["organiser"]) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422 and _code(response) == "invalid_parameter"


def test_rate_limit_is_per_key_and_address(
    make_client: Callable[..., TestClient], keys: dict[str, str]
) -> None:
    client = make_client("rate_limit_per_minute = 5\n")
    answers = [client.get("/v1/lists").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    limited = client.get("/v1/lists")
    assert _code(limited) == "rate_limited" and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/v1/lists", headers=bearer(keys["member"])).status_code == 200  # its own bucket
    assert client.get("/v1/health").status_code == 200  # not limited


def test_cors_origins_from_settings(make_client: Callable[..., TestClient]) -> None:
    client = make_client('cors_origins = ["https://portal.example.org"]\n')
    allowed = client.get("/v1/lists", headers={"Origin": "https://portal.example.org"})
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example.org"
    other = client.get("/v1/lists", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
