"""Dates typed by a reader ("2023-05-01", "2023/5/1", "2023年5月1日", "2023-05", "2023") as days."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from studykb.errors import ValidationError

__all__ = ["parse_day"]

_DAY = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?)?\s*年?$")


def parse_day(text: str, *, end: bool = False) -> dt.date | None:
    """The day `text` names, None when it is blank. A year or a month alone means its first day, or with
    `end` its last day (so "至 2023" includes all of 2023). Raises ValidationError, in Chinese, otherwise."""
    text = text.strip().translate(str.maketrans("０１２３４５６７８９－／．", "0123456789-/."))
    if not text:
        return None
    found = _DAY.match(text)
    if not found:
        raise ValidationError(f"“{text}”不是日期：请写成 2023-05-01、2023年5月1日、2023-05 或 2023")
    year, month, day = int(found[1]), found[2], found[3]
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, int(month))[1]
            return dt.date(year, int(month), last if end else 1)
        return dt.date(year, int(month), int(day))
    except ValueError:
        raise ValidationError(f"“{text}”不是有效的日期（月份 1–12，日期不超过当月天数）") from None
