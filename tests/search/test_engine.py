"""Tests for search.engine on the session's small real index (offline MiniLM model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from ingest.report import IngestReport
from search.engine import Engine
from search.query import Filters
from studykb.errors import IndexMissingError, QueryError
from tests.conftest import REPRINT


def paths(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.document.path for h in result.hits]


def test_hit_carries_citation_and_highlight(engine: Engine) -> None:
    result = engine.search("浦江经验", k=3)
    top = result.hits[0]
    assert top.document.path == "zhejiang.txt" and top.document.title == "浙江基层治理经验"
    assert top.document.category == "场馆介绍" and top.document.date == "2023-06-01"
    assert top.heading_path == ("浙江基层治理经验", "一、浦江经验") or top.heading_path[-1] == "一、浦江经验"
    assert "bm25" in top.legs and top.score > 0
    assert any(top.snippet[s:e] == "浦江经验" for s, e in top.snippet_spans)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("楓橋經驗", "traditional.txt"), ("枫桥经验 诸暨", "traditional.txt"), ("浦江經驗", "zhejiang.txt")],
    ids=["trad-query-trad-text", "simp-query-trad-text", "trad-query-simp-text"],
)
def test_traditional_and_simplified_find_each_other(engine: Engine, query: str, expected: str) -> None:
    assert paths(engine.search(query, k=3))[0] == expected


def test_user_dictionary_term_is_one_token(engine: Engine) -> None:
    result = engine.search("二十届三中全会", k=5)
    assert "二十届三中全会" in result.terms
    assert paths(result)[0] == "guide.md"


def test_english_query_on_english_text(engine: Engine) -> None:
    assert paths(engine.search("where did the first National Congress finish", k=3))[0] == "english.md"


def test_exact_phrase_returns_only_containing_passages(engine: Engine) -> None:
    result = engine.search('"领导干部主动下访"')
    assert result.exact and result.hits
    assert all("领导干部主动下访" in h.text for h in result.hits)
    assert result.hits[0].legs == ("phrase",)
    assert engine.search('"领导干部被动下访"').hits == ()
    for hit in result.hits:  # only the quote is marked, never its words elsewhere in the passage
        assert {hit.snippet[s:e] for s, e in hit.snippet_spans} == {"领导干部主动下访"}


def test_exact_phrase_traditional_and_short(engine: Engine) -> None:
    assert paths(engine.search("「千萬工程」"))[0] == "zhejiang.txt"
    assert all("新时" in h.text for h in engine.search('"新时"').hits)


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (Filters(categories=("摘编",)), {"compilation.txt"}),
        (Filters(documents=("guide.md",)), {"guide.md"}),
        (Filters(tags=("理论学习",)), {"guide.md", "compilation.txt"}),
        (Filters(date_from="2023-01-01", date_to="2023-05-01"), {"guide.md"}),
    ],
    ids=["category", "document", "tag", "date-range"],
)
def test_filters_restrict_results(engine: Engine, filters: Filters, allowed: set[str]) -> None:
    result = engine.search("学习 党员 经验 现代化", k=20, filters=filters)
    assert result.hits and set(paths(result)) <= allowed


def test_reprinted_passage_is_collapsed(engine: Engine) -> None:
    result = engine.search('"读原著、学原文、悟原理"')
    assert len(result.hits) == 1
    hit = result.hits[0]
    assert hit.text == REPRINT
    others = {loc.path for loc in hit.also_in}
    assert {hit.document.path} | others == {"guide.md", "compilation.txt"}


def test_more_like_this_looks_in_other_documents(engine: Engine) -> None:
    source = engine.search("浦江经验", k=1).hits[0]
    similar = engine.more_like_this(source.chunk_id, k=3)
    assert similar and all(h.document.id != source.document.id for h in similar)


def test_paging_does_not_repeat_hits(engine: Engine) -> None:
    first = engine.search("学习", k=2)
    second = engine.search("学习", k=2, offset=2)
    assert not {h.chunk_id for h in first.hits} & {h.chunk_id for h in second.hits}


def test_empty_query_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(QueryError, match="empty"):
        engine.search("  ")


def test_missing_index_says_which_command_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="studykb ingest"):
        Engine.open(tmp_path)


def test_deleted_documents_are_never_returned(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    engine = Engine.open(data)
    assert "zhejiang.txt" in paths(engine.search("千万工程"))
    (corpus / "zhejiang.txt").unlink()
    ingest([corpus], data, IngestOptions(model="minilm", max_chars=120, overlap=20))
    # The same engine object follows the new version without a restart.
    assert "zhejiang.txt" not in paths(engine.search("千万工程 浦江经验", k=20))
    assert engine.search('"千万工程"').hits == ()


def test_open_takes_the_backend_the_environment_only_defaults(
    built: tuple[Path, Path, IngestReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDYKB_BACKEND", "onnx")
    assert Engine.open(built[1], backend="torch").model.backend == "torch"  # the caller's choice wins
    assert Engine.open(built[1]).model.backend == "onnx"  # none given: $STUDYKB_BACKEND
