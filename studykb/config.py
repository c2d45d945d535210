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
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

__all__ = ["CONFIG_NAME", "Settings", "load_settings"]

CONFIG_NAME = "studykb.toml"
_ROLES = ("member", "organiser", "maintainer")


@dataclass(frozen=True)
class Settings:
    """Validated settings; the defaults apply when the file or a key is absent."""

    require_login: bool = False
    oidc_enabled: bool = False
    oidc_roles: dict[str, str] = field(default_factory=dict)
    oidc_default_role: str = "member"
    embedding_backend: str | None = None  # None: not set (studykb.models.resolve_backend → auto)


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
        from .models import check_backend

        check_backend(backend, f"{path}: embedding.backend")
    return Settings(require_login, enabled, {k.lower(): v for k, v in roles.items()}, default_role, backend)
