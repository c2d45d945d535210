"""Tests for search.original: an indexed document's original file is served only from inside its corpus
root and only while its bytes are the ones that were ingested."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.engine import Engine
from search.original import read_original
from search.records import DocumentInfo
from studykb.errors import OriginalUnavailableError


def document(data: Path, path: str) -> DocumentInfo:
    return next(d for d in Engine.open(data).documents() if d.path == path)


def test_the_ingested_file_is_served(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    assert read_original(document(data, "guide.md")) == (corpus / "guide.md").read_bytes()


def test_a_file_replaced_by_a_link_out_of_the_corpus_is_refused(workspace: tuple[Path, Path],
                                                                tmp_path: Path) -> None:
    """Even with the very same bytes: a link that leaves the corpus can be re-pointed at any time."""
    corpus, data = workspace
    doc = document(data, "guide.md")
    outside = tmp_path / "elsewhere.md"
    outside.write_bytes((corpus / "guide.md").read_bytes())
    (corpus / "guide.md").unlink()
    (corpus / "guide.md").symlink_to(outside)
    with pytest.raises(OriginalUnavailableError, match="outside"):
        read_original(doc)


def test_a_link_re_pointed_at_the_database_is_refused(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    doc = document(data, "english.md")
    (corpus / "english.md").unlink()
    (corpus / "english.md").symlink_to(data / "studykb.db")
    with pytest.raises(OriginalUnavailableError):
        read_original(doc)


def test_a_changed_file_is_refused(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    doc = document(data, "guide.md")
    with open(corpus / "guide.md", "ab") as fh:
        fh.write(b"\nappended\n")
    with pytest.raises(OriginalUnavailableError, match="changed"):
        read_original(doc)
    (corpus / "guide.md").write_bytes(b"x" * (corpus / "guide.md").stat().st_size)  # same size, other bytes
    with pytest.raises(OriginalUnavailableError, match="changed"):
        read_original(doc)


def test_a_missing_file_or_a_path_climbing_out_is_refused(workspace: tuple[Path, Path]) -> None:
    from dataclasses import replace

    corpus, data = workspace
    doc = document(data, "guide.md")
    with pytest.raises(OriginalUnavailableError):
        read_original(replace(doc, path="../data/studykb.db"))
    (corpus / "guide.md").unlink()
    with pytest.raises(OriginalUnavailableError, match="missing"):
        read_original(doc)


def test_a_link_inside_the_corpus_to_the_same_bytes_is_served(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    doc = document(data, "guide.md")
    (corpus / "sub").mkdir()
    (corpus / "guide.md").rename(corpus / "sub" / "guide.md")
    (corpus / "guide.md").symlink_to(Path("sub") / "guide.md")
    assert read_original(doc) == (corpus / "sub" / "guide.md").read_bytes()
