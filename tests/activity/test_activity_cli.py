"""`studykb units|visits|demo` end to end through the real entry point, as the outside check runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from activity_samples import UNIT_COLUMNS, UNITS, VISIT_COLUMNS, visit
from test_activity_stats import place


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from studykb_cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_units_and_visits_import_stats_and_refusal(
    tmp_path: Path, write_file: Callable[..., Path], database_url: list[str]
) -> None:
    data = str(tmp_path / "data")

    def on(*args: str) -> subprocess.CompletedProcess[str]:
        return run(*args, *database_url)

    units = write_file("units.csv", UNIT_COLUMNS, UNITS)
    result = on("units", "import", str(units), "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "12 units — 12 added" in result.stdout
    rows = [visit(n) for n in range(600)]
    visits = write_file("visits.csv", VISIT_COLUMNS, rows)
    assert "600 added" in on("visits", "import", str(visits), "--data-dir", data).stdout

    stats = json.loads(on("visits", "stats", "--by", "district", "--json", "--data-dir", data).stdout)
    expected_v: Counter[str] = Counter()
    expected_p: Counter[str] = Counter()
    for row in rows:
        expected_v[place(row)] += 1
        expected_p[place(row)] += int(row["participants"])
    assert {s["key"]: (s["visits"], s["participants"]) for s in stats} == {
        k: (expected_v[k], expected_p[k]) for k in expected_v
    }
    assert all(set(s) == {"key", "visits", "participants"} for s in stats)

    again = on("visits", "import", str(visits), "--data-dir", data)
    assert "0 added, 0 updated, 600 unchanged" in again.stdout

    bad = [dict(r) for r in rows[:50]]
    bad[30]["date"] = "2026-02-31"
    result = on("visits", "import", str(write_file("bad.csv", VISIT_COLUMNS, bad)), "--data-dir", data)
    assert result.returncode == 1
    assert "bad.csv line 32, field date" in result.stderr and "Nothing was imported" in result.stderr
    assert (
        json.loads(on("visits", "stats", "--by", "district", "--json", "--data-dir", data).stdout) == stats
    )

    exported = on("visits", "export", "--data-dir", data).stdout
    assert (
        exported.splitlines()[0] == ",".join((*VISIT_COLUMNS, "notes")) and len(exported.splitlines()) == 601
    )
    listed = on("units", "list", "--json", "--data-dir", data)
    assert [u["id"] for u in json.loads(listed.stdout)][:2] == ["dw", "zb01"]
    assert on("units", "export", "--data-dir", data).stdout.splitlines()[0] == "id,name,parent_id,kind"
    if database_url:  # every row went to PostgreSQL
        assert not list(Path(data).glob("*.db*")) and not list(Path(data).glob("*.sqlite*"))


def test_stats_rejects_a_bad_date_option(tmp_path: Path) -> None:
    result = run("visits", "stats", "--from", "2026-02-30", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2 and "--from" in result.stderr


def test_demo_load_is_labelled_and_refuses_real_data(tmp_path: Path, write_file: Callable[..., Path]) -> None:
    demo_dir = str(tmp_path / "demo")
    loaded = run("demo", "load", "--visits", "300", "--data-dir", demo_dir)
    assert "300 visits" in loaded.stdout, loaded.stderr
    units = json.loads(run("units", "list", "--json", "--data-dir", demo_dir).stdout)
    assert units and all(u["id"].startswith("demo-") and u["name"].startswith("【示例】") for u in units)
    assert "removed: 12 units" in run("demo", "remove", "--data-dir", demo_dir).stdout
    assert json.loads(run("units", "list", "--json", "--data-dir", demo_dir).stdout) == []

    real_dir = str(tmp_path / "real")
    run("units", "import", str(write_file("units.csv", UNIT_COLUMNS, UNITS)), "--data-dir", real_dir)
    refused = run("demo", "load", "--data-dir", real_dir)
    assert refused.returncode == 2 and "its own data dir" in refused.stderr
