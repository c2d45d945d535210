"""Settings of a data dir, read from `<data dir>/studykb.toml` (all optional, validated on load).

[access]
require_login = false        # true: reading and searching need a login too

[oidc]                       # log in with an OpenID Connect provider via st.login
enabled = false              # (the provider itself is configured in .streamlit/secrets.toml [auth])
[oidc.roles]                 # e-mail → role; unknown e-mails get default_role
"li@example.org" = "organiser"
default_role = "member"      # (a key of [oidc])

[embedding]
backend = "auto"             # or "torch", "onnx", "onnx-int8" (ONNX Runtime); $STUDYKB_BACKEND overrides it

[api]                        # the HTTP API (`studykb api`)
require_key = false          # true: reads need an API key too (writes always do)
cors_origins = []            # browser origins allowed to call it, e.g. ["https://portal.example.org"]
rate_limit_per_minute = 1200 # requests per key (or per client address without a key) and worker; 0 = off
max_body_bytes = 1048576     # larger request bodies are refused with 413
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .backends import check_backend
from .errors import ConfigError

__all__ = ["CONFIG_NAME", "ApiSettings", "Settings", "load_settings"]

CONFIG_NAME = "studykb.toml"
_ROLES = ("member", "organiser", "maintainer")


@dataclass(frozen=True)
class ApiSettings:
    """The `[api]` table: who may read, which browser origins may call, and the request limits."""

    require_key: bool = False
    cors_origins: tuple[str, ...] = ()
    rate_limit_per_minute: int = 1200
    max_body_bytes: int = 1 << 20


@dataclass(frozen=True)
class Settings:
    """Validated settings; the defaults apply when the file or a key is absent."""

    require_login: bool = False
    oidc_enabled: bool = False
    oidc_roles: dict[str, str] = field(default_factory=dict)
    oidc_default_role: str = "member"
    embedding_backend: str | None = None  # None: not set (studykb.models.resolve_backend → auto)
    api: ApiSettings = field(default_factory=ApiSettings)


def load_settings(data_dir: Path) -> Settings:
    """Read `<data_dir>/studykb.toml`; raises ConfigError naming the file and key on bad values."""
    path = Path(data_dir) / CONFIG_NAME
    if not path.is_file():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    access = raw.get("access", {})
    oidc = raw.get("oidc", {})
    require_login = access.get("require_login", False)
    enabled = oidc.get("enabled", False)
    for key, value in (("access.require_login", require_login), ("oidc.enabled", enabled)):
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {key} must be true or false")
    roles = oidc.get("roles", {})
    default_role = oidc.get("default_role", "member")
    for email, role in [*roles.items(), ("default_role", default_role)]:
        if role not in _ROLES:
            raise ConfigError(f"{path}: oidc role for {email!r} is '{role}' (valid: {', '.join(_ROLES)})")
    backend = raw.get("embedding", {}).get("backend")
    if backend is not None:
        check_backend(backend, f"{path}: embedding.backend")
    return Settings(require_login, enabled, {k.lower(): v for k, v in roles.items()}, default_role, backend,
                    _api_settings(path, raw.get("api", {})))


def _api_settings(path: Path, api: dict[str, object]) -> ApiSettings:
    """Validate the `[api]` table (unknown keys are errors: a typo must not silently open the API)."""
    default = ApiSettings()
    unknown = sorted(set(api) - {"require_key", "cors_origins", "rate_limit_per_minute", "max_body_bytes"})
    if unknown:
        raise ConfigError(f"{path}: unknown key api.{unknown[0]} (valid: require_key, cors_origins, "
                          "rate_limit_per_minute, max_body_bytes)")
    require_key = api.get("require_key", default.require_key)
    if not isinstance(require_key, bool):
        raise ConfigError(f"{path}: api.require_key must be true or false")
    origins = api.get("cors_origins", [])
    if not isinstance(origins, list) or not all(isinstance(o, str) and o for o in origins):
        raise ConfigError(f"{path}: api.cors_origins must be a list of origins like \"https://example.org\"")
    numbers: dict[str, int] = {}
    for key, low in (("rate_limit_per_minute", 0), ("max_body_bytes", 1024)):
        value = api.get(key, getattr(default, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{path}: api.{key} must be a whole number of at least {low}, found {value!r}")
        numbers[key] = value
    return ApiSettings(require_key, tuple(origins), numbers["rate_limit_per_minute"],
                       numbers["max_body_bytes"])
