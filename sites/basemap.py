"""The map's base layer: none by default (offline, unlabelled: only our markers and city names), or,
for online deployments, an approved map service set in `<data dir>/studykb.toml`, either way:

    [map]
    tianditu_key = "0123456789abcdef0123456789abcdef"   # 天地图's vector map + Chinese labels

    [map]
    style_url = "https://example.gov.cn/static/style.json"   # any MapLibre style JSON (https)

With `tianditu_key` the style is built here (`tianditu_style`): 天地图 (the state's approved map
service) vector tiles `vec_w` under its Chinese annotation layer `cva_w`, web-mercator (`_w`), from
its eight servers t0–t7, with the key as `tk`; the browser receives it as a `data:` URL, so no file
has to be served. 天地图's CGCS2000 matches our WGS84 coordinates to within centimetres, so no
conversion is needed. Never point `style_url` at unapproved map data: its boundaries would be drawn
as ours.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from studykb.errors import ConfigError

__all__ = ["TIANDITU_ATTRIBUTION", "map_style", "style_data_url", "tianditu_style", "tianditu_tiles"]

TIANDITU_LAYERS = ("vec", "cva")
"""Base map first, its Chinese annotation (place names) drawn over it."""
TIANDITU_SERVERS = range(8)
"""t0.tianditu.gov.cn … t7.tianditu.gov.cn serve the same tiles; the map spreads requests over them."""
TIANDITU_MAX_ZOOM = 18
"""The deepest level of 天地图's vec_w / cva_w tile matrix set `w`."""
TIANDITU_ATTRIBUTION = '<a href="https://www.tianditu.gov.cn/" target="_blank">天地图</a>'
_KEY = re.compile(r"[0-9A-Za-z]{16,64}")
_MAP_KEYS = ("style_url", "tianditu_key")


def tianditu_tiles(layer: str, key: str) -> list[str]:
    """The tile URL templates of one 天地图 web-mercator layer (`vec` or `cva`) on servers t0–t7."""
    if layer not in TIANDITU_LAYERS:
        raise ValueError(f"unknown 天地图 layer {layer!r} (valid: {', '.join(TIANDITU_LAYERS)})")
    return [
        f"https://t{n}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={quote(key, safe='')}"
        for n in TIANDITU_SERVERS
    ]


def tianditu_style(key: str) -> dict[str, Any]:
    """A MapLibre style (version 8) of 天地图's vector map with its Chinese annotation layer over it."""
    sources = {
        f"tianditu-{layer}": {
            "type": "raster",
            "tiles": tianditu_tiles(layer, key),
            "tileSize": 256,
            "minzoom": 1,
            "maxzoom": TIANDITU_MAX_ZOOM,
            **({"attribution": TIANDITU_ATTRIBUTION} if layer == "vec" else {}),
        }
        for layer in TIANDITU_LAYERS
    }
    return {
        "version": 8,
        "name": "天地图 矢量底图 + 中文注记",
        "sources": sources,
        "layers": [{"id": name, "type": "raster", "source": name} for name in sources],
    }


def style_data_url(style: dict[str, Any]) -> str:
    """A style as a `data:` URL, which the map loads like a served style JSON."""
    text = json.dumps(style, ensure_ascii=False, separators=(",", ":"))
    return "data:application/json;charset=utf-8," + quote(text, safe="")


def map_style(data_dir: Path) -> str | None:
    """The configured base map as a style URL for the map, or None for the offline base.

    `[map] tianditu_key` gives 天地图's style (as a `data:` URL); `[map] style_url` (https only) a
    served one; setting both, an unknown key in `[map]`, or a malformed key is a ConfigError.
    """
    path = data_dir / "studykb.toml"
    if not path.is_file():
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    section = raw.get("map", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [map] must be a table (keys: {', '.join(_MAP_KEYS)})")
    unknown = sorted(set(section) - set(_MAP_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key map.{unknown[0]} (valid: {', '.join(_MAP_KEYS)})")
    url, key = section.get("style_url") or None, section.get("tianditu_key") or None
    if url is not None and key is not None:
        raise ConfigError(f"{path}: set either [map] tianditu_key or [map] style_url, not both")
    if key is not None:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ConfigError(
                f"{path}: [map] tianditu_key must be the key 天地图 issued (letters and digits, usually 32; "
                "apply at https://console.tianditu.gov.cn/)"
            )
        return style_data_url(tianditu_style(key))
    if url is None:
        return None
    if not isinstance(url, str) or urlsplit(url).scheme != "https" or not urlsplit(url).netloc:
        raise ConfigError(f"{path}: [map] style_url must be an https:// address of a MapLibre style JSON")
    return url
