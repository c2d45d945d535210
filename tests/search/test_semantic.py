"""Semantic search with the multilingual USE (the offline default) over the sample corpus: English
questions find Chinese passages and the reverse, Traditional queries equal their Simplified fold,
and the relevance floor marks nonsense as weak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from search.engine import Engine

NONSENSE = ("香蕉 火箭 钢琴 沙漠", "banana rocket piano volcano", "橘猫 潜水艇 电吉他")


def test_english_question_finds_the_chinese_passage(use_engine: Engine) -> None:
    result = use_engine.search("Lu Xun memorial hall with his manuscripts and woodcuts", k=3)
    top = result.hits[0]
    assert top.document.path == "sites/shanghai-sites.txt" and "鲁迅" in top.text
    assert "dense" in top.legs and not top.weak


def test_chinese_question_finds_the_english_passage(use_engine: Engine) -> None:
    result = use_engine.search("游客参观嘉兴南湖红船的英文介绍", k=10, legs=("dense",))
    english = [h for h in result.hits if h.document.path == "english-brief.md"]
    assert english and "red boat" in english[0].text.lower()


def test_paraphrase_without_the_texts_words(use_engine: Engine) -> None:
    hits = use_engine.search("当官的亲自下去当面听老百姓诉苦，问题就地解决", k=3).hits
    assert any("下访" in h.text for h in hits)


def test_traditional_query_equals_its_simplified_fold(use_engine: Engine) -> None:
    trad = use_engine.search("楓橋經驗是怎樣化解矛盾的", k=10)
    simp = use_engine.search("枫桥经验是怎样化解矛盾的", k=10)
    assert [h.chunk_id for h in trad.hits] == [h.chunk_id for h in simp.hits]
    assert [round(h.score, 6) for h in trad.hits] == [round(h.score, 6) for h in simp.hits]


def test_nonsense_is_all_weak(use_engine: Engine) -> None:
    for query in NONSENSE:
        result = use_engine.search(query, k=10)
        assert result.hits and all(h.weak for h in result.hits), query
        assert result.relevant == 0 and result.total >= len(result.hits)


def test_relevant_hits_come_before_weak_ones(use_engine: Engine) -> None:
    result = use_engine.search("浦江经验", k=30)
    flags = [h.weak for h in result.hits]
    assert not flags[0] and flags == sorted(flags)
    assert 0 < result.relevant < 100


def test_json_carries_the_weak_flag(use_data: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "studykb_cli", "search", NONSENSE[0], "--data-dir", str(use_data), "--json",
         "-k", "3"],
        capture_output=True, text=True, check=True,
    ).stdout
    result = json.loads(out)
    assert result["relevant"] == 0 and [h["weak"] for h in result["hits"]] == [True, True, True]


def test_status_says_which_model_and_why(use_engine: Engine) -> None:
    from studykb.use_model import USE_MODEL

    info = use_engine.status()
    assert info["model"] == USE_MODEL and info["model_reason"] == "requested"


def test_result_says_whether_its_count_is_a_lower_bound(use_engine: Engine) -> None:
    n = len(use_engine.snapshot().chunk_ids)
    assert n > 100, "the sample corpus must hold more passages than the engine's least depth"
    shallow = use_engine.search("浦江经验", k=10)  # the dense leg stops at 100 of the n passages
    assert shallow.depth == 100 and shallow.total >= 100 and shallow.total_capped
    assert not shallow.relevant_capped  # fewer than 100 passages have real evidence
    whole = use_engine.search("浦江经验", k=n)  # deep enough to see every passage: an exact count
    assert whole.depth == 3 * n and whole.total <= n and not whole.total_capped
