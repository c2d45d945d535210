"""Visit statistics agree with an independent count over the imported file and the shipped sites.csv."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from activity_samples import MAINTAINER, VISIT_COLUMNS, visit

from activity.stats import visit_stats
from activity.visits import import_visits
from sites.load import DEFAULT_SITES_PATH
from studykb.errors import ConfigError

ROWS = [visit(n) for n in range(300)]


def independent(
    key: Callable[[dict[str, str]], str], rows: list[dict[str, str]]
) -> dict[str, tuple[int, int]]:
    visits: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for row in rows:
        visits[key(row)] += 1
        people[key(row)] += int(row["participants"])
    return {k: (visits[k], people[k]) for k in visits}


def place(row: dict[str, str]) -> str:
    with DEFAULT_SITES_PATH.open(encoding="utf-8") as handle:
        sites = {s["id"]: s for s in csv.DictReader(handle)}
    site = sites[row["site_id"]]
    return site["district"] or site["city"]


@pytest.fixture
def loaded(tree: sqlite3.Connection, write_file: Callable[..., Path]) -> sqlite3.Connection:
    import_visits(tree, MAINTAINER, write_file("visits.csv", VISIT_COLUMNS, ROWS))
    return tree


def as_dict(conn: sqlite3.Connection, by: str, **kw: str) -> dict[str, tuple[int, int]]:
    return {c.key: (c.visits, c.participants) for c in visit_stats(conn, by, **kw)}


def test_by_district_matches_an_independent_count(loaded: sqlite3.Connection) -> None:
    assert as_dict(loaded, "district") == independent(place, ROWS)


@pytest.mark.parametrize("by", ["site", "unit", "month"])
def test_by_site_unit_month(loaded: sqlite3.Connection, by: str) -> None:
    key = {"site": lambda r: r["site_id"], "unit": lambda r: r["unit_id"], "month": lambda r: r["date"][:7]}[
        by
    ]
    assert as_dict(loaded, by) == independent(key, ROWS)


def test_months_are_in_calendar_order_and_others_by_visits(loaded: sqlite3.Connection) -> None:
    months = [c.key for c in visit_stats(loaded, "month")]
    assert months == sorted(months)
    counts = [c.visits for c in visit_stats(loaded, "site")]
    assert counts == sorted(counts, reverse=True)


def test_period_and_unit_subtree_filters(loaded: sqlite3.Connection) -> None:
    spring = [
        r for r in ROWS if "2026-03-01" <= r["date"] <= "2026-05-31" and r["unit_id"] in ("zb11", "zb12")
    ]
    got = as_dict(loaded, "district", start="2026-03-01", end="2026-05-31", unit="zz1")
    assert got == independent(place, spring) and got


def test_unknown_grouping_or_unit_is_a_config_error(loaded: sqlite3.Connection) -> None:
    with pytest.raises(ConfigError, match="valid: district"):
        visit_stats(loaded, "province")
    with pytest.raises(ConfigError, match="no unit"):
        visit_stats(loaded, "site", unit="nowhere")
