"""Tests for sites.readings: the queries searched for a site, weighted rank fusion, and the related
readings found in a real (small) index."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from search.records import DocumentInfo, Hit
from sites import Site
from sites.readings import RRF_K, fuse, name_queries, reading_queries, related_readings

SITE = Site(
    id="zj-test-fengqiao", name="枫桥经验陈列馆", type="展览馆", province="浙江省", city="绍兴市",
    district="诸暨市", address="枫桥镇", lat=29.79, lon=120.415, hours=None, booking=None,
    themes=("基层治理", '"两山"理念'), description="陈列馆介绍枫桥经验。", url=None,
    related_queries=("浦江经验", "枫桥经验", "“千万工程”"),
)


def hit(chunk_id: int) -> Hit:
    doc = DocumentInfo(id=1, path="doc.txt", root="/tmp", title="文档", format="txt")
    return Hit(chunk_id=chunk_id, text="正文", snippet="正文", snippet_spans=(), highlights=(), document=doc,
               page=None, page_end=None, heading_path=(), start=0, end=2, score=0.0, legs=("bm25",))


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        pytest.param("秋瑾故居", ("秋瑾",), id="generic-suffix"),
        pytest.param("南湖红船（中共一大南湖会址）", ("南湖红船", "中共一大南湖"), id="bracketed-part"),
        pytest.param("中共二大会址纪念馆", ("中共二大",), id="two-generic-words"),
        pytest.param("下姜村", ("下姜村",), id="nothing-generic"),
        pytest.param("纪念馆", (), id="only-generic"),
    ],
)
def test_name_queries_keep_the_distinctive_part(name: str, queries: tuple[str, ...]) -> None:
    assert name_queries(name) == queries


def test_reading_queries_put_the_name_first_drop_quotes_and_duplicates() -> None:
    assert reading_queries(SITE) == (
        ("枫桥经验", 2.0), ("浦江经验", 1.0), ("千万工程", 1.0), ("基层治理", 0.5), ("两山理念", 0.5),
    )
    twice = replace(SITE, related_queries=("枫桥经验",), themes=())
    assert reading_queries(twice) == (("枫桥经验", 2.0),)


def test_fuse_adds_weighted_reciprocal_ranks_and_keeps_each_passage_once() -> None:
    a, b, c = hit(1), hit(2), hit(3)
    fused = fuse([([a, b], 1.0), ([b, c], 1.0)], k=10)
    assert [h.chunk_id for h in fused] == [2, 1, 3]  # 2 is found by both queries
    assert fuse([([a], 0.5), ([c], 2.0)], k=10)[0].chunk_id == 3  # the weightier query wins
    assert [h.chunk_id for h in fuse([([a, b, c], 1.0)], k=2)] == [1, 2]
    assert fuse([], k=5) == []
    assert 1 / (RRF_K + 1) > 1 / (RRF_K + 2)


def test_related_readings_come_from_the_library(engine: Any) -> None:
    readings = related_readings(engine, SITE, k=5)
    paths = [h.document.path for h in readings]
    assert "traditional.txt" in paths  # 楓橋經驗 (Traditional) for the name and a related query
    assert "zhejiang.txt" in paths  # 浦江经验 / 千万工程
    assert len({h.chunk_id for h in readings}) == len(readings) <= 5
    if engine.status()["model_fallback"]:
        assert all({"bm25", "phrase"} & set(h.legs) for h in readings)


def test_a_site_the_library_does_not_mention_gets_no_keyword_free_readings(engine: Any) -> None:
    if not engine.status()["model_fallback"]:
        pytest.skip("with a Chinese embedding model, semantic neighbours are legitimate readings")
    unknown = replace(SITE, name="鄂伦春测试馆", related_queries=("鄂伦春",), themes=())
    assert related_readings(engine, unknown) == []
