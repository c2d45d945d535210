"""IndexStore on a real (SQLite) database: a document with its passages, versions, the embedding cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from studykb.db import connect, write
from studykb.index_store import IndexStore

DOC = ("a.txt", "/corpus", "c" * 64, "m", "txt", "标题", None, None, None, None, "[]", None, 10, 0.0,
       "浦江经验是什么", "[0]", "[]")
CHUNK = (0, "浦江经验是什么", "h1", "e1", 0, 7, None, None, "[]", "浦江 经验", None)


@pytest.fixture()
def store(tmp_path: Path) -> IndexStore:
    return IndexStore(connect(tmp_path / "studykb.db"))


def test_document_version_and_phrases(store: IndexStore) -> None:
    with write(store.conn):
        doc_id = store.add_document(DOC, [CHUNK], ["浦江经验是什么"])
        version_id = store.create_version("v000001", "m", [doc_id])
        store.mark_published(version_id, dim=4, index_type="flat", n_documents=1, n_chunks=1, checksum="x")
    assert store.reusable_document("a.txt", "/corpus", "c" * 64, "m") == doc_id
    [chunk_id] = store.version_chunk_ids(version_id)
    assert store.phrase_ids("浦江经验") == [chunk_id] and store.phrase_ids("浦") == [chunk_id]
    assert store.newest_published() == "v000001" and store.kept_names() == ["v000001"]
    assert store.corpus_root("v000001") == "/corpus"
    assert store.text_hashes([chunk_id, 999]) == {chunk_id: "h1"}


def test_embedding_cache_and_garbage(store: IndexStore) -> None:
    with write(store.conn):
        doc_id = store.add_document(DOC, [CHUNK], ["浦江经验是什么"])
        version_id = store.create_version("v000001", "m", [doc_id])
        store.save_vectors("m", [("e1", b"\x00" * 16), ("gone", b"\x01" * 16)])
    assert store.cached("m", ["e1", "gone", "never"]) == {"e1", "gone"}
    assert store.version_vectors(version_id, "m") == [b"\x00" * 16]
    with write(store.conn):
        store.delete_versions([version_id])
    assert store.cached("m", ["e1", "gone"]) == set()  # no passage uses them any more
    assert store.all_chunks() == []


def test_all_chunks_takes_only_column_names(store: IndexStore) -> None:
    with pytest.raises(ValueError, match="not a list of columns"):
        store.all_chunks("id FROM chunks; DROP TABLE chunks --")
