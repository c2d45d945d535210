"""Every error kind a user can meet has a Chinese message chosen by class, with no English detail."""

from __future__ import annotations

import re

import pytest

from search.query import MAX_QUERY_CHARS
from sites.load import SitesInvalid, parse_row
from studykb import errors
from ui.messages import distance_zh, error_text, query_problem, site_field_problem

KINDS = [getattr(errors, name) for name in errors.__all__ if name != "StudyKBError"]


@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
def test_each_error_kind_reads_in_chinese_without_its_english_detail(kind: type[errors.StudyKBError]) -> None:
    if kind is errors.ExtractionError:
        exc = kind("somefile.pdf", "some English reason")
    elif kind is errors.UnknownCategoryError:
        exc = kind("小说", ("讲话", "文件"))
    elif kind is errors.DateRangeError:
        exc = kind("2024-01-05", "2022-10-16")
    else:
        exc = kind("there is no reading list 7 (it may have been deleted): reload")
    text = error_text(exc)
    assert re.search(r"[\u4e00-\u9fff]", text)
    assert "reading list" not in text and "English" not in text and "reversed" not in text


def test_query_problems_are_judged_from_the_query() -> None:
    assert "太长" in query_problem("学" * (MAX_QUERY_CHARS + 1))
    assert "没有可检索的字词" in query_problem("，。！")
    assert "请输入" in query_problem("  ")


def test_distances_read_in_metres_below_a_kilometre_else_kilometres() -> None:
    distances = [distance_zh(m) for m in (300, 999, 1000, 1500, 3000)]
    assert distances == ["300 米", "999 米", "1 公里", "1.5 公里", "3 公里"]


def test_site_field_findings_get_a_chinese_gloss_and_keep_their_detail() -> None:
    with pytest.raises(SitesInvalid) as caught:
        parse_row({"id": "Bad Id", "name": "", "lat": "abc", "lon": "121.4", "url": "ftp://x"})
    reasons = [reason for found in caught.value.fields().values() for reason in found]
    glossed = [site_field_problem(reason) for reason in reasons]
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in glossed)
    assert all(reason in text for reason, text in zip(reasons, glossed, strict=True))
    assert any(text.startswith("必填") for text in glossed)
