"""`studykb topics …` and `studykb events …` end to end through the real entry point."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from activity_samples import UNIT_COLUMNS, UNITS
from test_activity_cli import run
from test_activity_topics import COLUMNS, topic

from studykb.db import connect


def test_topics_import_list_export_and_refusal(
    tmp_path: Path, write_file: Callable[..., Path], database_url: list[str]
) -> None:
    data = str(tmp_path / "data")

    def on(*args: str) -> subprocess.CompletedProcess[str]:
        return run(*args, *database_url)

    assert on("units", "import", str(write_file("units.csv", UNIT_COLUMNS, UNITS)), "--data-dir", data)
    rows = [topic(n) for n in range(20)]
    path = write_file("topics.csv", COLUMNS, rows)
    result = on("topics", "import", str(path), "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "20 topics — 20 added" in result.stdout
    assert "0 added, 0 updated, 20 unchanged" in on("topics", "import", str(path), "--data-dir", data).stdout

    shares = json.loads(on("topics", "list", "--by-theme", "--json", "--data-dir", data).stdout)
    assert shares == [
        {"theme": "高质量发展", "topics": 10, "percent": 50.0},
        {"theme": "乡村振兴", "topics": 5, "percent": 25.0},
        {"theme": "基层治理", "topics": 5, "percent": 25.0},
    ]
    zz1 = json.loads(on("topics", "list", "--unit", "zz1", "--json", "--data-dir", data).stdout)
    assert {t["unit_id"] for t in zz1} == {"zb11", "zb12"} and len(zz1) == 10

    bad = [dict(r) for r in rows]
    bad[12]["status"] = "完成"
    result = on("topics", "import", str(write_file("bad.csv", COLUMNS, bad)), "--data-dir", data)
    assert result.returncode == 1
    assert "bad.csv line 14, field status" in result.stderr and "Nothing was imported" in result.stderr

    added = on("topics", "add", "zb01", "离退休党员发挥作用调研", "--theme", "党的建设", "--lead", "王五",
                "--data-dir", data)
    assert added.returncode == 0, added.stderr
    refused = on("topics", "add", "zb01", "x", "--theme", "随便", "--end", "2026-02-30", "--data-dir", data)
    assert refused.returncode == 1
    assert "theme: unknown theme '随便'" in refused.stderr and "end: '2026-02-30'" in refused.stderr

    exported = on("topics", "export", "--data-dir", data).stdout
    assert exported.splitlines()[0] == ",".join(COLUMNS) and len(exported.splitlines()) == 22
    again = tmp_path / "again.csv"
    again.write_text(exported, encoding="utf-8")
    reimport = on("topics", "import", str(again), "--data-dir", data)
    assert "0 added, 0 updated, 21 unchanged" in reimport.stdout
    if database_url:  # every row went to PostgreSQL
        assert not list(Path(data).glob("*.db*"))


def test_events_plan_sign_up_list_and_close(tmp_path: Path, write_file: Callable[..., Path]) -> None:
    data = str(tmp_path / "data")
    run("units", "import", str(write_file("units.csv", UNIT_COLUMNS, UNITS)), "--data-dir", data)
    first = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    args = ("sh-cpc1-memorial", "初心讲堂", "--date", first, "--months", "3", "--time", "14:00",
            "--capacity", "40", "--unit", "zz1", "--online", "--data-dir", data)
    planned = run("events", "plan", *args)
    assert planned.returncode == 0, planned.stderr
    assert len(planned.stdout.splitlines()) == 3
    again = run("events", "plan", *args)
    assert again.returncode == 1 and "already planned" in again.stderr
    past = run("events", "plan", "sh-cpc1-memorial", "补记", "--date", "2020-01-01", "--capacity", "5",
               "--unit", "zz1", "--data-dir", data)
    assert past.returncode == 1 and "is past" in past.stderr
    bad_time = run("events", "plan", "sh-cpc1-memorial", "x", "--date", first, "--time", "25:00",
                   "--capacity", "5", "--unit", "zz1", "--data-dir", data)
    assert bad_time.returncode == 1 and "HH:MM" in bad_time.stderr

    listed = json.loads(run("events", "list", "--json", "--data-dir", data).stdout)
    assert [e["date"][:7] for e in listed] == sorted(e["date"][:7] for e in listed)
    first_id = listed[0]["id"]
    signed = run("events", "sign-up", str(first_id), "--unit", "zb11", "--people", "30", "--data-dir", data)
    assert signed.returncode == 0, signed.stderr
    full = run("events", "sign-up", str(first_id), "--unit", "zb12", "--people", "11", "--data-dir", data)
    assert full.returncode == 1 and "10 places left" in full.stderr
    assert json.loads(run("events", "list", "--json", "--data-dir", data).stdout)[0]["signed_up"] == 30

    early = run("events", "close", str(first_id), "--attendance", "28", "--data-dir", data)
    assert early.returncode == 1 and "close it after" in early.stderr
    assert json.loads(run("events", "list", "--to-close", "--json", "--data-dir", data).stdout) == []

    # A month on: the first event has taken place.
    db = connect(Path(data) / "studykb.db")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    db.execute("UPDATE events SET date = ? WHERE id = ?", (yesterday, first_id))
    (due,) = json.loads(run("events", "list", "--to-close", "--json", "--data-dir", data).stdout)
    assert due["id"] == first_id
    closed = run("events", "close", str(first_id), "--attendance", "28", "--activity", "主题党日",
                 "--data-dir", data)
    assert closed.returncode == 0, closed.stderr
    stats = json.loads(run("visits", "stats", "--by", "unit", "--json", "--data-dir", data).stdout)
    assert stats == [{"key": "zz1", "visits": 1, "participants": 28}]
    visit = db.execute("SELECT activity, topic, notes FROM visits").fetchone()
    assert tuple(visit) == ("主题党日", "初心讲堂", "线上线下同步")
    twice = run("events", "close", str(first_id), "--attendance", "28", "--data-dir", data)
    assert twice.returncode == 1 and "already recorded" in twice.stderr
