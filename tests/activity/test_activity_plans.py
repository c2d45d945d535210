"""Events (series, sign-up, becoming a visit), research topics by theme, reading lists for units."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from activity_samples import user

from activity.assign import assign_units, behind_csv, behind_schedule, unit_completion
from activity.events import close_event, plan_series, sign_up, signed_up
from activity.stats import visit_stats
from activity.topics import add_topic, theme_shares
from lists import store
from lists.progress import mark_read
from lists.records import Anchor
from studykb.errors import ConflictError, PermissionDenied, ValidationError


def test_monthly_series_sign_up_and_close_into_a_visit(tree: sqlite3.Connection) -> None:
    org = user(tree, "zz1org")
    first = dt.date.today()
    events = plan_series(
        tree,
        org,
        site_id="sh-cpc1-memorial",
        title="初心讲堂",
        first=first.isoformat(),
        months=3,
        time="14:00",
        capacity=3,
        unit_id="zz1",
        online=True,
    )
    assert len(events) == 3 and len({e.date[:7] for e in events}) == 3
    event = events[0]
    sign_up(tree, user(tree, "m11"), event.id)
    with pytest.raises(ConflictError, match="already signed up"):
        sign_up(tree, user(tree, "m11"), event.id)
    sign_up(tree, org, event.id, unit_id="zb12", people=2)
    assert signed_up(tree, event.id) == 3
    with pytest.raises(ConflictError, match="0 places left"):
        sign_up(tree, user(tree, "m21"), event.id)
    with pytest.raises(PermissionDenied):
        sign_up(tree, org, event.id, unit_id="zb21", people=2)
    with pytest.raises(ValidationError, match="close it after"):
        close_event(tree, org, events[2].id, 3)
    made = close_event(tree, org, event.id, 3, today=dt.date.fromisoformat(event.date))
    assert (made.site_id, made.participants, made.unit_id) == ("sh-cpc1-memorial", 3, "zz1")
    assert visit_stats(tree, "site")[0].participants == 3
    with pytest.raises(ConflictError, match="already recorded"):
        close_event(tree, org, event.id, 3, today=dt.date.fromisoformat(event.date))


def test_series_day_is_clipped_to_month_end(tree: sqlite3.Connection) -> None:
    events = plan_series(
        tree,
        user(tree, "dworg"),
        site_id="sh-cpc1-memorial",
        title="讲堂",
        first="2027-01-31",
        months=2,
        time="",
        capacity=50,
        unit_id="dw",
    )
    assert [e.date for e in events] == ["2027-01-31", "2027-02-28"]


def test_topics_share_per_theme(tree: sqlite3.Connection) -> None:
    org = user(tree, "zz1org")
    for n, theme in enumerate(["高质量发展"] * 3 + ["乡村振兴"] * 1):
        add_topic(tree, org, unit_id="zb11", title=f"课题{n}", theme=theme, lead="张三")
    shares = theme_shares(tree)
    assert [(s.theme, s.topics, s.percent) for s in shares] == [
        ("高质量发展", 3, 75.0),
        ("乡村振兴", 1, 25.0),
    ]
    with pytest.raises(ValidationError, match="unknown"):
        add_topic(tree, org, unit_id="zb11", title="x", theme="随便")
    with pytest.raises(PermissionDenied):
        add_topic(tree, org, unit_id="zb21", title="x", theme="其他")


def doc(n: int) -> Anchor:
    return Anchor(kind="document", doc_path=f"d{n}.txt", doc_title=f"文件{n}", doc_date="2022-10-16")


def test_list_for_units_counts_their_members_and_lists_those_behind(tree: sqlite3.Connection) -> None:
    org = user(tree, "zz1org")
    reading = store.create_list(tree, org, "专题学习", period_start="2026-01-01", period_end="2026-01-31")
    items = [store.add_item(tree, org, reading.id, doc(n)) for n in range(4)]
    reading = store.publish(tree, org, reading.id, store.get_list(tree, org, reading.id).revision)
    assign_units(tree, org, reading.id, ["zz1"])
    with pytest.raises(PermissionDenied):
        assign_units(tree, org, reading.id, ["zz2"])
    for item in items:
        mark_read(tree, user(tree, "m11"), item.id)
    mark_read(tree, user(tree, "m21"), items[0].id)  # not in zz1: not counted
    mark_read(tree, user(tree, "m12"), items[0].id)
    [zz1] = unit_completion(tree, org, reading.id)
    assert (zz1.unit_id, zz1.members, zz1.finished, zz1.items_read, zz1.items_total) == ("zz1", 3, 1, 5, 4)
    # zz1's members: m11, m12 and the organiser zz1org itself.
    assert behind_schedule(tree, org, reading.id, today=dt.date(2026, 1, 10)) == []  # not near the end yet
    late = behind_schedule(tree, org, reading.id, today=dt.date(2026, 1, 28))
    assert sorted(b.username for b in late) == ["m12", "zz1org"]
    assert all(b.expected == 4 for b in late)
    assert behind_csv(late).splitlines()[0] == "username,name,unit_id,read,expected,total"
