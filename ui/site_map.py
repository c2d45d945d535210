"""The geometry of 学习地图's map: the view that fits the listed sites, one marker per site, city labels,
the layers drawn over the visit heat layer, and the site ids a map selection points at.

Pure functions of the listed sites (no session state, no database): the page passes in the visit
counts and the base-map style. No text given to the map can be read as a deck.gl JSON expression
(see `map_text`), and the tooltip is deck.gl's plain-text one (never HTML).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import pydeck as pdk

from sites import Site
from sites.store import StoredSite
from ui import activity_map
from ui.messages import distance_zh

__all__ = [
    "MAP_LAYER", "TYPE_COLOURS", "city_labels", "deck", "legend", "map_pick", "map_text", "point",
    "signature", "view_state",
]

MAP_LAYER = "sites"
#: Marker colour per type, and the Streamlit Markdown colour that draws the same dot in the legend.
TYPE_COLOURS: dict[str, tuple[list[int], str]] = {
    "纪念馆": ([215, 40, 40], "red"),
    "旧址": ([240, 130, 20], "orange"),
    "烈士陵园": ([100, 100, 110], "gray"),
    "故居": ([30, 110, 220], "blue"),
    "实践基地": ([30, 160, 70], "green"),
    "展览馆": ([140, 70, 200], "violet"),
}
#: Where the map looks when nothing is listed (the Yangtze delta, at province scale).
EMPTY_VIEW = (30.5, 120.6, 6.0)


def legend() -> str:
    """The legend line: a dot in each type's colour (Streamlit Markdown colours) and the type's name."""
    return "　".join(f":{colour}[●] {name}" for name, (_, colour) in TYPE_COLOURS.items())


def signature(items: Sequence[StoredSite]) -> str:
    """A short digest of the listed ids: the map and table get fresh widget keys (and selections)
    whenever the listing changes, so a remembered row number never points at another site."""
    return hashlib.sha1(",".join(item.site.id for item in items).encode()).hexdigest()[:10]


def view_state(sites: Sequence[Site]) -> tuple[float, float, float]:
    """(latitude, longitude, zoom) of a view that fits all `sites` on a map of about 600×480 px
    (deck.gl's Web Mercator draws the world 512 px wide at zoom 0); zoom stays within 3–14."""
    if not sites:
        return EMPTY_VIEW
    lats = [site.lat for site in sites]
    lons = [site.lon for site in sites]
    lat_span = max(max(lats) - min(lats), 0.002) * 1.15
    lon_span = max(max(lons) - min(lons), 0.002) * 1.15
    mid_lat = (max(lats) + min(lats)) / 2
    zoom_lon = math.log2(600 * 360 / (512 * lon_span))
    zoom_lat = math.log2(480 * 360 / (512 * lat_span / math.cos(math.radians(mid_lat))))
    zoom = max(3.0, min(14.0, min(zoom_lon, zoom_lat) - 0.1))
    return mid_lat, (max(lons) + min(lons)) / 2, zoom


def map_text(text: str) -> str:
    """`text` as the map may receive it: deck.gl's JSON converter evaluates any string that starts with
    "@@" (`@@=` expressions, `@@#` constants, `@@type`, `@@function`), data included, and a bad one breaks
    the map for every visitor. Such text gets an invisible word joiner (U+2060) in front: it reads the
    same in the tooltip and is never evaluated."""
    return "\u2060" + text if text.startswith("@@") else text


def point(site: Site, selected: str | None) -> dict[str, object]:
    """One marker: a filled dot in the type's colour with a white rim; an estimated position (error above
    200 m) is a hollow ring instead (faint fill, rim in the type's colour) with a tooltip line saying so.
    The selected site is larger with a yellow rim."""
    rgb = TYPE_COLOURS.get(site.type, ([90, 90, 90], ""))[0]
    approximate = site.approximate
    note = ""
    if approximate and site.coord_accuracy_m is not None:
        note = f"\n位置为估计值（误差约 ±{distance_zh(site.coord_accuracy_m)}），出行请以地址为准"
    if site.id == selected:
        line = [255, 210, 0, 255]
    else:
        line = [*rgb, 255] if approximate else [255, 255, 255, 255]
    return {
        "id": site.id,
        "name": map_text(site.name),
        "kind": map_text(site.type),
        "place": map_text(
            f"{site.city if site.city != site.province else ''}{site.district} {site.address}".strip()),
        "lat": site.lat,
        "lon": site.lon,
        "approximate": approximate,
        "accuracy_note": note,
        "colour": [*rgb, 45 if approximate else 220],
        "radius": 9 if site.id == selected else 6,
        "line": line,
    }


def city_labels(sites: Sequence[Site]) -> list[dict[str, object]]:
    """One label per city ("市" dropped) at the mean position of its listed sites."""
    cities: dict[str, list[Site]] = {}
    for site in sites:
        cities.setdefault(site.city, []).append(site)
    return [
        {"label": map_text(city.removesuffix("市")), "lat": sum(s.lat for s in group) / len(group),
         "lon": sum(s.lon for s in group) / len(group)}
        for city, group in cities.items()
    ]


def deck(items: Sequence[StoredSite], selected: str | None, counts: dict[str, tuple[int, int]],
         style: str | None) -> pdk.Deck:
    """Markers (one per site, plain-text tooltip) and city labels over the heat layer of the visit
    `counts`, with numbered bubbles where markers overlap; no base-map `style` is needed (one can be
    configured, see sites/basemap.py), so the markers show even where map tiles cannot load."""
    sites = [item.site for item in items]
    # pydeck turns plain string props into JS expressions: constant strings are quoted ("'pixels'").
    layers = [
        pdk.Layer(
            "ScatterplotLayer", id=MAP_LAYER, data=[point(site, selected) for site in sites],
            get_position=["lon", "lat"], get_fill_color="colour", get_line_color="line",
            get_radius="radius", radius_units="'pixels'", stroked=True, line_width_min_pixels=2,
            pickable=True, auto_highlight=True,
        ),
        pdk.Layer(
            "TextLayer", id="city-labels", data=city_labels(sites), get_position=["lon", "lat"],
            get_text="label", character_set="'auto'", get_size=15, get_color=[70, 70, 70, 200],
            get_pixel_offset=[0, -22], font_weight=600, pickable=False,
            font_family="'Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif'",
        ),
    ]
    heat = activity_map.heat_layer(items, counts)
    latitude, longitude, zoom = view_state(sites)
    return pdk.Deck(
        layers=[*([heat] if heat is not None else []), *layers, *activity_map.cluster_layers(items)],
        initial_view_state=pdk.ViewState(latitude=latitude, longitude=longitude, zoom=zoom),
        map_style=style, tooltip={"text": "{name}\n{kind} · {place}{accuracy_note}"},
    )


def map_pick(event: object) -> tuple[str, ...]:
    """The ids of the markers selected on the map (the event is a dict-like selection state)."""
    selection = event.get("selection") if isinstance(event, dict) else None
    objects = selection.get("objects", {}) if isinstance(selection, dict) else {}
    return tuple(str(obj.get("id")) for obj in objects.get(MAP_LAYER, []) if isinstance(obj, dict))
