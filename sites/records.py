"""The Site record type and the fixed vocabularies and province boxes it is checked against."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "APPROXIMATE_ABOVE_M",
    "CHINA_BOUNDS",
    "COLUMNS",
    "COORD_ACCURACY_MAX_M",
    "OPTIONAL_COLUMNS",
    "PROVINCES",
    "PROVINCE_BOXES",
    "SITE_TYPES",
    "THEMES",
    "Box",
    "Site",
    "in_province",
]

COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "type",
    "province",
    "city",
    "district",
    "address",
    "lat",
    "lon",
    "hours",
    "booking",
    "themes",
    "description",
    "url",
    "related_queries",
    "coord_accuracy_m",
)
"""The CSV header of sites.csv, in the order `dump_sites` writes it."""

COLUMN_NAMES_ZH: dict[str, str] = {
    "id": "编号", "name": "名称", "type": "类型", "province": "省份", "city": "城市", "district": "区县",
    "address": "地址", "lat": "纬度", "lon": "经度", "hours": "开放时间", "booking": "预约说明",
    "themes": "主题", "description": "简介", "url": "网址", "related_queries": "延伸阅读检索词",
    "coord_accuracy_m": "坐标误差米",
}
"""The Chinese header names of each column (exports for people; imports accept either name)."""

OPTIONAL_COLUMNS: tuple[str, ...] = ("coord_accuracy_m",)
"""Columns added after the first release: a file whose header lacks one still imports (all blank)."""

COORD_ACCURACY_MAX_M = 50_000
"""The largest `coord_accuracy_m` accepted (metres); the smallest is 1."""

APPROXIMATE_ABOVE_M = 200
"""A site whose stated coordinate error exceeds this many metres is shown as an estimated position."""

SITE_TYPES: tuple[str, ...] = ("纪念馆", "旧址", "烈士陵园", "故居", "实践基地", "展览馆")
"""Allowed values of `Site.type`."""

THEMES: tuple[str, ...] = (
    "建党",
    "抗战",
    "解放",
    "社会主义建设",
    "改革开放",
    '"两山"理念',
    "基层治理",
    "乡村振兴",
    "革命先烈",
    "统一战线",
)
"""Allowed values in `Site.themes` (exactly these strings)."""

PROVINCES: tuple[str, ...] = ("上海市", "浙江省")
"""Allowed values of `Site.province`."""


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle in WGS84 decimal degrees (edges included)."""

    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the rectangle."""
        return self.lat_min <= lat <= self.lat_max and self.lon_min <= lon <= self.lon_max

    def __str__(self) -> str:
        return f"lat {self.lat_min}–{self.lat_max}, lon {self.lon_min}–{self.lon_max}"


CHINA_BOUNDS = Box(lat_min=18.0, lat_max=54.0, lon_min=73.0, lon_max=135.0)
"""A coarse box around China; anything outside is certainly a data error."""

# Generous but correct: every point of the province lies in at least one of its boxes.
# Shanghai spans about 30.67–31.88 N and 120.85–122.4 E (counting its outer islets).
# Zhejiang spans about 27.0–31.18 N and 118.0–123.2 E, but a single rectangle would swallow
# central Shanghai, so it is the union of a western part (up to Jiashan, 121.05 E) and a
# southern part (below 30.95 N: Pinghu, Ningbo, Zhoushan). Central Shanghai is in neither.
PROVINCE_BOXES: dict[str, tuple[Box, ...]] = {
    "上海市": (Box(lat_min=30.60, lat_max=31.95, lon_min=120.80, lon_max=122.50),),
    "浙江省": (
        Box(lat_min=26.95, lat_max=31.25, lon_min=117.95, lon_max=121.05),
        Box(lat_min=26.95, lat_max=30.95, lon_min=117.95, lon_max=123.30),
    ),
}
"""Per province, the rectangles whose union covers it (WGS84)."""


def in_province(province: str, lat: float, lon: float) -> bool:
    """Whether (lat, lon) lies inside one of the boxes defined for `province`."""
    return any(box.contains(lat, lon) for box in PROVINCE_BOXES.get(province, ()))


@dataclass(frozen=True, repr=False)
class Site:
    """One recommended on-site learning site (memorial hall, former site, cemetery, base ...).

    `lat`/`lon` are WGS84 degrees; `themes` and `related_queries` keep the file's order;
    `url`, `hours` and `booking` are None when the file leaves them empty. `coord_accuracy_m` is the
    estimated error radius of lat/lon in metres (None: not stated).
    """

    id: str
    name: str
    type: str
    province: str
    city: str
    district: str
    address: str
    lat: float
    lon: float
    hours: str | None
    booking: str | None
    themes: tuple[str, ...]
    description: str
    url: str | None
    related_queries: tuple[str, ...]
    coord_accuracy_m: int | None = None

    @property
    def approximate(self) -> bool:
        """Whether the map position is only an estimate (stated error above APPROXIMATE_ABOVE_M)."""
        return self.coord_accuracy_m is not None and self.coord_accuracy_m > APPROXIMATE_ABOVE_M

    def __repr__(self) -> str:
        error = f" ±{self.coord_accuracy_m} m" if self.coord_accuracy_m is not None else ""
        return (
            f"Site(id={self.id!r}, name={self.name!r}, type={self.type!r}, "
            f"{self.province}{self.city if self.city != self.province else ''}{self.district}, "
            f"lat={self.lat}, lon={self.lon}{error}, themes={'/'.join(self.themes) or '-'})"
        )
