"""AppTests: an organiser registers and edits research topics on 学习统计 (the share per theme
follows), and plans, signs units up for and closes events on a site's page of 学习地图."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_activity_pages import demo_dir, frame, open_page, org  # noqa: F401 (demo_dir: a fixture)

from activity.topics import list_topics
from activity.units import subtree
from studykb.db import connect

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def themes(at: object) -> dict[str, int]:
    table = frame(at, "课题数")  # type: ignore[arg-type]
    return dict(zip(table["主题"], table["课题数"], strict=True))


def test_organiser_registers_a_topic_and_the_theme_share_follows(demo_dir: Path) -> None:  # noqa: F811
    at = open_page("views/stats.py", org(demo_dir))
    before = themes(at)
    assert sum(before.values()) == 24
    mine = frame(at, "课题名称")
    conn = connect(demo_dir / "studykb.db")
    scope = subtree(conn, "demo-zz1")
    assert len(mine) == len(list_topics(conn, scope)) < 24

    at.text_input(key="tp-title-new").input("数字化转型中的小微企业调研")
    at.selectbox(key="tp-unit-new").select_index(1)  # the first branch below demo-zz1
    at.selectbox(key="tp-theme-new").select("高质量发展")
    at.text_input(key="tp-lead-new").input("张三")
    at.button(key="FormSubmitter:topic-new-登记课题").click().run()
    assert not at.exception, at.exception
    assert any("已保存调研课题" in s.value for s in at.success)
    after = themes(at)
    assert after["高质量发展"] == before.get("高质量发展", 0) + 1 and sum(after.values()) == 25
    (made,) = [t for t in list_topics(conn) if t.title == "数字化转型中的小微企业调研"]
    assert made.unit_id in scope and made.unit_id != "demo-zz1" and made.lead == "张三"

    at.selectbox(key="topic_choice").select(made).run()
    at.selectbox(key=f"tp-status-{made.id}").select("已结题")
    at.date_input(key=f"tp-start-{made.id}").set_value(dt.date(2026, 3, 1))
    at.date_input(key=f"tp-end-{made.id}").set_value(dt.date(2026, 2, 1))
    at.button(key=f"FormSubmitter:topic-{made.id}-保存修改").click().run()
    assert any("结束日期不能早于开始日期" in e.value for e in at.error)
    assert [t.status for t in list_topics(conn) if t.id == made.id] == ["立项"]
    at.date_input(key=f"tp-end-{made.id}").set_value(dt.date(2026, 10, 31))
    at.button(key=f"FormSubmitter:topic-{made.id}-保存修改").click().run()
    assert not at.error
    stored = next(t for t in list_topics(conn) if t.id == made.id)
    assert (stored.status, stored.start_date, stored.end_date) == ("已结题", "2026-03-01", "2026-10-31")


def test_members_see_no_topic_form(demo_dir: Path) -> None:  # noqa: F811
    at = open_page("views/stats.py")
    assert "调研课题登记" not in [h.value for h in at.subheader]
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter:topic-")]
