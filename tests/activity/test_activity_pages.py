"""AppTests: the 学习统计 dashboard and the study-activity parts of 学习地图, on a data dir holding the
labelled demo set (no search index needed)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest
from test_activity_cli import run as run_cli

from activity.dashboard import dashboard, month_bounds
from activity.demo import load_demo
from activity.stats import visit_stats
from activity.units import set_member_unit
from activity.xlsx import dashboard_xlsx
from sites.store import ensure_loaded
from studykb.auth import User, add_user
from studykb.db import connect
from studykb.pg import DATABASE_URL_ENV
from tests.pg_server import PgServer

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
MAINTAINER = User(0, "cli:test", "maintainer")

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture(params=["sqlite", "postgres"])
def demo_dir(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir with the demo set, its rows in the data dir's SQLite file or in PostgreSQL."""
    data = tmp_path / "data"
    data.mkdir()
    if request.param == "postgres":
        server: PgServer = request.getfixturevalue("pg_server")
        monkeypatch.setenv(DATABASE_URL_ENV, server.new_database())
    conn = connect(data / "studykb.db")
    ensure_loaded(conn)
    load_demo(conn, n_visits=400)
    add_user(conn, "org", None, role="organiser")
    set_member_unit(conn, MAINTAINER, "org", "demo-zz1")
    conn.close()
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(data))
    return data


def open_page(page: str, user: User | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The page's table that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def org(data: Path) -> User:
    conn = connect(data / "studykb.db")
    row = conn.execute("SELECT id FROM users WHERE username = 'org'").fetchone()
    return User(int(row[0]), "org", "organiser")


def test_dashboard_shows_this_months_numbers_and_exports_the_same(demo_dir: Path) -> None:
    at = open_page("views/stats.py", org(demo_dir))
    conn = connect(demo_dir / "studykb.db")
    first, last = month_bounds(dt.date.today())
    month = visit_stats(conn, "month", start=first, end=last)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"本月学习活动（{first[:7]}）"] == f"{sum(c.visits for c in month)} 次"
    assert metrics["本月参与"] == f"{sum(c.participants for c in month)} 人次"
    assert any("演示数据" in w.value for w in at.warning)
    themes = frame(at, "课题数")
    assert themes["课题数"].sum() == 24
    book = load_workbook(io.BytesIO(dashboard_xlsx(dashboard(conn, org(demo_dir)))))
    assert book.sheetnames == ["概况", "月度趋势", "区县分布", "清单完成", "课题主题"]
    summary = [c.value for c in book["概况"][2]]
    assert summary == [first[:7], sum(c.visits for c in month), sum(c.participants for c in month)]
    districts = {r[0].value: r[1].value for r in book["区县分布"].iter_rows(min_row=2)}
    start = (dt.date.today() - dt.timedelta(days=364)).isoformat()
    assert districts == {
        c.key: c.visits for c in visit_stats(conn, "district", start=start, end=dt.date.today().isoformat())
    }


def test_dashboard_unit_filter_narrows_the_trend(demo_dir: Path) -> None:
    at = open_page("views/stats.py", org(demo_dir))
    total = at.metric[2].value
    at.sidebar.selectbox(key="stats_unit").select_index(2).run()  # the first 党总支 in tree order
    assert not at.exception
    assert at.metric[2].value != total


def test_dashboard_without_data_says_how_to_get_some(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(tmp_path / "empty"))
    at = open_page("views/stats.py")
    assert any("studykb demo load" in i.value for i in at.info)


def test_map_has_a_heat_layer_clusters_and_a_ranked_district_table(demo_dir: Path) -> None:
    at = open_page("views/sites.py")
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layers = {layer["id"]: layer for layer in deck["layers"]}
    conn = connect(demo_dir / "studykb.db")
    start = (dt.date.today() - dt.timedelta(days=364)).isoformat()
    per_site = {
        c.key: c.visits for c in visit_stats(conn, "site", start=start, end=dt.date.today().isoformat())
    }
    heat = layers["visit-heat"]
    assert heat["@@type"] == "HeatmapLayer"
    assert sum(p["weight"] for p in heat["data"]) == sum(per_site.values())
    assert max(c["count"] for c in layers["site-clusters"]["data"]) >= 5  # central Shanghai
    ranked = frame(at, "学习活动（次）")
    assert list(ranked["学习活动（次）"]) == sorted(ranked["学习活动（次）"], reverse=True)
    assert any(m.value.startswith("**场馆**：") for m in at.markdown)


def test_heat_period_changes_the_layer(demo_dir: Path) -> None:
    at = open_page("views/sites.py")

    def weight() -> int:
        deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
        heat = [layer for layer in deck["layers"] if layer["id"] == "visit-heat"]
        return sum(p["weight"] for p in heat[0]["data"]) if heat else 0

    year = weight()
    at.sidebar.selectbox(key="heat_period").select("最近30天").run()
    assert 0 < weight() < year


def test_organiser_records_a_visit_on_a_site_page(demo_dir: Path) -> None:
    at = open_page("views/sites.py", org(demo_dir))
    selection = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.session_state[at.session_state["site_table_key"]] = selection
    at.run()
    site_id = at.session_state["site_id"]
    assert any(b.label == "高德地图导航" for b in at.get("link_button"))
    conn = connect(demo_dir / "studykb.db")
    before = conn.execute("SELECT count(*) FROM visits WHERE site_id = ?", (site_id,)).fetchone()[0]
    at.number_input(key=f"rec-people-{site_id}").set_value(33)
    at.text_input(key=f"rec-topic-{site_id}").input("重温入党誓词")
    at.button(key=f"FormSubmitter:record-{site_id}-保存学习活动").click().run()
    assert not at.exception
    assert any("已记录" in s.value for s in at.success)
    row = conn.execute(
        "SELECT unit_id, participants, topic FROM visits WHERE site_id = ? AND topic = ?",
        (site_id, "重温入党誓词"),
    ).fetchone()
    assert tuple(row) == ("demo-zz1", 33, "重温入党誓词")
    assert (
        conn.execute("SELECT count(*) FROM visits WHERE site_id = ?", (site_id,)).fetchone()[0] == before + 1
    )


def test_dashboard_lists_members_behind_a_unit_list_near_its_end(demo_dir: Path) -> None:
    from lists import store
    from lists.records import Anchor

    conn = connect(demo_dir / "studykb.db")
    organiser = org(demo_dir)
    today = dt.date.today()
    reading = store.create_list(
        conn,
        organiser,
        "月度专题",
        period_start=(today - dt.timedelta(days=20)).isoformat(),
        period_end=(today + dt.timedelta(days=3)).isoformat(),
    )
    for n in range(3):
        store.add_item(
            conn, organiser, reading.id, Anchor(kind="document", doc_path=f"d{n}.txt", doc_title=f"文{n}")
        )
    store.publish(conn, organiser, reading.id, store.get_list(conn, organiser, reading.id).revision)
    result = run_cli("units", "assign-list", str(reading.id), "demo-zz1", "--data-dir", str(demo_dir))
    assert result.returncode == 0, result.stderr
    at = open_page("views/stats.py", organiser)
    members = conn.execute(
        "SELECT count(*) FROM unit_members WHERE unit_id IN "
        "('demo-zz1', 'demo-zb11', 'demo-zb12', 'demo-zb13')"
    ).fetchone()[0]
    assert any(f"（{members} 人）" in m.value and "落后于进度的成员" in m.value for m in at.markdown)
    completion = frame(at, "完成率")
    assert list(completion["成员"]) == [members] and list(completion["全部读完"]) == [0]


def test_the_dashboards_unit_and_period_are_in_the_link(demo_dir: Path) -> None:
    at = open_page("views/stats.py", org(demo_dir))
    at.sidebar.selectbox(key="stats_unit").select_index(2).run()
    chosen = at.session_state["stats_unit"]
    assert at.query_params["unit"] == chosen.id
    shown = at.metric[2].value
    linked = AppTest.from_file(str(APP), default_timeout=180)  # a reload of that link
    linked.session_state["user"] = org(demo_dir)
    linked.run()
    linked.switch_page("views/stats.py")
    linked.query_params["unit"] = chosen.id
    linked.query_params["heat_period"] = "最近30天"
    linked.run()
    assert not linked.exception
    assert linked.sidebar.selectbox(key="stats_unit").value == chosen
    assert linked.sidebar.selectbox(key="heat_period").value == "最近30天"
    assert linked.metric[2].label.startswith("最近30天") and linked.metric[2].value != shown


def test_members_see_no_command_line_hints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    member = add_user(connect(data / "studykb.db"), "zhang", None, role="member")
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(data))
    at = open_page("views/stats.py", member)
    assert at.info and not any("studykb" in i.value for i in at.info)
