"""WGS84 → GCJ-02 → BD-09 conversion, and 导航 links that open 高德 and 百度 maps at a site.

Our coordinates are WGS84 (as are 天地图's CGCS2000 to within centimetres); Chinese consumer maps
expect GCJ-02 (高德) or BD-09 (百度). The published GCJ-02 formula is small and fixed, and the Python
packages that wrap it (eviltransform, coord-convert) have been unmaintained since 2018–19, so it is
written out here once and tested against the reference vectors every implementation uses.
"""

from __future__ import annotations

import math
from urllib.parse import quote

__all__ = ["amap_link", "baidu_link", "gcj02_to_bd09", "wgs84_to_bd09", "wgs84_to_gcj02"]

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0


def _out_of_china(lat: float, lon: float) -> bool:
    """The formula's own coarse box: outside it, GCJ-02 equals WGS84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _d_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _d_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in WGS84 → GCJ-02 (高德, 腾讯); unchanged outside China."""
    if _out_of_china(lat, lon):
        return lat, lon
    d_lat = _d_lat(lon - 105.0, lat - 35.0)
    d_lon = _d_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + d_lat, lon + d_lon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in GCJ-02 → BD-09 (百度)."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in WGS84 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def amap_link(lat: float, lon: float, name: str) -> str:
    """A 高德地图 link marking the WGS84 point (converted to GCJ-02) with `name`."""
    g_lat, g_lon = wgs84_to_gcj02(lat, lon)
    return (f"https://uri.amap.com/marker?position={g_lon:.6f},{g_lat:.6f}&name={quote(name)}"
            "&coordinate=gaode&callnative=1&src=studykb")


def baidu_link(lat: float, lon: float, name: str) -> str:
    """A 百度地图 link marking the WGS84 point (converted to BD-09) with `name`."""
    b_lat, b_lon = wgs84_to_bd09(lat, lon)
    return (f"https://api.map.baidu.com/marker?location={b_lat:.6f},{b_lon:.6f}&title={quote(name)}"
            f"&content={quote(name)}&coord_type=bd09ll&output=html&src=studykb")
