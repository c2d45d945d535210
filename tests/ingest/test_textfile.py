"""Tests of .txt and .md extraction on files written here."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.textfile import is_hard_wrapped, split_paragraphs, strip_inline
from studykb.errors import ExtractionError

PARAGRAPHS = [
    "坚持和加强党的全面领导，是推进中国式现代化的根本保证。",
    "我们要深入学习贯彻新时代中国特色社会主义思想，不断提高政治判断力、政治领悟力、政治执行力。",
    "全面从严治党永远在路上。",
]


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path = tmp_path / name
    path.write_bytes(bom + text.encode(encoding))
    return path


# --- .txt ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [
        ("utf-8", b"", "\n"),
        ("utf-8", codecs.BOM_UTF8, "\n"),
        ("gbk", b"", "\r\n"),
        ("gb18030", b"", "\n"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n"),
        ("utf-16-be", b"", "\n"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk-crlf", "gb18030", "utf-16-le-bom-crlf", "utf-16-be-no-bom"],
)
def test_txt_one_paragraph_per_line(tmp_path: Path, encoding: str, bom: bytes, newline: str) -> None:
    path = _write(tmp_path, "doc.txt", newline.join(PARAGRAPHS) + newline, encoding, bom)
    result = extract(path)
    assert result.format == "txt"
    assert [b.text for b in result.blocks] == PARAGRAPHS
    assert all(b.page is None and b.heading_level is None for b in result.blocks)


def test_txt_big5(tmp_path: Path) -> None:
    lines = ["堅持和加強黨的全面領導。", "中華民國憲法是國家的根本大法。"]
    path = _write(tmp_path, "big5.txt", "\r\n".join(lines), "big5")
    assert [b.text for b in extract(path).blocks] == lines


def test_txt_blank_lines_and_indentation(tmp_path: Path) -> None:
    text = "\u3000\u3000" + PARAGRAPHS[0] + "\n\n\n\u3000\u3000" + PARAGRAPHS[1] + "\n   \n" + PARAGRAPHS[2]
    assert [b.text for b in extract(_write(tmp_path, "doc.txt", text)).blocks] == PARAGRAPHS


def test_txt_hard_wrapped_lines_are_rejoined(tmp_path: Path) -> None:
    long = PARAGRAPHS[1] * 3
    wrapped = [long[i : i + 30] for i in range(0, len(long), 30)]
    text = "\n".join(wrapped) + "\n\n" + PARAGRAPHS[0] + "\n"
    result = extract(_write(tmp_path, "wrapped.txt", text))
    assert [b.text for b in result.blocks] == [long, PARAGRAPHS[0]]


def test_is_hard_wrapped() -> None:
    assert is_hard_wrapped(["一" * 30, "二" * 30, "三" * 29, "四" * 5])
    assert not is_hard_wrapped(PARAGRAPHS)
    assert not is_hard_wrapped(["一" * 150, "二" * 150, "三" * 150])


def test_split_paragraphs_one_per_line() -> None:
    assert split_paragraphs("甲。\n乙。\n\n丙。") == ["甲。", "乙。", "丙。"]


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\n\t  ", "\u3000\u3000\n".encode(), codecs.BOM_UTF8],
    ids=["zero-bytes", "whitespace", "ideographic-spaces", "bom-only"],
)
def test_txt_empty(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == "empty file"


def test_txt_undecodable(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ExtractionError, match="cannot detect text encoding"):
        extract(path)


# --- .md ----------------------------------------------------------------------------------------

MARKDOWN = """---
title: "学习笔记：二十大报告"
date: 2023-05-24
author: 张三
tags: [党建, 学习]
---

# 第一部分 **总体要求**

坚持和加强党的*全面领导*，是推进
[中国式现代化](https://example.org/a)的根本保证。

## 一、重点任务

- 学习`原文`
- 深入 ~~理解~~ 领会
  精神实质

1. 第一项
2. 第二项

> 引用的话。

| 项目 | 说明 |
|------|------|
| 甲 | 乙 |

```python
print("代码 *不* 处理")
```

次级标题
--------

![示意图](fig.png) 与 snake_case_name 保留。
<!-- 注释不要 -->
"""


def test_markdown_blocks_and_headings(tmp_path: Path) -> None:
    result = extract(_write(tmp_path, "note.md", MARKDOWN))
    assert result.format == "md"
    assert [(b.text, b.heading_level) for b in result.blocks] == [
        ("第一部分 总体要求", 1),
        ("坚持和加强党的全面领导，是推进中国式现代化的根本保证。", None),
        ("一、重点任务", 2),
        ("学习原文", None),
        ("深入 理解 领会精神实质", None),
        ("第一项", None),
        ("第二项", None),
        ("引用的话。", None),
        ("项目 说明", None),
        ("甲 乙", None),
        ('print("代码 *不* 处理")', None),
        ("次级标题", 2),
        ("示意图 与 snake_case_name 保留。", None),
    ]


def test_markdown_yaml_front_matter_to_meta(tmp_path: Path) -> None:
    meta = extract(_write(tmp_path, "note.md", MARKDOWN)).meta
    assert meta == {
        "title": "学习笔记：二十大报告",
        "date": "2023-05-24",
        "author": "张三",
        "keywords": "党建, 学习",
    }


def test_markdown_toml_front_matter(tmp_path: Path) -> None:
    text = '+++\ntitle = "TOML 标题"\ndate = 2023-01-15\nauthors = ["甲", "乙"]\n+++\n正文。\n'
    result = extract(_write(tmp_path, "toml.markdown", text))
    assert result.meta == {"title": "TOML 标题", "date": "2023-01-15", "author": "甲, 乙"}
    assert [b.text for b in result.blocks] == ["正文。"]


def test_markdown_title_from_first_h1(tmp_path: Path) -> None:
    text = "## 小节\n\n# 真正的标题\n\n正文。\n\n# 第二个一级标题\n"
    assert extract(_write(tmp_path, "t.md", text)).meta == {"title": "真正的标题"}


def test_markdown_block_list_author_and_gbk(tmp_path: Path) -> None:
    text = "---\ntitle: 标题\nauthor:\n  - 甲\n  - 乙\n---\n正文。\n"
    result = extract(_write(tmp_path, "gbk.md", text.replace("\n", "\r\n"), "gbk"))
    assert result.meta == {"title": "标题", "author": "甲, 乙"}


def test_markdown_without_front_matter_keeps_leading_rule(tmp_path: Path) -> None:
    text = "正文第一段。\n\n---\n\n正文第二段。\n"
    result = extract(_write(tmp_path, "rule.md", text))
    assert [b.text for b in result.blocks] == ["正文第一段。", "正文第二段。"]


def test_markdown_only_front_matter_has_no_text(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="no text found"):
        extract(_write(tmp_path, "fm.md", "---\ntitle: 空\n---\n"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**粗体**和*斜体*", "粗体和斜体"),
        ("__粗__ _斜_", "粗 斜"),
        ("[链接](http://a.b/c) 与 ![图](x.png)", "链接 与 图"),
        ("[引用式][1]", "引用式"),
        ("<https://example.org>", "https://example.org"),
        ("`code` 与 \\*星号\\*", "code 与 *星号*"),
        ("a_b_c 和 2*3*4", "a_b_c 和 2*3*4"),
        ("文字<br/>换行", "文字换行"),
    ],
    ids=[
        "strong-em",
        "underscores",
        "links-images",
        "reference-link",
        "autolink",
        "code-escapes",
        "snake-case-and-maths",
        "inline-html",
    ],
)
def test_strip_inline(text: str, expected: str) -> None:
    assert strip_inline(text) == expected
