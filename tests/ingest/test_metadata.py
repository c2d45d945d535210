"""Tests for ingest.metadata's length limits: an over-long title, source, author or tag list fails its
document with the file and field named; inferred metadata that is too long is passed over."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.metadata import (
    MAX_AUTHOR_CHARS,
    MAX_SOURCE_CHARS,
    MAX_TAG_CHARS,
    MAX_TAGS,
    MAX_TITLE_CHARS,
    Catalog,
    resolve_meta,
)
from ingest.pipeline import IngestOptions, ingest
from ingest.records import Block, Extracted
from studykb.errors import ConfigError


def catalog_with(root: Path, field: str, toml_value: str) -> Catalog:
    (root / "catalog.toml").write_text(f'[documents."a.md"]\n{field} = {toml_value}\n', encoding="utf-8")
    return Catalog(root)


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("title", '"' + "标" * 2_000_000 + '"', f"at most {MAX_TITLE_CHARS}"),
        ("source", '"' + "源" * (MAX_SOURCE_CHARS + 1) + '"', f"at most {MAX_SOURCE_CHARS}"),
        ("author", '"' + "作" * (MAX_AUTHOR_CHARS + 1) + '"', f"at most {MAX_AUTHOR_CHARS}"),
        ("tags", "[" + ", ".join(f'"t{i}"' for i in range(MAX_TAGS + 1)) + "]", f"at most {MAX_TAGS} tags"),
        ("tags", '["好", "' + "签" * (MAX_TAG_CHARS + 1) + '"]', f"at most {MAX_TAG_CHARS}"),
    ],
    ids=["title-2M", "source", "author", "tag-count", "tag-length"],
)
def test_over_long_catalog_fields_name_the_file_and_field(tmp_path: Path, field: str, value: str,
                                                          detail: str) -> None:
    catalog = catalog_with(tmp_path, field, value)
    with pytest.raises(ConfigError) as caught:
        catalog.lookup("a.md")
    message = str(caught.value)
    assert "catalog.toml" in message and f"'{field}'" in message and detail in message
    assert len(message) < 300  # the over-long value itself is not repeated


def test_fields_at_the_limit_are_accepted(tmp_path: Path) -> None:
    tags = "[" + ", ".join(f'"{i:0{MAX_TAG_CHARS}d}"' for i in range(MAX_TAGS)) + "]"
    (tmp_path / "catalog.toml").write_text(
        f'[documents."a.md"]\ntitle = "{"标" * MAX_TITLE_CHARS}"\ntags = {tags}\n', encoding="utf-8"
    )
    entry = Catalog(tmp_path).lookup("a.md")
    assert len(entry["title"]) == MAX_TITLE_CHARS and len(entry["tags"]) == MAX_TAGS


def test_a_sidecar_is_held_to_the_same_limits(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# a\n", encoding="utf-8")
    (tmp_path / "a.md.meta.toml").write_text(f'title = "{"标" * (MAX_TITLE_CHARS + 1)}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"a\.md\.meta\.toml.*'title'"):
        resolve_meta(tmp_path / "a.md", "a.md", Catalog(tmp_path), None)


def test_an_over_long_inferred_title_falls_back_to_the_file_name(tmp_path: Path) -> None:
    long = "长" * (MAX_TITLE_CHARS + 1)
    extracted = Extracted((Block(long, heading_level=1), Block("正文。")), "md", meta={"title": long,
                                                                                     "author": long})
    meta = resolve_meta(tmp_path / "学习笔记.md", "学习笔记.md", Catalog(tmp_path), extracted)
    assert meta.title == "学习笔记" and meta.author is None


def test_the_document_fails_and_the_others_are_indexed(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    (corpus / "long.md").write_text("# 长标题\n\n红船精神是中国革命精神之源。\n", encoding="utf-8")
    with open(corpus / "catalog.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[documents."long.md"]\ntitle = "{"标" * 2_000_000}"\n')
    (corpus / "fine.md").write_text("# 好文件\n\n下姜村是乡村振兴的样板。\n", encoding="utf-8")
    report = ingest([corpus], data, IngestOptions(model="minilm", max_chars=120, overlap=20))
    outcome = {o.path: o for o in report.outcomes}
    assert outcome["long.md"].status == "failed" and "'title'" in outcome["long.md"].reason
    assert outcome["fine.md"].status == "added" and report.exit_code == 3


def test_a_catalog_or_sidecar_linked_from_outside_the_corpus_is_not_read(tmp_path: Path) -> None:
    root, outside = tmp_path / "corpus", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.toml").write_text('title = "服务器口令"\n[documents."a.md"]\ntitle = "口令"\n',
                                         encoding="utf-8")
    (root / "a.md").write_text("# a\n", encoding="utf-8")
    (root / "catalog.toml").symlink_to(outside / "secret.toml")
    with pytest.raises(ConfigError, match="outside the corpus"):
        Catalog(root)
    (root / "catalog.toml").unlink()
    (root / "a.md.meta.toml").symlink_to(outside / "secret.toml")
    with pytest.raises(ConfigError, match="outside the corpus"):
        resolve_meta(root / "a.md", "a.md", Catalog(root), None)


def test_a_link_in_the_corpus_takes_its_own_sidecar_and_name(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    (corpus / "sub").mkdir()
    (corpus / "sub" / "real.md").write_text("红船精神是中国革命精神之源。\n", encoding="utf-8")
    (corpus / "sub" / "real.md.meta.toml").write_text('title = "真文件"\n', encoding="utf-8")
    (corpus / "alias.md").symlink_to(Path("sub") / "real.md")
    (corpus / "alias.md.meta.toml").write_text('title = "别名文件"\n', encoding="utf-8")
    ingest([corpus], data, IngestOptions(model="minilm", max_chars=120, overlap=20))
    from search.engine import Engine

    titles = {d.path: d.title for d in Engine.open(data).documents()}
    assert titles["alias.md"] == "别名文件" and titles["sub/real.md"] == "真文件"
