"""Migration 0005 (coordinate accuracy): a database left at schema version 4 keeps every site and
gains an empty `coord_accuracy_m` column that imports and edits then fill."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sites.load import site_values
from sites.store import SiteFilter, edit_site, get_site, list_sites
from studykb import auth
from studykb.db import MIGRATIONS, connect, schema_version


def columns(conn: sqlite3.Connection) -> list[str]:
    return [row[1] for row in conn.execute("PRAGMA table_info(sites)")]


def test_a_schema_4_database_keeps_its_sites(tmp_path: Path) -> None:
    path = tmp_path / "studykb.db"
    old = sqlite3.connect(path)
    old.executescript("".join(MIGRATIONS[:4]))
    old.execute("PRAGMA user_version = 4")
    old.execute(
        "INSERT INTO sites (id, name, type, province, city, district, address, lat, lon, hours, booking, "
        "themes, description, url, related_queries, hidden, revision, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("zj-old-hall", "旧库里的纪念馆", "纪念馆", "浙江省", "嘉兴市", "南湖区", "南湖路1号",
         30.7515, 120.7625, "周二至周日", None, '["建党"]', "升级前录入的场馆。", None, '["红船精神"]', 1, 3,
         "2024-05-01T08:00:00.000Z", "wangfang"),
    )
    old.commit()
    assert "coord_accuracy_m" not in columns(old)
    old.close()

    conn = connect(path)
    assert schema_version(conn) == len(MIGRATIONS) >= 5
    organiser = auth.add_user(conn, "wangfang", None, "organiser")
    assert columns(conn)[-1] == "coord_accuracy_m"
    stored = get_site(conn, "zj-old-hall")
    assert stored is not None
    assert (stored.hidden, stored.revision, stored.updated_at, stored.updated_by) == (
        True, 3, "2024-05-01T08:00:00.000Z", "wangfang")
    site = stored.site
    assert (site.name, site.lat, site.lon, site.hours, site.booking, site.themes, site.related_queries) == (
        "旧库里的纪念馆", 30.7515, 120.7625, "周二至周日", None, ("建党",), ("红船精神",))
    assert site.coord_accuracy_m is None and not site.approximate

    values = {**site_values(site), "coord_accuracy_m": "1000"}
    edited = edit_site(conn, organiser, "zj-old-hall", values, expected_revision=3)
    assert edited.site.coord_accuracy_m == 1000 and edited.revision == 4 and edited.hidden
    conn.close()
    reopened = list_sites(connect(path), SiteFilter(include_hidden=True))
    assert [item.site.coord_accuracy_m for item in reopened] == [1000]


def test_a_database_that_does_not_match_its_schema_number_is_a_clear_error(tmp_path: Path) -> None:
    import pytest

    from studykb.errors import ConfigError

    path = tmp_path / "studykb.db"
    odd = sqlite3.connect(path)
    odd.executescript("".join(MIGRATIONS[:3]))  # no sites table, yet it claims schema 4
    odd.execute("PRAGMA user_version = 4")
    odd.commit()
    odd.close()
    expected = r"studykb\.db: schema migration 0005_\w+\.sql failed .*no such table"
    with pytest.raises(ConfigError, match=expected):
        connect(path)
    untouched = sqlite3.connect(path)
    assert untouched.execute("PRAGMA user_version").fetchone()[0] == 4
    assert "sites" not in {r[0] for r in untouched.execute("SELECT name FROM sqlite_master")}
