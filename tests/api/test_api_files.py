"""Downloading originals: only a file inside its corpus folder whose checksum is the ingested one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


def _doc_id(client: TestClient, q: str = "浦江经验") -> int:
    return int(client.get("/v1/search", params={"q": q, "k": 1}).json()["hits"][0]["document"]["id"])


def test_download_is_the_ingested_file(client: TestClient, workspace: tuple[Path, Path]) -> None:
    doc_id = _doc_id(client)
    response = client.get(f"/v1/documents/{doc_id}/file")
    assert response.status_code == 200
    corpus_root = Path(
        sqlite3.connect(workspace[1] / "studykb.db")
        .execute("SELECT root FROM documents WHERE id = ?", (doc_id,))
        .fetchone()[0]
    )
    assert response.content == (corpus_root / "zhejiang.txt").read_bytes()
    assert "zhejiang.txt" in response.headers["content-disposition"]


@pytest.fixture
def private_corpus(workspace: tuple[Path, Path]) -> Path:
    """Point the workspace's documents at its own corpus copy, so tests may change the files."""
    corpus, data = workspace
    conn = sqlite3.connect(data / "studykb.db")
    conn.execute("UPDATE documents SET root = ?", (str(corpus.resolve()),))
    conn.commit()
    return corpus


def test_changed_file_is_refused(client: TestClient, private_corpus: Path) -> None:
    doc_id = _doc_id(client)
    (private_corpus / "zhejiang.txt").write_bytes("篡改后的内容".encode("gb18030"))
    response = client.get(f"/v1/documents/{doc_id}/file")
    assert response.status_code == 409 and response.json()["error"]["code"] == "file_changed"


def test_missing_file_is_404(client: TestClient, private_corpus: Path) -> None:
    doc_id = _doc_id(client)
    (private_corpus / "zhejiang.txt").unlink()
    response = client.get(f"/v1/documents/{doc_id}/file")
    assert response.status_code == 404 and response.json()["error"]["code"] == "file_missing"


def test_path_traversal_in_the_database_is_refused(
    client: TestClient, private_corpus: Path, workspace: tuple[Path, Path]
) -> None:
    secret = private_corpus.parent / "secret.txt"
    secret.write_text("不应被下载", encoding="utf-8")
    conn = sqlite3.connect(workspace[1] / "studykb.db")
    doc_id = conn.execute("SELECT id FROM documents WHERE path = 'zhejiang.txt'").fetchone()[0]
    conn.execute("UPDATE documents SET path = '../secret.txt' WHERE id = ?", (doc_id,))
    conn.commit()  # before the API loads the index, which then lists the tampered path
    response = client.get(f"/v1/documents/{doc_id}/file")
    assert response.status_code == 404 and "不应被下载" not in response.text


def test_symlink_out_of_the_corpus_is_refused(client: TestClient, private_corpus: Path) -> None:
    doc_id = _doc_id(client)
    outside = private_corpus.parent / "outside.txt"
    outside.write_bytes((private_corpus / "zhejiang.txt").read_bytes())  # even with the same bytes
    (private_corpus / "zhejiang.txt").unlink()
    (private_corpus / "zhejiang.txt").symlink_to(outside)
    assert client.get(f"/v1/documents/{doc_id}/file").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/v1/documents/..%2F..%2Fetc%2Fpasswd/file",
        "/v1/documents/../../etc/passwd",
        "/v1/documents/1%2F..%2F..%2Fstudykb.db/file",
    ],
    ids=["encoded", "plain", "encoded-after-id"],
)
def test_path_traversal_in_the_url_is_refused(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422) and "error" in response.json()
    assert "root:" not in response.text and "SQLite" not in response.text
