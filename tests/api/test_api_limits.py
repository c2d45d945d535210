"""The token bucket of the rate limit, and validation of the `[api]` settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.limits import TokenBuckets
from studykb.config import load_settings
from studykb.errors import ConfigError


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])  # one a second, bursts of 60
    assert all(buckets.take("ip:a") == 0 for _ in range(60))
    assert buckets.take("ip:a") == pytest.approx(1.0)
    assert buckets.take("ip:b") == 0  # another identity has its own bucket
    now[0] = 2.0
    assert buckets.take("ip:a") == 0 and buckets.take("ip:a") == 0 and buckets.take("ip:a") > 0


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("require_key = 1", "require_key"),
        ("cors_origins = 'x'", "cors_origins"),
        ("rate_limit_per_minute = -1", "rate_limit_per_minute"),
        ("max_body_bytes = 10", "max_body_bytes"),
        ("requre_key = true", "unknown key api.requre_key"),
    ],
    ids=["key-not-bool", "origins-not-list", "negative-rate", "tiny-body", "typo"],
)
def test_bad_api_settings_name_the_key(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / "studykb.toml").write_text(f"[api]\n{text}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        load_settings(tmp_path)


def test_api_settings_defaults_and_values(tmp_path: Path) -> None:
    assert load_settings(tmp_path).api.rate_limit_per_minute == 1200
    (tmp_path / "studykb.toml").write_text(
        '[api]\nrequire_key = true\ncors_origins = ["https://a.example"]\nrate_limit_per_minute = 0\n',
        encoding="utf-8",
    )
    api = load_settings(tmp_path).api
    assert api.require_key and api.cors_origins == ("https://a.example",) and api.rate_limit_per_minute == 0
