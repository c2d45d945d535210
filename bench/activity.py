"""Study-activity benchmark: `visits stats` over N visits at M sites (targets: ≤ 200 ms at 100,000
visits), and the 学习地图 page with the heat layer rendered warm (target ≤ 2 s at 600 sites).

    python bench/activity.py                      # 600 sites, 100,000 visits (the issue's scale)
    python bench/activity.py --visits 10000 --sites 120 --no-page   # quick while developing
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import sqlite3
import tempfile
from pathlib import Path

from common import ROOT, emit, median, timed, timed_cpu

from activity.stats import GROUPINGS, visit_stats
from activity.units import KINDS
from activity.visits import ACTIVITIES
from sites import DEFAULT_SITES_PATH, load_sites
from sites.store import import_sites
from studykb.auth import User
from studykb.db import connect, write

MAINTAINER = User(0, "bench", "maintainer")


def build(path: Path, n_sites: int, n_visits: int, seed: int = 17) -> sqlite3.Connection:
    """A database with `n_sites` sites (the shipped ones, repeated with shifted ids and points),
    3 levels of units (1 + 4 + 24) and `n_visits` visits over two years."""
    rng = random.Random(seed)
    conn = connect(path)
    shipped = load_sites(DEFAULT_SITES_PATH)
    sites = [
        dataclasses.replace(
            shipped[i % len(shipped)],
            id=f"{shipped[i % len(shipped)].id}-b{i}",
            lat=shipped[i % len(shipped)].lat + rng.uniform(-0.01, 0.01),
            lon=shipped[i % len(shipped)].lon + rng.uniform(-0.01, 0.01),
        )
        for i in range(n_sites)
    ]
    import_sites(conn, MAINTAINER, sites, source="bench")
    units = [("u", "党委", None, KINDS[0])] + [(f"u{a}", f"总支{a}", "u", KINDS[1]) for a in range(4)]
    units += [(f"u{a}-{b}", f"支部{a}-{b}", f"u{a}", KINDS[2]) for a in range(4) for b in range(6)]
    branches = [u[0] for u in units if u[3] == KINDS[2]]
    start = dt.date(2025, 1, 1)
    weights = [rng.paretovariate(1.1) for _ in sites]
    with write(conn):
        conn.executemany("INSERT INTO units(id, name, parent_id, kind) VALUES (?,?,?,?)", units)
        conn.executemany(
            "INSERT INTO visits(id, site_id, date, unit_id, participants, activity) VALUES (?,?,?,?,?,?)",
            [
                (
                    f"v{n}",
                    site.id,
                    (start + dt.timedelta(days=rng.randrange(730))).isoformat(),
                    rng.choice(branches),
                    rng.randint(3, 120),
                    rng.choice(ACTIVITIES),
                )
                for n, site in enumerate(rng.choices(sites, weights, k=n_visits))
            ],
        )
    conn.execute("ANALYZE")
    return conn


def time_stats(conn: sqlite3.Connection, repeat: int) -> dict[str, float]:
    """Median wall and CPU milliseconds of each grouping, whole range and a half-year for one 总支."""
    out: dict[str, float] = {}
    for by in GROUPINGS:
        for label, kw in (
            ("all", {}),
            ("half-year+unit", {"start": "2025-07-01", "end": "2025-12-31", "unit": "u1"}),
        ):
            walls, cpus = [], []
            for _ in range(repeat):
                _, wall, cpu = timed_cpu(lambda: visit_stats(conn, by, **kw))  # noqa: B023
                walls.append(wall)
                cpus.append(cpu)
            out[f"stats --by {by} ({label}) wall ms"] = 1000 * median(walls)
            out[f"stats --by {by} ({label}) cpu ms"] = 1000 * median(cpus)
    return out


def time_page(data_dir: Path) -> dict[str, float]:
    """Cold and warm render of the 学习地图 page (heat layer on) through Streamlit's AppTest."""
    from streamlit.testing.v1 import AppTest

    os.environ["STUDYKB_DATA_DIR"] = str(data_dir)
    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=300)
    at.run()
    _, cold = timed(lambda: at.switch_page("views/sites.py").run())
    assert not at.exception, at.exception
    warm = [timed(at.run)[1] for _ in range(3)]
    return {"map page cold s": cold, "map page warm s (median of 3)": median(warm)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=600)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-page", action="store_true", help="Skip the page render timing.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="studykb-activity-") as tmp:
        data = Path(tmp)
        conn, build_s = timed(lambda: build(data / "studykb.db", args.sites, args.visits))
        figures: dict[str, object] = {"sites": args.sites, "visits": args.visits, "build s": build_s}
        figures.update(time_stats(conn, args.repeat))
        if not args.no_page:
            figures.update(time_page(data))
        emit("activity", figures, args.json)


if __name__ == "__main__":
    main()
