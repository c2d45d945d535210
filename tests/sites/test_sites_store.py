"""Tests for sites.store: import (validate first, upsert by id), filters and word search, role-checked
edits validated like import rows, hiding, export, and seeding from the shipped file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sites import COLUMNS, DEFAULT_SITES_PATH, load_sites, parse_sites
from sites.load import SitesInvalid
from sites.store import (
    SiteFilter,
    add_site,
    edit_site,
    ensure_loaded,
    export_csv,
    get_site,
    hide_site,
    import_file,
    list_sites,
    unhide_site,
)
from studykb import auth
from studykb.auth import User
from studykb.db import connect
from studykb.errors import ConfigError, ConflictError, PermissionDenied, ValidationError

Row = Callable[..., dict[str, str]]
WriteCsv = Callable[..., Path]


def ids(conn: sqlite3.Connection, where: SiteFilter | None = None) -> list[str]:
    return [item.site.id for item in list_sites(conn, where)]


@pytest.fixture
def three(row: Row) -> list[dict[str, str]]:
    """A Jiaxing memorial hall, a Shaoxing residence and a Shanghai former site."""
    return [
        row(),
        row(id="zj-test-home", name="测试故居", type="故居", city="绍兴市", district="越城区",
            address="鲁迅中路1号", lat="29.9958", lon="120.586", themes="统一战线",
            description="楓橋經驗的誕生地附近的一處故居。", url=""),
        row(id="sh-test-site", name="测试旧址", type="旧址", province="上海市", city="上海市",
            district="黄浦区", address="兴业路76号", lat="31.2222", lon="121.475", themes="建党",
            description="石库门建筑里的会议旧址。", related_queries="中共一大"),
    ]


# --- import ---------------------------------------------------------------------------------


def test_import_adds_then_reimport_changes_nothing(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv
) -> None:
    path = write_csv(three)
    first = import_file(conn, organiser, path)
    assert (len(first.added), len(first.updated), len(first.unchanged)) == (3, 0, 0)
    again = import_file(conn, organiser, path)
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 3)
    assert again.summary() == "sites.csv: 3 sites — 0 added, 0 updated, 3 unchanged"
    assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 3
    assert all(item.revision == 1 and item.updated_by == "wangfang" for item in list_sites(conn))


def test_reimport_with_an_edited_field_updates_by_id(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv
) -> None:
    import_file(conn, organiser, write_csv(three))
    three[1]["hours"] = "每天 8:30-17:00"
    report = import_file(conn, organiser, write_csv(three, name="edited.csv"))
    assert (report.added, report.updated, len(report.unchanged)) == ((), ("zj-test-home",), 2)
    stored = get_site(conn, "zj-test-home")
    assert stored is not None and stored.site.hours == "每天 8:30-17:00" and stored.revision == 2
    assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 3


def test_a_bad_file_changes_nothing_and_lists_every_bad_row(
    conn: sqlite3.Connection, organiser: User, row: Row, three: list[dict[str, str]], write_csv: WriteCsv
) -> None:
    import_file(conn, organiser, write_csv(three))
    before = [(item.site, item.revision) for item in list_sites(conn)]
    changed = {**three[0], "name": "改过的名称"}
    bad = [changed, row(id="zj-new-ok"), row(id="zj-bad-lat", lat="north"), row(id="zj-bad-url", url="ftp://x.org/")]
    with pytest.raises(SitesInvalid) as info:
        import_file(conn, organiser, write_csv(bad, name="bad.csv"))
    message = str(info.value)
    assert "bad.csv line 4, field lat: not a number" in message
    assert "bad.csv line 5, field url: must be an absolute http:// or https:// URL" in message
    assert [(item.site, item.revision) for item in list_sites(conn)] == before
    assert get_site(conn, "zj-new-ok") is None


BAD_EDITS = [
    pytest.param({"name": ""}, "name", id="missing-name"),
    pytest.param({"type": "博物馆"}, "type", id="unknown-type"),
    pytest.param({"lat": "95"}, "lat", id="lat-outside-china"),
    pytest.param({"lat": "31.2222", "lon": "121.475"}, "lon", id="shanghai-point-for-zhejiang"),
    pytest.param({"themes": "建党;爱国"}, "themes", id="unknown-theme"),
    pytest.param({"url": "javascript:alert(1)"}, "url", id="javascript-url"),
    pytest.param({"url": "http://exa mple.org"}, "url", id="url-with-space"),
    pytest.param({"city": "杭州市", "province": "上海市", "lat": "31.2", "lon": "121.4"}, "city",
                 id="shanghai-site-in-another-city"),
    pytest.param({"coord_accuracy_m": "0"}, "coord_accuracy_m", id="zero-accuracy"),
    pytest.param({"coord_accuracy_m": "2.5"}, "coord_accuracy_m", id="decimal-accuracy"),
    pytest.param({"coord_accuracy_m": "60000"}, "coord_accuracy_m", id="accuracy-too-large"),
]


@pytest.mark.parametrize(("change", "field"), BAD_EDITS)
def test_an_edit_is_validated_like_an_import_row(
    conn: sqlite3.Connection, organiser: User, row: Row, change: dict[str, str], field: str
) -> None:
    add_site(conn, organiser, row())
    with pytest.raises(SitesInvalid) as info:
        edit_site(conn, organiser, "zj-test-hall", row(**change))
    assert field in info.value.fields()
    stored = get_site(conn, "zj-test-hall")
    assert stored is not None and stored.site.name == "测试革命纪念馆" and stored.revision == 1


@pytest.mark.parametrize(("change", "field"), BAD_EDITS)
def test_an_added_site_is_validated_like_an_import_row(
    conn: sqlite3.Connection, organiser: User, row: Row, change: dict[str, str], field: str
) -> None:
    with pytest.raises(SitesInvalid) as info:
        add_site(conn, organiser, row(**change))
    assert field in info.value.fields()
    assert ids(conn, SiteFilter(include_hidden=True)) == []


def test_only_http_and_https_urls_are_stored(conn: sqlite3.Connection, organiser: User, row: Row) -> None:
    add_site(conn, organiser, row(url="https://example.org/a"))
    add_site(conn, organiser, row(id="zj-plain-http", url="http://example.org/b"))
    for url in ("javascript:alert(1)", "data:text/html,hi", "//example.org", "example.org", "ftp://example.org"):
        with pytest.raises(SitesInvalid):
            add_site(conn, organiser, row(id="zj-other", url=url))
    assert [item.site.url for item in list_sites(conn)] == ["http://example.org/b", "https://example.org/a"]


def test_markup_in_a_name_is_stored_verbatim(conn: sqlite3.Connection, organiser: User, row: Row) -> None:
    add_site(conn, organiser, row(name="<script>alert(1)</script>纪念馆"))
    stored = get_site(conn, "zj-test-hall")
    assert stored is not None and stored.site.name == "<script>alert(1)</script>纪念馆"


# --- edits and roles ------------------------------------------------------------------------


def test_edit_updates_fields_and_records_who(conn: sqlite3.Connection, organiser: User, row: Row) -> None:
    add_site(conn, organiser, row())
    other = auth.add_user(conn, "zhaolei", None, "maintainer")
    changed = row(name="南湖测试纪念馆", lat="30.752")
    edited = edit_site(conn, other, "zj-test-hall", changed, expected_revision=1)
    assert edited.site.name == "南湖测试纪念馆" and edited.site.lat == 30.752
    assert edited.revision == 2 and edited.updated_by == "zhaolei"
    unchanged = edit_site(conn, organiser, "zj-test-hall", row(name="南湖测试纪念馆", lat="30.752"))
    assert unchanged.revision == 2 and unchanged.updated_by == "zhaolei"


def test_edit_refuses_a_stale_revision_and_a_new_id(
    conn: sqlite3.Connection, organiser: User, row: Row
) -> None:
    add_site(conn, organiser, row())
    edit_site(conn, organiser, "zj-test-hall", row(name="第一次修改"))
    with pytest.raises(ConflictError, match="changed by wangfang"):
        edit_site(conn, organiser, "zj-test-hall", row(name="过期的修改"), expected_revision=1)
    with pytest.raises(ValidationError, match="cannot change"):
        edit_site(conn, organiser, "zj-test-hall", row(id="zj-renamed"))
    with pytest.raises(ValidationError, match="no site with id"):
        edit_site(conn, organiser, "zj-missing", row(id="zj-missing"))
    stored = get_site(conn, "zj-test-hall")
    assert stored is not None and stored.site.name == "第一次修改"


def test_adding_an_existing_id_is_a_conflict(conn: sqlite3.Connection, organiser: User, row: Row) -> None:
    add_site(conn, organiser, row())
    with pytest.raises(ConflictError, match="already exists"):
        add_site(conn, organiser, row(name="重复"))


@pytest.mark.parametrize("who", ["member", "anonymous"])
def test_members_and_visitors_cannot_write(
    conn: sqlite3.Connection, organiser: User, member: User, row: Row, write_csv: WriteCsv, who: str
) -> None:
    add_site(conn, organiser, row())
    actor = member if who == "member" else None
    writes: list[Callable[[], object]] = [
        lambda: import_file(conn, actor, write_csv([row(id="zj-imported")])),  # type: ignore[arg-type]
        lambda: add_site(conn, actor, row(id="zj-added")),
        lambda: edit_site(conn, actor, "zj-test-hall", row(name="改名")),
        lambda: hide_site(conn, actor, "zj-test-hall"),
        lambda: unhide_site(conn, actor, "zj-test-hall"),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied, match="organiser role is needed"):
            write()
    assert ids(conn, SiteFilter(include_hidden=True)) == ["zj-test-hall"]
    stored = get_site(conn, "zj-test-hall")
    assert stored is not None and stored.site.name == "测试革命纪念馆" and not stored.hidden


def test_hidden_sites_leave_listings_until_unhidden(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv
) -> None:
    import_file(conn, organiser, write_csv(three))
    hidden = hide_site(conn, organiser, "zj-test-home", expected_revision=1)
    assert hidden.hidden and hidden.revision == 2
    assert "zj-test-home" not in ids(conn)
    assert "zj-test-home" in ids(conn, SiteFilter(include_hidden=True))
    import_file(conn, organiser, write_csv(three, name="again.csv"))
    assert "zj-test-home" not in ids(conn)  # a re-import keeps an organiser's decision to hide
    unhide_site(conn, organiser, "zj-test-home")
    assert "zj-test-home" in ids(conn)


# --- listing --------------------------------------------------------------------------------


def test_filters_restrict_by_province_city_type_and_theme(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv
) -> None:
    import_file(conn, organiser, write_csv(three))
    assert ids(conn) == ["sh-test-site", "zj-test-hall", "zj-test-home"]
    assert ids(conn, SiteFilter(provinces=("浙江省",))) == ["zj-test-hall", "zj-test-home"]
    assert ids(conn, SiteFilter(cities=("绍兴市",))) == ["zj-test-home"]
    assert ids(conn, SiteFilter(types=("纪念馆", "旧址"))) == ["sh-test-site", "zj-test-hall"]
    everything = ["sh-test-site", "zj-test-hall", "zj-test-home"]
    assert ids(conn, SiteFilter(themes=("统一战线", "建党"))) == everything
    assert ids(conn, SiteFilter(themes=("革命先烈",))) == ["zj-test-hall"]
    assert ids(conn, SiteFilter(provinces=("上海市",), themes=("革命先烈",))) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("纪念馆", ["zj-test-hall"], id="word-in-name"),
        pytest.param("鲁迅中路", ["zj-test-home"], id="word-in-address"),
        pytest.param("石库门", ["sh-test-site"], id="word-in-description"),
        pytest.param("紀念館", ["zj-test-hall"], id="traditional-query"),
        pytest.param("枫桥经验", ["zj-test-home"], id="simplified-query-traditional-text"),
        pytest.param("黄浦 旧址", ["sh-test-site"], id="two-words-both-needed"),
        pytest.param("红船纪念馆嘉兴", ["zj-test-hall"], id="words-without-spaces"),
        pytest.param("黄浦 纪念馆", [], id="words-in-different-sites"),
        pytest.param("馆纪", [], id="not-a-word"),
    ],
)
def test_text_search_matches_words_in_names_addresses_and_descriptions(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv,
    query: str, expected: list[str],
) -> None:
    import_file(conn, organiser, write_csv(three))
    assert sorted(ids(conn, SiteFilter(text=query))) == expected


def test_name_matches_rank_first(conn: sqlite3.Connection, organiser: User, row: Row) -> None:
    mentions = row(id="aa-mentions", name="测试旧址", type="旧址", description="附近有一座红船纪念馆。")
    add_site(conn, organiser, mentions)
    add_site(conn, organiser, row(id="zz-named", name="红船纪念馆", description="陈列室。"))
    assert ids(conn, SiteFilter(text="红船")) == ["zz-named", "aa-mentions"]


def test_export_reads_back_as_the_listed_sites(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv
) -> None:
    import_file(conn, organiser, write_csv(three))
    zhejiang = SiteFilter(provinces=("浙江省",))
    exported = parse_sites(export_csv(conn, zhejiang), source="export.csv")
    assert exported == [item.site for item in list_sites(conn, zhejiang)]
    assert [site.id for site in exported] == ["zj-test-hall", "zj-test-home"]


# --- coordinate accuracy --------------------------------------------------------------------


def test_coordinate_accuracy_survives_import_export_and_reimport(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv,
    tmp_path: Path,
) -> None:
    three[0]["coord_accuracy_m"] = "3000"
    three[1]["coord_accuracy_m"] = "150"
    import_file(conn, organiser, write_csv(three))
    stored = {item.site.id: item.site.coord_accuracy_m for item in list_sites(conn)}
    assert stored == {"zj-test-hall": 3000, "zj-test-home": 150, "sh-test-site": None}
    exported = tmp_path / "export.csv"
    exported.write_text(export_csv(conn), encoding="utf-8")
    assert {s.id: s.coord_accuracy_m for s in parse_sites(exported.read_text(encoding="utf-8"))} == stored
    again = import_file(conn, organiser, exported)
    assert (again.added, again.updated, len(again.unchanged)) == ((), (), 3)
    three[0]["coord_accuracy_m"] = "300"  # a later survey narrows the error: the re-import updates the site
    report = import_file(conn, organiser, write_csv(three, name="narrowed.csv"))
    assert report.updated == ("zj-test-hall",)
    hall = get_site(conn, "zj-test-hall")
    assert hall is not None and hall.site.coord_accuracy_m == 300 and hall.revision == 2


def test_an_old_export_without_the_accuracy_column_imports(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], tmp_path: Path
) -> None:
    old = tmp_path / "old-export.csv"
    old.write_text(_old_format_csv(three), encoding="utf-8")
    assert "coord_accuracy_m" not in old.read_text(encoding="utf-8")
    report = import_file(conn, organiser, old)
    assert len(report.added) == 3
    assert [item.site.coord_accuracy_m for item in list_sites(conn)] == [None, None, None]


def test_an_old_export_leaves_a_stated_accuracy_blank_again(
    conn: sqlite3.Connection, organiser: User, three: list[dict[str, str]], write_csv: WriteCsv,
    tmp_path: Path,
) -> None:
    """A file without the column states no accuracy: importing it means blank, like any other empty cell."""
    three[0]["coord_accuracy_m"] = "3000"
    import_file(conn, organiser, write_csv(three))
    old = tmp_path / "old-export.csv"
    old.write_text(_old_format_csv(three), encoding="utf-8")
    assert import_file(conn, organiser, old).updated == ("zj-test-hall",)
    hall = get_site(conn, "zj-test-hall")
    assert hall is not None and hall.site.coord_accuracy_m is None


def test_an_organiser_edit_sets_and_clears_the_accuracy(
    conn: sqlite3.Connection, organiser: User, row: Row
) -> None:
    add_site(conn, organiser, row())
    edited = edit_site(conn, organiser, "zj-test-hall", row(coord_accuracy_m="2500"), expected_revision=1)
    assert edited.site.coord_accuracy_m == 2500 and edited.site.approximate and edited.revision == 2
    cleared = edit_site(conn, organiser, "zj-test-hall", row(coord_accuracy_m=""), expected_revision=2)
    assert cleared.site.coord_accuracy_m is None and not cleared.site.approximate


def test_the_database_refuses_an_accuracy_out_of_range(conn: sqlite3.Connection, organiser: User,
                                                        row: Row) -> None:
    add_site(conn, organiser, row())
    for bad in (0, -1, 50_001):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE sites SET coord_accuracy_m = ? WHERE id = 'zj-test-hall'", (bad,))


def _old_format_csv(rows: list[dict[str, str]]) -> str:
    """Rows as a sites.csv written before the coord_accuracy_m column existed."""
    import csv
    import io

    header = [name for name in COLUMNS if name != "coord_accuracy_m"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([r.get(name, "") for name in header] for r in rows)
    return buffer.getvalue()


# --- seeding and schema ---------------------------------------------------------------------


def test_ensure_loaded_seeds_an_empty_table_once(conn: sqlite3.Connection, organiser: User, row: Row) -> None:
    report = ensure_loaded(conn)
    shipped = load_sites(DEFAULT_SITES_PATH)
    assert report is not None and len(report.added) == len(shipped)
    assert [item.site for item in list_sites(conn)] == sorted(
        shipped, key=lambda s: ({"上海市": 0, "浙江省": 1}[s.province], s.city, s.district, s.name, s.id)
    )
    assert {item.updated_by for item in list_sites(conn)} == {"system"}
    assert ensure_loaded(conn) is None
    edit_site(conn, organiser, shipped[0].id, {**_values(shipped[0].id, conn), "hours": "另行通知"})
    assert ensure_loaded(conn) is None
    stored = get_site(conn, shipped[0].id)
    assert stored is not None and stored.site.hours == "另行通知"


def test_ensure_loaded_leaves_a_table_with_sites_alone(
    conn: sqlite3.Connection, organiser: User, row: Row
) -> None:
    add_site(conn, organiser, row())
    assert ensure_loaded(conn) is None
    assert ids(conn) == ["zj-test-hall"]


def test_a_database_without_the_sites_table_names_the_fix(tmp_path: Path) -> None:
    bare = connect(tmp_path / "old.db", migrate=False)
    with pytest.raises(ConfigError, match="user_version"):
        list_sites(bare)


def _values(site_id: str, conn: sqlite3.Connection) -> dict[str, str]:
    from sites.load import site_values

    stored = get_site(conn, site_id)
    assert stored is not None
    return site_values(stored.site)
