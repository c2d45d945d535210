"""A document's heading lines found from its passages' layout (lists/outline.py), on real chunker output."""

from __future__ import annotations

import pytest

from ingest.chunk import chunk
from ingest.records import Block
from lists.outline import Heading, outline


def _outline(blocks: list[Block]) -> list[tuple[int, str]]:
    text = "\n".join(b.text for b in blocks)
    layout = [(c.start, c.end, c.heading_path) for c in chunk(blocks, max_chars=60, overlap=10)]
    found = outline(text, layout)
    assert all(text[h.start : h.end] == h.text for h in found)
    return [(h.depth, h.text) for h in found]


CASES = {
    "markdown-levels": (
        [Block("学习计划", heading_level=1), Block("为落实部署，制定本计划。"),
         Block("一、学习目标", heading_level=2), Block("读懂原文。"), Block("学习方法提示", heading_level=3),
         Block("先通读再精读。"),
         Block("二、保障措施", heading_level=2), Block("按时完成。")],
        [(1, "学习计划"), (2, "一、学习目标"), (3, "学习方法提示"), (2, "二、保障措施")],
    ),
    "plain-text-numbering": (
        [Block("第一部分 理论学习"), Block("三、学习要求"), Block("坚持读原著、学原文、悟原理。"),
         Block("四、学用结合"), Block("把学习成果转化为实际成效。")],
        [(1, "第一部分 理论学习"), (2, "三、学习要求"), (2, "四、学用结合")],
    ),
    "heading-without-text-takes-its-siblings-depth": (
        [Block("一、总则"), Block("（一）空节"), Block("（二）范围"), Block("本办法适用于各党支部。")],
        [(1, "一、总则"), (2, "（一）空节"), (2, "（二）范围")],
    ),
    "body-line-equal-to-a-heading-stays-body": (
        [Block("一、要求", heading_level=1), Block("一、要求。这一句是正文。")],
        [(1, "一、要求")],
    ),
}


@pytest.mark.parametrize(("blocks", "expected"), CASES.values(), ids=CASES.keys())
def test_outline_of_chunked_documents(blocks: list[Block], expected: list[tuple[int, str]]) -> None:
    assert _outline(blocks) == expected


def test_no_passages_means_no_headings() -> None:
    assert outline("一、总则\n正文。", []) == ()


def test_docstring_example() -> None:
    assert outline("一、总则\n正文。", [(5, 8, ("一、总则",))]) == (Heading(0, 4, 1, "一、总则"),)
