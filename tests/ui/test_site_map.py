"""The geometry of 学习地图's map on the sample sites of corpus/sites.csv: the view fits them, markers say
which positions are estimates, city labels, widget-key digests and map selections."""

from __future__ import annotations

import dataclasses
import math

import pytest

from sites import DEFAULT_SITES_PATH, Site, load_sites
from sites.store import StoredSite
from ui import site_map

SITES = {site.id: site for site in load_sites(DEFAULT_SITES_PATH)}


def stored(site: Site) -> StoredSite:
    return StoredSite(site, hidden=False, revision=1, updated_at="2026-01-01T00:00:00", updated_by="org")


def pixels(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel coordinates at `zoom` (the world 512 px wide at zoom 0, as deck.gl draws it)."""
    size = 512 * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return size * (lon + 180) / 360, size * (1 - y / math.pi) / 2


@pytest.mark.parametrize("province", [None, "上海市", "浙江省"])
def test_view_fits_every_listed_site_in_600_by_480_pixels(province: str | None) -> None:
    sites = [s for s in SITES.values() if province is None or s.province == province]
    lat, lon, zoom = site_map.view_state(sites)
    assert 3.0 <= zoom <= 14.0
    cx, cy = pixels(lat, lon, zoom)
    for site in sites:
        x, y = pixels(site.lat, site.lon, zoom)
        assert abs(x - cx) <= 300 and abs(y - cy) <= 240, site.id


def test_view_of_one_site_centres_it_at_street_zoom_and_of_none_the_default() -> None:
    site = SITES["sh-cpc1-memorial"]
    assert site_map.view_state([site]) == pytest.approx((site.lat, site.lon, 14.0))
    assert site_map.view_state([]) == site_map.EMPTY_VIEW


def test_marker_of_a_checked_position_is_a_filled_dot_and_an_estimate_a_hollow_ring() -> None:
    checked = site_map.point(SITES["sh-cpc1-memorial"], selected=None)
    assert checked["colour"] == [215, 40, 40, 220] and checked["line"] == [255, 255, 255, 255]
    assert checked["accuracy_note"] == "" and checked["radius"] == 6
    assert checked["place"] == "黄浦区 黄陂南路374号（会址：兴业路76号）"  # 上海市 said once, by the province
    ring = site_map.point(SITES["zj-yucun"], selected=None)  # stated error 3000 m
    rgb = site_map.TYPE_COLOURS[SITES["zj-yucun"].type][0]
    assert ring["approximate"] is True and ring["colour"] == [*rgb, 45] and ring["line"] == [*rgb, 255]
    assert "±3 公里" in str(ring["accuracy_note"])


def test_selected_marker_is_larger_with_a_yellow_rim() -> None:
    marker = site_map.point(SITES["zj-yucun"], selected="zj-yucun")
    assert marker["radius"] == 9 and marker["line"] == [255, 210, 0, 255]


def test_text_that_deck_gl_would_evaluate_is_defused_and_other_text_kept() -> None:
    site = dataclasses.replace(SITES["sh-cpc1-memorial"], name="@@=process.exit()")
    assert site_map.point(site, None)["name"] == "\u2060@@=process.exit()"
    assert site_map.map_text("中共一大纪念馆") == "中共一大纪念馆"


def test_one_city_label_per_city_at_the_mean_of_its_sites() -> None:
    sites = list(SITES.values())
    labels = {str(label["label"]): label for label in site_map.city_labels(sites)}
    assert len(labels) == len({s.city for s in sites}) and "上海" in labels
    shanghai = [s for s in sites if s.city == "上海市"]
    assert labels["上海"]["lat"] == pytest.approx(sum(s.lat for s in shanghai) / len(shanghai))


def test_signature_changes_with_the_listing_only() -> None:
    items = [stored(s) for s in SITES.values()]
    assert site_map.signature(items) == site_map.signature(list(items))
    assert site_map.signature(items) != site_map.signature(items[1:])
    assert site_map.signature(items[:2]) != site_map.signature(items[1::-1])


def test_map_pick_reads_the_ids_of_the_selected_markers_only() -> None:
    objects = {site_map.MAP_LAYER: [{"id": "zj-yucun"}], "city-labels": [{"id": "x"}]}
    event = {"selection": {"objects": objects}}
    assert site_map.map_pick(event) == ("zj-yucun",)
    assert site_map.map_pick({"selection": {}}) == ()
    assert site_map.map_pick(None) == ()


def test_deck_draws_the_heat_under_the_markers_and_a_plain_text_tooltip() -> None:
    items = [stored(s) for s in SITES.values()]
    deck = site_map.deck(items, "zj-yucun", {"zj-yucun": (3, 40)}, style=None)
    ids = [layer.id for layer in deck.layers]
    assert ids[0] == "visit-heat" and ids[1:3] == [site_map.MAP_LAYER, "city-labels"]
    assert len(deck.layers[1].data) == len(items)
    assert set(deck._tooltip) == {"text"}  # deck.gl's plain-text tooltip, never HTML
    without = site_map.deck(items, None, {}, style=None)
    assert [layer.id for layer in without.layers][0] == site_map.MAP_LAYER
