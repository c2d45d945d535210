"""The version folder's manifest: written, read back as a frozen Manifest, and refused when garbled."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from search.index_format import MANIFEST, Manifest, check_version, read_manifest, write_manifest
from studykb.errors import IndexCorruptError, IndexMissingError
from studykb.layout import DataDir


@pytest.fixture()
def data(tmp_path: Path) -> DataDir:
    data = DataDir(tmp_path)
    folder = data.version_path("v000001")
    folder.mkdir(parents=True)
    (folder / "chunk_ids.npy").write_bytes(b"\x00" * 16)
    (folder / "bm25").mkdir()
    (folder / "bm25" / "vocab.json").write_text('{"学习": 0}', encoding="utf-8")
    write_manifest(folder, {"name": "v000001", "model": "m", "dim": 4, "index_type": "flat", "n_chunks": 2,
                            "chunking": {"max_chars": 320, "overlap": 60}})
    return data


def test_written_manifest_reads_back_frozen(data: DataDir) -> None:
    manifest = read_manifest(data, "v000001")
    assert (manifest.model, manifest.dim, manifest.index_type) == ("m", 4, "flat")
    assert manifest.chunking == {"max_chars": 320, "overlap": 60}
    assert set(manifest["files"]) == {"chunk_ids.npy", "bm25/vocab.json"}
    assert manifest.checksum == manifest["checksum"] and manifest.get("absent", 7) == 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        manifest.fields = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        manifest.fields["model"] = "other"  # type: ignore[index]
    assert check_version(data, "v000001", checksums=True).manifest == manifest


def test_garbled_manifest_is_refused_unless_taken_as_written(data: DataDir) -> None:
    path = data.version_path("v000001") / MANIFEST
    fields = json.loads(path.read_text(encoding="utf-8"))
    fields["model"] = "changed"
    path.write_text(json.dumps(fields), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="does not match its own checksum") as caught:
        read_manifest(data, "v000001")
    assert "studykb ingest" in str(caught.value)
    assert read_manifest(data, "v000001", checked=False).model == "changed"


def test_missing_version_and_unreadable_manifest(data: DataDir) -> None:
    with pytest.raises(IndexMissingError, match="v000009"):
        read_manifest(data, "v000009")
    (data.version_path("v000001") / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="not valid JSON"):
        read_manifest(data, "v000001", checked=False)


def test_empty_manifest_has_no_chunking() -> None:
    assert Manifest().chunking == {} and len(Manifest({"chunking": "garbled"}).chunking) == 0
