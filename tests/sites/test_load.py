"""Tests for the shipped sites.csv and for the validating loader in sites.load."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from sites import (
    COLUMNS,
    DEFAULT_SITES_PATH,
    OPTIONAL_COLUMNS,
    PROVINCES,
    SITE_TYPES,
    THEMES,
    Site,
    dump_sites,
    in_province,
    load_sites,
    parse_sites,
)
from studykb.errors import StudyKBError, ValidationError

HAN = re.compile(r"[\u4e00-\u9fff]")

GOOD_SH: dict[str, str] = {
    "id": "sh-test-memorial",
    "name": "测试纪念馆",
    "type": "纪念馆",
    "province": "上海市",
    "city": "上海市",
    "district": "黄浦区",
    "address": "兴业路76号",
    "lat": "31.22208",
    "lon": "121.47069",
    "hours": "周二至周日 9:00-17:00",
    "booking": "",
    "themes": "建党",
    "description": "一段描述",
    "url": "https://example.org/site",
    "related_queries": "中共一大;建党精神",
}
GOOD_ZJ: dict[str, str] = {
    **GOOD_SH,
    "id": "zj-test-boat",
    "name": "测试红船",
    "type": "旧址",
    "province": "浙江省",
    "city": "嘉兴市",
    "district": "南湖区",
    "lat": "30.757",
    "lon": "120.756",
    "hours": "",
    "themes": '"两山"理念;乡村振兴',
    "url": "",
}


def csv_text(rows: list[dict[str, str]], header: tuple[str, ...] | list[str] = COLUMNS) -> str:
    """Render rows (dicts keyed by column) as CSV text with the given header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue()


def error_of(text: str) -> str:
    """The ValidationError message parse_sites raises for `text` (fails if it does not raise)."""
    with pytest.raises(ValidationError) as info:
        parse_sites(text, source="sites.csv")
    return str(info.value)


# --- the shipped file -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> list[Site]:
    return load_sites(DEFAULT_SITES_PATH)


def test_shipped_file_has_enough_unique_sites(shipped: list[Site]) -> None:
    assert len(shipped) >= 45
    ids = [site.id for site in shipped]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9-]+", site_id) for site_id in ids)


def test_shipped_file_covers_both_provinces(shipped: list[Site]) -> None:
    counts = Counter(site.province for site in shipped)
    assert set(counts) == set(PROVINCES)
    assert min(counts.values()) >= 0.3 * len(shipped)
    zhejiang_cities = {site.city for site in shipped if site.province == "浙江省"}
    assert len(zhejiang_cities) >= 8


def test_every_shipped_site_is_inside_its_province_box(shipped: list[Site]) -> None:
    outside = [site.id for site in shipped if not in_province(site.province, site.lat, site.lon)]
    assert outside == []


def test_every_shipped_type_and_theme_is_valid(shipped: list[Site]) -> None:
    assert {site.type for site in shipped} <= set(SITE_TYPES)
    assert {theme for site in shipped for theme in site.themes} <= set(THEMES)
    assert all(site.themes for site in shipped)
    assert all(site.related_queries for site in shipped)


def test_shipped_descriptions_have_60_to_150_han_characters(shipped: list[Site]) -> None:
    lengths = {site.id: len(HAN.findall(site.description)) for site in shipped}
    assert {site_id: n for site_id, n in lengths.items() if not 60 <= n <= 150} == {}


def test_shipped_urls_are_https_or_absent(shipped: list[Site]) -> None:
    assert all(site.url is None or site.url.startswith(("https://", "http://")) for site in shipped)


def test_every_shipped_site_states_its_coordinate_error(shipped: list[Site]) -> None:
    # Each shipped point was checked against OSM / Wikidata (WGS84) or says how rough it is;
    # at least 40 are placed to within 150 m.
    assert all(site.coord_accuracy_m is not None for site in shipped)
    assert sum(site.coord_accuracy_m <= 150 for site in shipped if site.coord_accuracy_m) >= 40
    accuracy = {site.id: site.coord_accuracy_m for site in shipped}
    assert accuracy["zj-luxun-hometown"] == accuracy["sh-cpc1-memorial"] == 100
    assert accuracy["zj-yucun"] == 3000
    assert not next(s for s in shipped if s.id == "sh-chenyun-memorial").approximate
    assert next(s for s in shipped if s.id == "zj-xiajiang").approximate


def test_shipped_file_header_ends_with_the_new_column() -> None:
    header = DEFAULT_SITES_PATH.read_text(encoding="utf-8").split("\n", 1)[0]
    assert header.split(",") == list(COLUMNS) and COLUMNS[-1] == "coord_accuracy_m"


# --- bad rows -------------------------------------------------------------------------------

BAD_ROWS = [
    pytest.param({"name": ""}, 3, "name", "required", id="missing-name"),
    pytest.param({"type": "博物馆"}, 3, "type", "纪念馆", id="unknown-type"),
    pytest.param({"lat": "95.5"}, 3, "lat", "outside China", id="lat-outside-china"),
    pytest.param(
        {"lat": "31.22208", "lon": "121.47069"},
        3,
        "lat/lon",
        "outside 浙江省",
        id="zhejiang-site-with-shanghai-coords",
    ),
    pytest.param({"url": "javascript:alert(1)"}, 3, "url", "http", id="javascript-url"),
    pytest.param({"id": "sh-test-memorial"}, 3, "id", "duplicate", id="duplicate-id"),
    pytest.param({"lon": "120.7x"}, 3, "lon", "not a number", id="non-numeric-lon"),
    pytest.param({"themes": "建党;爱国"}, 3, "themes", "爱国", id="unknown-theme"),
    pytest.param({"province": "江苏省"}, 3, "province", "上海市, 浙江省", id="unknown-province"),
    pytest.param({"url": "data:text/html,hi"}, 3, "url", "http", id="data-url"),
    pytest.param({"id": "ZJ Boat"}, 3, "id", "slug", id="non-slug-id"),
]

ACCURACY = "coord_accuracy_m"
BAD_ACCURACIES = [
    pytest.param("1.5", id="decimal"),
    pytest.param("500.0", id="decimal-zero"),
    pytest.param("3km", id="with-unit"),
    pytest.param("约500", id="text"),
    pytest.param("0", id="zero"),
    pytest.param("-5", id="negative"),
    pytest.param("50001", id="too-large"),
    pytest.param("1e3", id="exponent"),
    pytest.param("１００", id="full-width-digits"),
]


@pytest.mark.parametrize(("change", "line", "field", "reason"), BAD_ROWS)
def test_bad_row_is_reported_with_line_and_field(
    change: dict[str, str], line: int, field: str, reason: str
) -> None:
    message = error_of(csv_text([GOOD_SH, {**GOOD_ZJ, **change}]))
    assert f"sites.csv line {line}, field {field}: " in message
    assert reason in message


@pytest.mark.parametrize("value", BAD_ACCURACIES)
def test_bad_coordinate_accuracy_is_reported_with_line_and_field(value: str) -> None:
    message = error_of(csv_text([GOOD_SH, {**GOOD_ZJ, ACCURACY: value}]))
    assert f"sites.csv line 3, field coord_accuracy_m: must be a whole number of metres from 1 to 50000, " \
           f"found {value!r}" in message
    assert "line 2" not in message


@pytest.mark.parametrize(("value", "expected"), [("", None), ("1", 1), (" 300 ", 300), ("50000", 50000)])
def test_coordinate_accuracy_is_optional_whole_metres(value: str, expected: int | None) -> None:
    (site,) = parse_sites(csv_text([{**GOOD_ZJ, ACCURACY: value}]))
    assert site.coord_accuracy_m == expected


def test_only_an_error_above_200_m_makes_the_position_approximate() -> None:
    rows = [{**GOOD_ZJ, "id": f"zj-{value or 'blank'}", ACCURACY: value} for value in ("", "200", "201")]
    sites = parse_sites(csv_text(rows))
    assert [site.approximate for site in sites] == [False, False, True]


def test_an_old_file_without_the_accuracy_column_still_loads() -> None:
    old_header = [name for name in COLUMNS if name not in OPTIONAL_COLUMNS]
    assert "coord_accuracy_m" not in old_header
    sites = parse_sites(csv_text([GOOD_SH, GOOD_ZJ], header=old_header), source="old.csv")
    assert [site.id for site in sites] == ["sh-test-memorial", "zj-test-boat"]
    assert all(site.coord_accuracy_m is None for site in sites)


def test_an_old_file_row_with_a_value_too_many_is_still_reported() -> None:
    old_header = [name for name in COLUMNS if name not in OPTIONAL_COLUMNS]
    text = csv_text([GOOD_SH], header=old_header) + csv_text([{**GOOD_ZJ, ACCURACY: "500"}]).split("\n", 1)[1]
    message = error_of(text)
    assert f"sites.csv line 3, field row: expected {len(old_header)} values, found {len(COLUMNS)}" in message


def test_bad_header_is_reported_on_line_1() -> None:
    header = [name for name in COLUMNS if name != "lon"] + ["longitude"]
    message = error_of(csv_text([GOOD_SH], header=header))
    assert "sites.csv line 1, field header: " in message
    assert "missing: lon" in message and "unexpected: longitude" in message


@pytest.mark.parametrize(
    "text",
    [pytest.param("", id="empty-file"), pytest.param("id,name\nx,y\n", id="too-few-columns")],
)
def test_unusable_header_is_reported(text: str) -> None:
    assert "line 1, field header" in error_of(text)


def test_every_bad_row_is_listed_and_nothing_is_returned() -> None:
    rows = [
        GOOD_SH,
        {**GOOD_ZJ, "type": ""},
        {**GOOD_ZJ, "id": "zj-ok"},
        {**GOOD_ZJ, "id": "zj-b", "lat": "x"},
    ]
    message = error_of(csv_text(rows))
    assert "line 3, field type: required value is missing" in message
    assert "line 5, field lat: not a number" in message
    assert "line 4" not in message


def test_line_numbers_count_physical_lines() -> None:
    multiline = {**GOOD_SH, "description": "第一行\n第二行"}
    text = csv_text([multiline]) + "\n" + csv_text([{**GOOD_ZJ, "name": ""}]).split("\n", 1)[1]
    assert "sites.csv line 5, field name" in error_of(text)


def test_wrong_number_of_values_is_reported() -> None:
    text = csv_text([GOOD_SH]) + "zj-short,只有两列\n"
    assert f"sites.csv line 3, field row: expected {len(COLUMNS)} values, found 2" in error_of(text)


def test_validation_error_is_a_studykb_error() -> None:
    with pytest.raises(StudyKBError):
        parse_sites(csv_text([{**GOOD_SH, "lat": ""}]), source="sites.csv")


def test_load_sites_names_the_file_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(csv_text([GOOD_SH, {**GOOD_SH, "id": "sh-two", "lon": "200"}]), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"sites\.csv line 3, field lon: 200\.0 is outside China"):
        load_sites(path)


# --- good rows ------------------------------------------------------------------------------


def test_good_rows_parse_into_records() -> None:
    shanghai, zhejiang = parse_sites(csv_text([GOOD_SH, GOOD_ZJ]), source="sites.csv")
    assert shanghai.lat == 31.22208 and shanghai.lon == 121.47069
    assert shanghai.related_queries == ("中共一大", "建党精神")
    assert shanghai.booking is None and shanghai.url == "https://example.org/site"
    assert zhejiang.themes == ('"两山"理念', "乡村振兴")
    assert zhejiang.hours is None and zhejiang.url is None
    assert "zj-test-boat" in repr(zhejiang)


def test_utf8_bom_and_blank_lines_are_tolerated() -> None:
    text = "\ufeff" + csv_text([GOOD_SH]) + "\n\n"
    assert [site.id for site in parse_sites(text)] == ["sh-test-memorial"]


# --- round trip -----------------------------------------------------------------------------


def test_dump_then_parse_round_trips_the_shipped_sites(shipped: list[Site]) -> None:
    text = dump_sites(shipped)
    assert parse_sites(text, source="dumped.csv") == shipped
    assert dump_sites(parse_sites(text)) == text


def test_dump_round_trips_awkward_values() -> None:
    site = parse_sites(csv_text([GOOD_SH]))[0]
    tricky = Site(**{**site.__dict__, "description": '含逗号,引号"和\n换行', "lat": 31.1, "hours": None})
    assert parse_sites(dump_sites([tricky])) == [tricky]


def test_dump_round_trips_the_coordinate_accuracy() -> None:
    sites = parse_sites(csv_text([GOOD_SH, {**GOOD_ZJ, ACCURACY: "3000"}]))
    text = dump_sites(sites)
    assert text.split("\n")[0].endswith(",related_queries,coord_accuracy_m")
    assert text.split("\n")[1].endswith(",") and text.split("\n")[2].endswith(",3000")
    assert [site.coord_accuracy_m for site in parse_sites(text)] == [None, 3000]


def test_dump_refuses_list_items_containing_the_separator() -> None:
    site = parse_sites(csv_text([GOOD_SH]))[0]
    with pytest.raises(ValueError, match="related_queries"):
        dump_sites([Site(**{**site.__dict__, "related_queries": ("a;b",)})])


def test_a_chinese_header_exports_and_imports_back() -> None:
    from sites.load import dump_sites, parse_sites

    shipped = load_sites(DEFAULT_SITES_PATH)[:3]
    text = dump_sites(shipped, chinese=True)
    assert text.split("\n")[0].startswith("编号,名称,类型,省份,城市")
    assert parse_sites(text) == shipped
    assert parse_sites(dump_sites(shipped)) == shipped  # English headers still read


def test_a_chinese_header_export_neutralises_formulas_and_the_import_restores_them() -> None:
    site = parse_sites(csv_text([GOOD_SH]))[0]
    risky = Site(**{**site.__dict__, "name": "=HYPERLINK(\"http://x\")纪念馆", "description": "@SUM(1)+2"})
    text = dump_sites([risky], chinese=True)
    assert text.split("\n")[0].startswith("编号,名称")
    assert "'=HYPERLINK" in text and "'@SUM(1)+2" in text
    assert parse_sites(text) == [risky]
