"""The demo data set (示例数据): a generated, clearly labelled organisation with members, a year of
visits, research topics and a monthly lecture series, so the 学习统计 page shows something.

Every demo row is recognisable: ids and usernames start with `demo-`, unit names with 【示例】.
`load_demo` refuses a database that already holds real units (load demos into their own data dir);
`remove_demo` deletes exactly the demo rows.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from dataclasses import dataclass

from sites.store import ensure_loaded
from studykb.db import write
from studykb.errors import ConflictError

from .topics import STATUSES, TOPIC_THEMES
from .visits import ACTIVITIES

__all__ = ["DEMO_PREFIX", "DemoReport", "load_demo", "remove_demo"]

DEMO_PREFIX = "demo-"
LABEL = "【示例】"

_UNITS: tuple[tuple[str, str, str | None, str], ...] = (
    ("demo-dw", "区委机关党委", None, "党委"),
    ("demo-zz1", "第一党总支", "demo-dw", "党总支"),
    ("demo-zz2", "第二党总支", "demo-dw", "党总支"),
    ("demo-zz3", "第三党总支", "demo-dw", "党总支"),
    ("demo-zb11", "第一党支部", "demo-zz1", "党支部"),
    ("demo-zb12", "第二党支部", "demo-zz1", "党支部"),
    ("demo-zb13", "第三党支部", "demo-zz1", "党支部"),
    ("demo-zb21", "第四党支部", "demo-zz2", "党支部"),
    ("demo-zb22", "第五党支部", "demo-zz2", "党支部"),
    ("demo-zb31", "第六党支部", "demo-zz3", "党支部"),
    ("demo-zb32", "第七党支部", "demo-zz3", "党支部"),
    ("demo-zb33", "第八党支部", "demo-zz3", "党支部"),
)
_TOPICS = (
    "推动产业链升级的调查",
    "社区治理“一网统管”调研",
    "老旧小区加装电梯情况调研",
    "营商环境企业走访",
    "红色资源保护利用调研",
    "青年人才安居情况调研",
    "数字化转型中的小微企业",
    "垃圾分类长效机制调研",
)


@dataclass(frozen=True)
class DemoReport:
    """How many demo rows were written (or removed)."""

    action: str
    units: int
    members: int
    visits: int
    topics: int
    events: int

    def summary(self) -> str:
        """One line naming the counts."""
        return (
            f"demo data {self.action}: {self.units} units, {self.members} members, {self.visits} visits, "
            f"{self.topics} topics, {self.events} events (ids start with {DEMO_PREFIX})"
        )


def load_demo(
    conn: sqlite3.Connection, *, seed: int = 2026, n_visits: int = 1200, today: dt.date | None = None
) -> DemoReport:
    """Write the demo set (replacing an earlier demo set); refuse a database with real units."""
    real = conn.execute("SELECT count(*) FROM units WHERE id NOT LIKE 'demo-%'").fetchone()[0]
    if real:
        raise ConflictError(
            f"this database holds {real} real units: load the demo into its own data dir "
            "(`studykb demo load --data-dir demo-data`) so it never mixes with real data"
        )
    ensure_loaded(conn)
    remove_demo(conn)
    rng = random.Random(seed)
    today = today or dt.date.today()
    sites = [r[0] for r in conn.execute("SELECT id FROM sites WHERE hidden = 0 ORDER BY id")]
    # A few sites draw most visits, as in life; some get none (the 需要关注 list).
    weights = [rng.paretovariate(1.2) if rng.random() > 0.15 else 0.0 for _ in sites]
    branches = [u[0] for u in _UNITS if u[3] == "党支部"]
    with write(conn):
        conn.executemany(
            "INSERT INTO units(id, name, parent_id, kind, updated_by) VALUES (?,?,?,?,'demo')",
            [(i, LABEL + n, p, k) for i, n, p, k in _UNITS],
        )
        members = 0
        for b, branch in enumerate(branches):
            for m in range(rng.randint(6, 12)):
                name = f"{DEMO_PREFIX}{b + 1:02d}{m + 1:02d}"
                cur = conn.execute(
                    "INSERT INTO users(username, display_name, role) VALUES (?, ?, 'member')",
                    (name, f"{LABEL}党员{b + 1}-{m + 1}"),
                )
                conn.execute(
                    "INSERT INTO unit_members(user_id, unit_id) VALUES (?, ?)", (cur.lastrowid, branch)
                )
                members += 1
        rows = []
        for n in range(n_visits if sites else 0):
            day = today - dt.timedelta(days=rng.randrange(365))
            rows.append(
                (
                    f"{DEMO_PREFIX}v{n + 1:06d}",
                    rng.choices(sites, weights)[0],
                    day.isoformat(),
                    rng.choice(branches),
                    rng.randint(5, 60),
                    rng.choice(ACTIVITIES),
                    rng.choice(_TOPICS[:5]) if rng.random() < 0.3 else "",
                    LABEL + "生成的示例记录",
                )
            )
        conn.executemany(
            "INSERT INTO visits(id, site_id, date, unit_id, participants, activity, topic, notes, "
            "updated_by) VALUES (?,?,?,?,?,?,?,?,'demo')",
            rows,
        )
        theme_weights = [8, 3, 3, 4, 3, 2, 2, 1, 1]
        n_topics = 24
        for t in range(n_topics):
            conn.execute(
                "INSERT INTO topics(id, unit_id, title, theme, lead, status, updated_by) "
                "VALUES (?,?,?,?,?,?,'demo')",
                (
                    f"{DEMO_PREFIX}t{t + 1:02d}",
                    rng.choice(branches),
                    f"{LABEL}{rng.choice(_TOPICS)}（{t + 1}）",
                    rng.choices(TOPIC_THEMES, theme_weights)[0],
                    f"{LABEL}负责人{t + 1}",
                    rng.choice(STATUSES),
                ),
            )
        events = 0
        if "sh-cpc1-memorial" in sites:
            for n in range(3):
                year, month = divmod(today.month + n, 12)
                conn.execute(
                    "INSERT INTO events(site_id, title, date, time, capacity, online, unit_id, series) "
                    "VALUES (?,?,?,?,?,1,?,?)",
                    (
                        "sh-cpc1-memorial",
                        LABEL + "初心讲堂",
                        dt.date(today.year + year, month + 1, 15).isoformat(),
                        "14:00",
                        120,
                        "demo-dw",
                        "demo-初心讲堂",
                    ),
                )
                events += 1
    return DemoReport("loaded", len(_UNITS), members, len(rows), n_topics, events)


def remove_demo(conn: sqlite3.Connection) -> DemoReport:
    """Delete every demo row (ids and usernames starting with `demo-`); nothing else changes."""
    like = DEMO_PREFIX + "%"
    with write(conn):
        events = conn.execute("DELETE FROM events WHERE unit_id LIKE ?", (like,)).rowcount
        topics = conn.execute("DELETE FROM topics WHERE unit_id LIKE ?", (like,)).rowcount
        visits = conn.execute("DELETE FROM visits WHERE id LIKE ? OR unit_id LIKE ?", (like, like)).rowcount
        conn.execute("DELETE FROM reading_list_units WHERE unit_id LIKE ?", (like,))
        conn.execute("DELETE FROM unit_members WHERE unit_id LIKE ?", (like,))
        members = conn.execute("DELETE FROM users WHERE username LIKE ?", (like,)).rowcount
        units = conn.execute("DELETE FROM units WHERE id LIKE ?", (like,)).rowcount
    return DemoReport("removed", units, members, visits, topics, events)
