"""Typed filter dates: the forms a reader writes, the end of a year or month, and errors in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest

from studykb.errors import ValidationError
from ui.dates import parse_day


@pytest.mark.parametrize(("text", "end", "day"), [
    ("2023-05-01", False, dt.date(2023, 5, 1)),
    ("2023/5/1", False, dt.date(2023, 5, 1)),
    ("2023年5月1日", False, dt.date(2023, 5, 1)),
    ("２０２３－０５－０１", False, dt.date(2023, 5, 1)),
    ("2023", False, dt.date(2023, 1, 1)),
    ("2023", True, dt.date(2023, 12, 31)),
    ("2024-02", True, dt.date(2024, 2, 29)),
    ("2024年2月", False, dt.date(2024, 2, 1)),
    ("2099-12-31", True, dt.date(2099, 12, 31)),
], ids=["iso", "slashes", "chinese", "full-width", "year-from", "year-to", "month-to-leap", "month-cn",
        "far-future"])
def test_typed_days(text: str, end: bool, day: dt.date) -> None:
    assert parse_day(text, end=end) == day


def test_blank_is_no_date() -> None:
    assert parse_day("  ") is None


@pytest.mark.parametrize("text", ["明年", "2023-13-01", "2023-02-30", "23-05-01"])
def test_unreadable_dates_are_named_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError, match=f"“{text}”不"):
        parse_day(text)
