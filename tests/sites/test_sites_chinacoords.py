"""WGS84 → GCJ-02 / BD-09 against the reference vectors of eviltransform's test suites, and the 导航 links."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest

from sites.chinacoords import amap_link, baidu_link, gcj02_to_bd09, wgs84_to_bd09, wgs84_to_gcj02

# (WGS84 lat, lon) → (GCJ-02 lat, lon), from googollee/eviltransform's tests (every port shares them).
GCJ_VECTORS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # 上海
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # 深圳
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # 北京
]
# BD-09 points from the same suites (Zhejiang, 金华).
BD_POINTS = [(29.199786, 120.019809), (29.210504, 120.036455)]


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_VECTORS, ids=["shanghai", "shenzhen", "beijing"])
def test_wgs84_to_gcj02_matches_reference(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)


def _bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's published inverse (BD-09 → GCJ-02), to check the forward step on its own."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * math.pi * 3000.0 / 180.0)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * math.pi * 3000.0 / 180.0)
    return z * math.sin(theta), z * math.cos(theta)


@pytest.mark.parametrize("bd", BD_POINTS, ids=["jinhua-1", "jinhua-2"])
def test_gcj02_to_bd09_inverts_baidus_formula(bd: tuple[float, float]) -> None:
    assert gcj02_to_bd09(*_bd09_to_gcj02(*bd)) == pytest.approx(bd, abs=1e-6)


def test_outside_china_is_unchanged() -> None:
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)


def test_links_carry_converted_coordinates_and_escaped_name() -> None:
    amap = parse_qs(urlsplit(amap_link(31.1774276, 121.5272106, "中共一大纪念馆&x")).query)
    assert amap["position"] == ["121.531542,31.175304"] and amap["name"] == ["中共一大纪念馆&x"]
    baidu = parse_qs(urlsplit(baidu_link(31.1774276, 121.5272106, "馆")).query)
    lat, lon = (float(v) for v in baidu["location"][0].split(","))
    assert (lat, lon) == pytest.approx(wgs84_to_bd09(31.1774276, 121.5272106), abs=1e-6)
    assert _bd09_to_gcj02(lat, lon) == pytest.approx(GCJ_VECTORS[0][1], abs=2e-6)
    assert baidu["coord_type"] == ["bd09ll"]
