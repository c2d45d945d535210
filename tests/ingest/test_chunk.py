"""Tests for ingest.chunk: sentence boundaries, headings, overlap, offsets and pages."""

from __future__ import annotations

import pytest

from ingest.chunk import chunk, heading_rank, split_sentences, stub_kind
from ingest.records import Block
from studykb.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("学思想。强党性！重实践？建新功；", ["学思想。", "强党性！", "重实践？", "建新功；"]),
        ("他说：“要读原著。”然后散会。", ["他说：“要读原著。”", "然后散会。"]),
        ("材料（见附件。）下一句。", ["材料（见附件。）", "下一句。"]),
        ("未完的句子……接着说。", ["未完的句子……", "接着说。"]),
        ("English text. Another one! Last", ["English text.", " Another one!", " Last"]),
        ("没有句末标点", ["没有句末标点"]),
        ("", []),
    ],
    ids=["cjk-marks", "closing-quote", "closing-bracket", "ellipsis", "english", "no-end", "empty"],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


@pytest.mark.parametrize(
    ("line", "rank"),
    [
        ("第一章 总体要求", 7),
        ("第三部分　工作措施", 7),
        ("第二节 学习安排", 8),
        ("一、指导思想", 9),
        ("（二）检视整改", 10),
        ("(三)调查研究", 10),
        ("1. 组织领导", 11),
        ("（1）时间安排", 12),
        ("一、各级党组织要把学习贯彻作为首要任务。", None),  # ends like a sentence: body
        ("2023年是全面贯彻党的二十大精神的开局之年", None),  # a year, not a list number
        ("这是正文", None),
    ],
    ids=[
        "chapter",
        "part",
        "section",
        "cn-number",
        "paren-number",
        "ascii-paren",
        "arabic",
        "arabic-paren",
        "sentence-item",
        "year",
        "body",
    ],
)
def test_heading_rank_textual(line: str, rank: int | None) -> None:
    assert heading_rank(Block(line)) == rank


def test_format_heading_level_wins() -> None:
    assert heading_rank(Block("学习目标", heading_level=2)) == 2


def _blocks() -> list[Block]:
    body = "全体党员要读原著学原文。" * 6  # 72 chars, six sentences
    return [
        Block("第一章 总体要求", page=1),
        Block("一、学习目标", page=1),
        Block(body, page=1),
        Block(body, page=2),
        Block("二、方法步骤", page=2),
        Block("坚持问题导向，边学边查边改。", page=3),
    ]


def test_chunks_respect_limit_sentences_and_headings() -> None:
    blocks = _blocks()
    text = "\n".join(b.text for b in blocks)
    chunks = chunk(blocks, max_chars=50, overlap=12)
    assert all(len(c.text) <= 50 for c in chunks)
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert c.text.endswith("。")  # never cut mid-sentence
    assert chunks[0].heading_path == ("第一章 总体要求", "一、学习目标")
    assert chunks[-1].heading_path == ("第一章 总体要求", "二、方法步骤")
    assert chunks[-1].text == "坚持问题导向，边学边查边改。" and chunks[-1].page == 3
    # A heading starts a new chunk: no chunk holds text of two sections.
    assert not any("坚持问题导向" in c.text and "读原著" in c.text for c in chunks)


def test_overlap_repeats_whole_trailing_sentences() -> None:
    chunks = chunk(_blocks()[:3], max_chars=50, overlap=12)
    assert len(chunks) >= 2
    first, second = chunks[0], chunks[1]
    assert second.start < first.end  # overlapping window
    assert first.text.endswith(second.text[: first.end - second.start])


def test_no_overlap_partitions_text() -> None:
    chunks = chunk(_blocks()[:3], max_chars=50, overlap=0)
    assert all(b.start >= a.end for a, b in zip(chunks, chunks[1:], strict=False))


def test_pages_start_and_end_across_blocks() -> None:
    chunks = chunk(_blocks()[:4], max_chars=200, overlap=0)
    spanning = [c for c in chunks if c.page != c.page_end]
    assert spanning and spanning[0].page == 1 and spanning[0].page_end == 2


def test_overlong_sentence_is_split_at_commas() -> None:
    long = "，".join(["加强理论武装"] * 30) + "。"
    chunks = chunk([Block(long)], max_chars=40, overlap=0)
    assert len(chunks) > 1
    assert all(len(c.text) <= 40 for c in chunks)
    assert "".join(c.text for c in chunks) == long
    assert all(c.text.endswith(("，", "。")) for c in chunks)


def test_unbreakable_run_is_cut_at_limit() -> None:
    chunks = chunk([Block("学" * 95)], max_chars=40, overlap=0)
    assert [len(c.text) for c in chunks] == [40, 40, 15]


def test_heading_only_document_has_no_chunks() -> None:
    assert chunk([Block("第一章 总则"), Block("一、目标")]) == []


def test_ocr_confidence_is_averaged() -> None:
    blocks = [Block("扫描的第一句。", ocr_confidence=0.9), Block("第二句。", ocr_confidence=0.7)]
    (only,) = chunk(blocks, max_chars=100, overlap=0)
    assert only.ocr_confidence == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("max_chars", "overlap"), [(10, 0), (100, 100), (100, -1)], ids=["tiny", "overlap-eq", "neg"]
)
def test_bad_config(max_chars: int, overlap: int) -> None:
    with pytest.raises(ConfigError, match="max_chars|overlap"):
        chunk([Block("一句。")], max_chars=max_chars, overlap=overlap)


EXCERPT = ("4. 各街道、镇党（工）委要对所属党组织逐一摸底，对软弱涣散的基层党组织要提前派驻指导力量，"
           "确保主题教育在每个支部都能有效开展。")


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        ([EXCERPT, "（摘自2023年9月主题教育工作提示第5期）"], [0, 1]),
        ([EXCERPT, "——摘自《习近平谈治国理政》第四卷"], [0, 1]),
        (["习近平在浙江", EXCERPT], [0, 1]),
    ],
    ids=["source-note-after", "dash-source-after", "bare-title-before"],
)
def test_stub_lines_join_their_neighbour(lines: list[str], joined: list[int]) -> None:
    (only,) = chunk([Block(x) for x in lines], max_chars=90, overlap=0)
    assert only.text == "\n".join(lines[i] for i in joined)


def test_a_source_note_after_a_full_passage_is_not_a_passage_of_its_own() -> None:
    body = [Block("第一句话讲的是学习的要求。" * 3), Block("第二句话讲的是调研的要求。" * 3),
            Block("（摘自2023年9月主题教育工作提示第5期）")]
    chunks = chunk(body, max_chars=100, overlap=0)
    assert all(len(c.text) > 30 for c in chunks)
    assert chunks[-1].text.endswith("（摘自2023年9月主题教育工作提示第5期）")
    assert all(len(c.text) <= 100 for c in chunks)


def test_a_stub_never_makes_a_passage_exceed_the_limit() -> None:
    long = "很长的一句话" * 15 + "。"
    chunks = chunk([Block(long), Block("（摘自某期简报）")], max_chars=len(long), overlap=0)
    assert [c.text for c in chunks] == [long, "（摘自某期简报）"]


@pytest.mark.parametrize(("line", "kind"), [
    ("（摘自2023年9月主题教育工作提示第5期）", "after"), ("（来源：人民日报）", "after"),
    ("学习强国", "before"), ("这是一句完整的话。", None), ("", None), ("长" * 41, None),
], ids=["zhaizi", "laiyuan", "bare-title", "sentence", "empty", "too-long"])
def test_stub_kind(line: str, kind: str | None) -> None:
    assert stub_kind(line) == kind
