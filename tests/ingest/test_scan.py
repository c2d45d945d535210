"""Tests for ingest.scan: which entries of a corpus are documents, and which are refused and why
(symbolic links that leave the corpus, broken links, file names that are not UTF-8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.scan import scan
from studykb.errors import ConfigError


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus with one plain document, next to a folder outside it holding a secret."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.md").write_text("# 学习笔记\n\n主题教育。\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (outside / "notes.md").write_text("# 外部\n\n不应被收录。\n", encoding="utf-8")
    return root


def rels(found: list[tuple[Path, str]]) -> list[str]:
    return [rel for _, rel in found]


def test_a_link_to_a_file_outside_the_corpus_is_skipped_with_its_reason(corpus: Path) -> None:
    (corpus / "passwd.txt").symlink_to(corpus.parent / "outside" / "passwd.txt")
    found = scan([corpus])
    assert rels(found.documents) == ["good.md"]
    reasons = dict(found.skipped)
    assert "outside the corpus" in reasons["passwd.txt"] and "link" in reasons["passwd.txt"]


def test_a_link_to_a_folder_outside_the_corpus_is_skipped(corpus: Path) -> None:
    (corpus / "more").symlink_to(corpus.parent / "outside", target_is_directory=True)
    found = scan([corpus])
    assert rels(found.documents) == ["good.md"]
    assert "outside the corpus" in dict(found.skipped)["more"]


def test_a_link_given_on_the_command_line_is_judged_against_the_corpus_root(corpus: Path) -> None:
    (corpus / "passwd.txt").symlink_to(corpus.parent / "outside" / "passwd.txt")
    found = scan([corpus / "passwd.txt"], root=corpus)
    assert found.documents == []
    assert "outside the corpus" in dict(found.skipped)["passwd.txt"]


def test_a_link_inside_the_corpus_is_read_from_its_target(corpus: Path) -> None:
    (corpus / "sub").mkdir()
    (corpus / "sub" / "real.md").write_text("# 真文件\n\n内容。\n", encoding="utf-8")
    (corpus / "alias.md").symlink_to(Path("sub") / "real.md")
    found = scan([corpus])
    assert rels(found.documents) == ["alias.md", "good.md", "sub/real.md"]
    assert dict((rel, p) for p, rel in found.documents)["alias.md"] == (corpus / "sub" / "real.md").resolve()


def test_a_dangling_link_is_skipped_and_the_rest_found(corpus: Path) -> None:
    (corpus / "gone.md").symlink_to(corpus / "never-there.md")
    found = scan([corpus])
    assert rels(found.documents) == ["good.md"]
    assert "broken" in dict(found.skipped)["gone.md"]


def test_a_file_name_that_is_not_utf8_fails_with_the_name_escaped(corpus: Path) -> None:
    with open(os.fsencode(corpus) + b"/\xff\xfe.txt", "wb") as fh:
        fh.write("不是 UTF-8 的文件名。".encode())
    os.mkdir(os.fsencode(corpus) + b"/bad\xffdir")
    with open(os.fsencode(corpus) + b"/bad\xffdir/inner.md", "wb") as fh:
        fh.write(b"# x\n")
    found = scan([corpus])
    assert rels(found.documents) == ["good.md"]
    failed = dict(found.failed)
    assert set(failed) == {"\\xff\\xfe.txt", "bad\\xffdir"}
    assert "UTF-8" in failed["\\xff\\xfe.txt"] and "rename" in failed["\\xff\\xfe.txt"]
    for name in failed:
        name.encode("utf-8")  # safe to print, store and put in JSON


def test_paths_inside_a_given_root_keep_that_root_and_form_the_scope(corpus: Path) -> None:
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.md").write_text("# a\n", encoding="utf-8")
    found = scan([corpus / "sub", corpus / "good.md"], root=corpus)
    assert found.root == corpus.resolve()
    assert rels(found.documents) == ["good.md", "sub/a.md"]
    assert found.scope == ("good.md", "sub")
    assert scan([corpus]).scope == ()


def test_a_path_outside_the_given_root_is_a_config_error(corpus: Path) -> None:
    with pytest.raises(ConfigError, match="outside"):
        scan([corpus.parent / "outside"], root=corpus)


def test_a_fifo_named_like_a_document_is_skipped_not_read(corpus: Path) -> None:
    os.mkfifo(corpus / "pipe.md")  # reading it would block the ingest forever
    found = scan([corpus])
    assert rels(found.documents) == ["good.md"]
    assert "not a regular file" in dict(found.skipped)["pipe.md"]
