"""Tests of the pure cleaning functions for extracted Chinese text."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ingest.clean import (
    clean_pages,
    collapse_spaces,
    display_width,
    is_page_number,
    iso_date,
    join_lines,
    join_text,
    normalize_width,
    strip_page_furniture,
)

FULL = "坚持和加强党的全面领导，是推进中国式现代化的根本保证和政治优势之所在必须"  # a full line
assert len(FULL) == 36


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["坚持和加强党的全面领导，是推进中国", "式现代化的根本保证。"],
            ["坚持和加强党的全面领导，是推进中国式现代化的根本保证。"],
        ),
        (
            ["坚持和加强党的全面领导， ", "  是推进中国式现代化的根本保证。"],
            ["坚持和加强党的全面领导，", "是推进中国式现代化的根本保证。"],
        ),
        (["我们要深入学习", "", "全面从严治党。"], ["我们要深入学习", "全面从严治党。"]),
        (["第一段结束了。", "\u3000\u3000第二段开始。"], ["第一段结束了。", "第二段开始。"]),
        (["正文到此为止", "一、总体要求"], ["正文到此为止", "一、总体要求"]),
        (["正文到此为止", "（一）坚持党的领导"], ["正文到此为止", "（一）坚持党的领导"]),
        (["正文到此为止", "1. 第一项"], ["正文到此为止", "1. 第一项"]),
        (["第一章 总则", "为了加强党的建设"], ["第一章 总则", "为了加强党的建设"]),
        (["根据宪法", "第一章的规定"], ["根据宪法第一章的规定"]),
        (["全年增长了", "1.5倍"], ["全年增长了1.5倍"]),
        (["使用PDF", "格式发布"], ["使用PDF格式发布"]),
        (["This is a wrapped", "English sentence."], ["This is a wrapped English sentence."]),
        (["会议指出：", "“要坚持人民至上。”"], ["会议指出：“要坚持人民至上。”"]),
    ],
    ids=[
        "cjk-break-joined",
        "no-stray-spaces",
        "blank-line-keeps-paragraph",
        "indent-starts-paragraph",
        "heading-starts-block",
        "paren-number-starts-block",
        "arabic-list-starts-block",
        "chapter-heading-line",
        "chapter-word-mid-sentence",
        "decimal-is-not-list",
        "latin-next-to-cjk",
        "latin-words-get-space",
        "colon-then-quote-joined",
    ],
)
def test_join_lines(lines: list[str], expected: list[str]) -> None:
    assert join_lines(lines) == expected


def test_join_lines_short_line_ends_paragraph() -> None:
    lines = [FULL, FULL, "所在。", FULL, "最后一行。"]
    assert join_lines(lines) == [FULL + FULL + "所在。", FULL + "最后一行。"]


def test_join_lines_full_line_ending_in_full_stop_is_joined() -> None:
    ending = FULL[:-1] + "。"
    lines = [FULL, ending, FULL, "结束。"]
    assert join_lines(lines) == [FULL + ending + FULL + "结束。"]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("中国", "人民", "中国人民"),
        ("中国 ", " 人民", "中国人民"),
        ("word", "next", "word next"),
        ("PDF", "格式", "PDF格式"),
        ("self-", "evident", "self-evident"),
        ("", "人民", "人民"),
    ],
    ids=["cjk", "cjk-trailing-spaces", "latin", "latin-cjk", "hyphen", "empty-left"],
)
def test_join_text(left: str, right: str, expected: str) -> None:
    assert join_text(left, right) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("２０２３年Ｑ１", "2023年Q1"),
        ("\u3000\u3000第一段", "  第一段"),
        ("（一）坚持，。：；！？《论语》“引号”", "（一）坚持，。：；！？《论语》“引号”"),
        ("⽅⾯", "方面"),
        ("soft\u00adhyphen", "softhyphen"),
    ],
    ids=[
        "fullwidth-letters-digits",
        "mixed",
        "ideographic-space",
        "keeps-cjk-punctuation",
        "kangxi-radicals",
        "soft-hyphen",
    ],
)
def test_normalize_width(text: str, expected: str) -> None:
    assert normalize_width(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("通 知", "通知"),
        ("中 华 人 民 共 和 国 宪 法", "中华人民共和国宪法"),
        ("第 一 章 总则", "第一章 总则"),
        ("第一章 总则", "第一章 总则"),
        ("中共中央  国务院", "中共中央 国务院"),
        ("坚持   党的领导", "坚持 党的领导"),
        ("Hello   world", "Hello world"),
        ("  两端空格  ", "两端空格"),
        ("A B C", "A B C"),
    ],
    ids=[
        "letter-spaced-title",
        "letter-spaced-line",
        "letter-spaced-prefix",
        "single-space-kept",
        "double-space-collapsed",
        "run-collapsed",
        "latin-run",
        "strip",
        "latin-letters-kept",
    ],
)
def test_collapse_spaces(text: str, expected: str) -> None:
    assert collapse_spaces(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "12",
        " 7 ",
        "- 12 -",
        "— 3 —",
        "－ 5 －",
        "·12·",
        "第12页",
        "第 3 页 共 40 页",
        "第三页",
        "12/40",
        "Page 3 of 10",
        "p. 4",
        "１２",
    ],
    ids=[
        "bare",
        "spaced",
        "dashes",
        "em-dashes",
        "fullwidth-dashes",
        "dots",
        "di-ye",
        "di-ye-gong-ye",
        "chinese-numeral",
        "slash",
        "page-of",
        "p-dot",
        "fullwidth-digits",
    ],
)
def test_is_page_number(line: str) -> None:
    assert is_page_number(line)


@pytest.mark.parametrize(
    "line",
    ["2023年", "第12条", "12.5%", "一、总体要求", "共产党员", "12345", "第一章"],
    ids=["year", "article", "percent", "heading", "text", "too-long", "chapter"],
)
def test_is_not_page_number(line: str) -> None:
    assert not is_page_number(line)


def test_strip_page_furniture_drops_repeating_header_with_varying_number() -> None:
    pages = [
        [f"学习参考资料 第{n}页 2023年第5期", body, "另一行不同内容" * n, f"- {n} -"]
        for n, body in enumerate(["正文一。", "正文二。", "正文三。", "正文四。"], start=1)
    ]
    cleaned = strip_page_furniture(pages)
    assert [lines[0] for lines in cleaned] == ["正文一。", "正文二。", "正文三。", "正文四。"]
    assert all(len(lines) == 2 for lines in cleaned)


def test_strip_page_furniture_keeps_title_under_identical_running_header() -> None:
    pages = [
        ["学习摘编", "学习摘编", "正文一。", "1"],
        ["学习摘编", "正文二。", "2"],
        ["学习摘编", "正文三。", "3"],
    ]
    assert strip_page_furniture(pages) == [["学习摘编", "正文一。"], ["正文二。"], ["正文三。"]]


def test_strip_page_furniture_keeps_line_repeated_on_few_pages() -> None:
    pages = [
        ["重复一次的行", "正文一"],
        ["正文二", "结尾"],
        ["正文三", "结尾二"],
        ["重复一次的行", "正文四"],
        ["正文五", "尾"],
    ]
    assert strip_page_furniture(pages) == [list(p) for p in pages]


def test_strip_page_furniture_single_page_drops_only_page_number() -> None:
    assert strip_page_furniture([["标题", "正文。", "1"]]) == [["标题", "正文。"]]


def test_strip_page_furniture_ignores_numbers_in_the_middle() -> None:
    pages = [["页眉", f"第一行{c}", "12", f"第三行{c}", f"尾行{c}", "页脚"] for c in "甲乙丙"]
    assert strip_page_furniture(pages) == [[f"第一行{c}", "12", f"第三行{c}", f"尾行{c}"] for c in "甲乙丙"]


def test_clean_pages_end_to_end() -> None:
    page = "\n".join(
        [
            "《学习参考》2023年第5期",
            "第一章 总则",
            "\u3000",
            FULL,
            FULL,
            "所在。",
            "\u3000",
            "ＡＢＣ１２３通 知。",
            "- 1 -",
        ]
    )
    page2 = page.replace("- 1 -", "- 2 -").replace("第一章", "第二章").replace("通 知", "通 告")
    assert clean_pages([page, page2]) == [
        ["第一章 总则", FULL * 2 + "所在。", "ABC123通知。"],
        ["第二章 总则", FULL * 2 + "所在。", "ABC123通告。"],
    ]


def test_clean_pages_handles_crlf() -> None:
    assert clean_pages(["第一行\r\n第二行"]) == [["第一行第二行"]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-01-15", "2023-01-15"),
        ("2023/1/5", "2023-01-05"),
        ("2023.1.5", "2023-01-05"),
        ("2023年1月5日", "2023-01-05"),
        ("２０２３年１月５日", "2023-01-05"),
        ("D:20230115103000+08'00'", "2023-01-15"),
        ("20230115", "2023-01-15"),
        ("2023-05-24T10:00:00+08:00", "2023-05-24"),
        (datetime(2023, 5, 24, 10, 0), "2023-05-24"),
        (date(2023, 5, 24), "2023-05-24"),
        ("2023-13-40", None),
        ("2023", None),
        ("", None),
        (None, None),
    ],
    ids=[
        "iso",
        "slashes",
        "dots",
        "chinese",
        "fullwidth",
        "pdf",
        "compact",
        "iso-datetime",
        "datetime",
        "date",
        "invalid",
        "year-only",
        "empty",
        "none",
    ],
)
def test_iso_date(value: object, expected: str | None) -> None:
    assert iso_date(value) == expected


def test_display_width_counts_cjk_double() -> None:
    assert display_width("中文ab，") == 8
