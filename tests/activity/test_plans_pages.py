"""AppTests: an organiser registers and edits research topics on 学习统计 (the share per theme
follows), and plans, signs units up for and closes events on a site's page of 学习地图."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_activity_pages import demo_dir, frame, open_page, org  # noqa: F401 (demo_dir: a fixture)

from activity.events import list_events
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


SITE = "sh-cpc1-memorial"


def site_page(data: Path) -> AppTest:
    at = open_page("views/sites.py", org(data))
    at.session_state["site_id"] = SITE
    at.run()
    assert not at.exception, at.exception
    return at


def test_organiser_plans_a_series_signs_a_unit_up_and_closes_an_event(demo_dir: Path) -> None:  # noqa: F811
    at = site_page(demo_dir)
    at.button(key=f"FormSubmitter:plan-{SITE}-安排活动").click().run()
    assert any("请填写活动名称" in e.value for e in at.error)

    at.text_input(key=f"ev-title-{SITE}").input("党史报告会")
    at.date_input(key=f"ev-date-{SITE}").set_value(dt.date.today() + dt.timedelta(days=2))
    at.selectbox(key=f"ev-repeat-{SITE}").select("每月一次")
    at.number_input(key=f"ev-months-{SITE}").set_value(3)
    at.number_input(key=f"ev-capacity-{SITE}").set_value(50)
    at.selectbox(key=f"ev-online-{SITE}").select("线上线下同步")
    at.button(key=f"FormSubmitter:plan-{SITE}-安排活动").click().run()
    assert not at.exception, at.exception
    assert any("已安排“党史报告会”" in s.value and "共 3 场" in s.value for s in at.success)
    conn = connect(demo_dir / "studykb.db")
    planned = conn.execute(
        "SELECT id, unit_id, capacity, online, time FROM events WHERE title = '党史报告会' ORDER BY date"
    ).fetchall()
    assert [tuple(r)[1:] for r in planned] == [("demo-zz1", 50, 1, "14:00")] * 3

    first = planned[0]["id"]
    at.selectbox(key=f"us-event-{SITE}").select(next(e for e in list_events(conn) if e.id == first))
    at.selectbox(key=f"us-unit-{SITE}").select_index(1)
    at.number_input(key=f"us-people-{SITE}").set_value(20)
    at.button(key=f"FormSubmitter:unit-signup-{SITE}-单位报名").click().run()
    assert not at.exception, at.exception
    assert any("报名 20 人" in s.value for s in at.success)
    signed = conn.execute("SELECT unit_id, people FROM event_signups WHERE event_id = ?", (first,)).fetchall()
    assert [tuple(r) for r in signed] == [("demo-zb11", 20)]

    # The day has passed: the event waits for its attendance.
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    conn.execute("UPDATE events SET date = ? WHERE id = ?", (yesterday, first))
    at.run()
    assert any(e.label == "登记活动出席（1 场待登记）" for e in at.expander)
    assert at.number_input(key=f"cl-people-{SITE}").value == 20  # the places taken, to correct
    at.number_input(key=f"cl-people-{SITE}").set_value(18)
    at.button(key=f"FormSubmitter:close-{SITE}-登记出席").click().run()
    assert not at.exception, at.exception
    visit = conn.execute("SELECT site_id, date, unit_id, participants FROM visits WHERE id = ?",
                         (f"event-{first}",)).fetchone()
    assert tuple(visit) == (SITE, yesterday, "demo-zz1", 18)
    assert not [e for e in at.expander if e.label.startswith("登记活动出席")]


def test_members_get_no_organiser_event_tools(demo_dir: Path) -> None:  # noqa: F811
    from activity.units import set_member_unit
    from studykb.auth import User, add_user

    conn = connect(demo_dir / "studykb.db")
    add_user(conn, "mem", None, role="member")
    set_member_unit(conn, User(0, "cli:test", "maintainer"), "mem", "demo-zb11")
    uid = conn.execute("SELECT id FROM users WHERE username = 'mem'").fetchone()[0]
    at = open_page("views/sites.py", User(int(uid), "mem", "member"))
    at.session_state["site_id"] = SITE
    at.run()
    assert any(b.label == "报名" for b in at.button)  # members sign themselves up
    assert not [b for b in at.button if (b.key or "").startswith(f"FormSubmitter:plan-{SITE}")]


def test_the_map_uses_tianditu_when_its_key_is_configured(demo_dir: Path) -> None:  # noqa: F811
    from sites.basemap import style_data_url, tianditu_style

    def map_style() -> object:
        at = open_page("views/sites.py")
        return json.loads(at.get("deck_gl_json_chart")[0].proto.json).get("mapStyle")

    assert map_style() is None  # offline: no base map
    key = "0123456789abcdef0123456789abcdef"
    (demo_dir / "studykb.toml").write_text(f'[map]\ntianditu_key = "{key}"\n', encoding="utf-8")
    assert map_style() == style_data_url(tianditu_style(key))
