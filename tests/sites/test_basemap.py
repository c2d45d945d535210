"""The configured base map: 天地图's style built from `[map] tianditu_key` (tile URLs, key,
attribution), `[map] style_url`, and the refusals of bad settings. No network: the style is checked,
not fetched."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from sites.basemap import map_style, style_data_url, tianditu_style
from studykb.errors import ConfigError

KEY = "0123456789abcdef0123456789abcdef"


def config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "studykb.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_tianditu_style_draws_vector_tiles_under_chinese_labels_from_eight_servers() -> None:
    style = tianditu_style(KEY)
    assert style["version"] == 8
    assert [layer["source"] for layer in style["layers"]] == ["tianditu-vec", "tianditu-cva"]
    for layer in ("vec", "cva"):
        source = style["sources"][f"tianditu-{layer}"]
        assert (source["type"], source["tileSize"], source["maxzoom"]) == ("raster", 256, 18)
        hosts = []
        for url in source["tiles"]:
            parts = urlsplit(url)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            hosts.append(parts.netloc)
            assert (parts.scheme, parts.path) == ("https", f"/{layer}_w/wmts")
            assert query == {
                "SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": layer,
                "STYLE": "default", "TILEMATRIXSET": "w", "FORMAT": "tiles",
                "TILEMATRIX": "{z}", "TILEROW": "{y}", "TILECOL": "{x}", "tk": KEY,
            }
        assert hosts == [f"t{n}.tianditu.gov.cn" for n in range(8)]
    attribution = style["sources"]["tianditu-vec"]["attribution"]
    assert "天地图" in attribution and 'href="https://www.tianditu.gov.cn/"' in attribution


def test_key_in_config_gives_the_style_as_a_data_url(tmp_path: Path) -> None:
    url = map_style(config(tmp_path, f'[map]\ntianditu_key = "{KEY}"\n'))
    assert url is not None and url.startswith("data:application/json;charset=utf-8,")
    assert json.loads(unquote(url.split(",", 1)[1])) == tianditu_style(KEY)
    assert url == style_data_url(tianditu_style(KEY))


def test_style_url_is_kept_and_no_config_means_the_offline_base(tmp_path: Path) -> None:
    assert map_style(tmp_path) is None
    assert map_style(config(tmp_path, "[map]\n")) is None
    served = "https://maps.example.gov.cn/style.json"
    assert map_style(config(tmp_path, f'[map]\nstyle_url = "{served}"\n')) == served


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'[map]\ntianditu_key = "{KEY}"\nstyle_url = "https://x.cn/s.json"\n', "not both"),
        ('[map]\ntianditu_key = "abc&tk=other"\n', "tianditu_key must be the key"),
        ("[map]\ntianditu_key = 12345\n", "tianditu_key must be the key"),
        ('[map]\ntdt_key = "x"\n', "unknown key map.tdt_key"),
        ('[map]\nstyle_url = "http://x.cn/s.json"\n', "https://"),
        ('map = "x"\n', "must be a table"),
    ],
    ids=["both", "url-characters", "number", "typo", "plain-http", "not-a-table"],
)
def test_bad_map_settings_are_refused_with_the_key_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        map_style(config(tmp_path, text))
    assert "studykb.toml" in str(info.value)
