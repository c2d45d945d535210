"""The map's base layer: none by default (offline, unlabelled: only our markers and city names), or,
for online deployments, an approved map service's style set in `<data dir>/studykb.toml`:

    [map]
    style_url = "https://example.gov.cn/static/tianditu-style.json"   # a MapLibre style JSON

`docs/tianditu-style.json` is a template for 天地图 (the state's approved map service; put your key
in place of {TIANDITU_KEY} and serve the file). 天地图's CGCS2000 matches our WGS84 coordinates to
within centimetres, so no conversion is needed. Never point this at unapproved map data: its
boundaries would be drawn as ours.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from studykb.errors import ConfigError

__all__ = ["map_style"]


def map_style(data_dir: Path) -> str | None:
    """The configured `[map] style_url` (https only), or None for the offline base."""
    path = data_dir / "studykb.toml"
    if not path.is_file():
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    section = raw.get("map", {})
    url = section.get("style_url") if isinstance(section, dict) else None
    if url is None or url == "":
        return None
    if not isinstance(url, str) or urlsplit(url).scheme != "https" or not urlsplit(url).netloc:
        raise ConfigError(f"{path}: [map] style_url must be an https:// address of a MapLibre style JSON")
    return url
