"""Who is calling: the API key of a request (header `Authorization: Bearer …` or `X-API-Key`) as a
studykb `User`. Reads are public unless `[api] require_key = true` (or `[access] require_login = true`,
which closes the web app); writes always need a key. Role
rules are not checked here: the stores check them for every write, as for the web app."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from studykb.auth import User

from .errors import ApiError
from .keys import key_for_token
from .services import Services

__all__ = ["key_token", "reader", "services", "writer"]

_bearer = HTTPBearer(auto_error=False, description="API 密钥：`Authorization: Bearer skb_…`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API 密钥（与 Bearer 二选一）")

_NEED_KEY = "需要有效的 API 密钥：在请求头 Authorization: Bearer <密钥> 或 X-API-Key 中提供。"


def services(request: Request) -> Services:
    """The app's Services."""
    found: Services = request.app.state.services
    return found


def key_token(request: Request) -> str | None:
    """The API key token a request carries, or None."""
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def _user(request: Request, svc: Services) -> User | None:
    token = key_token(request)
    if token is None:
        return None
    found = key_for_token(svc.db(), token)
    if found is None:
        raise ApiError(
            401,
            "unauthorized",
            "API 密钥无效或已被吊销。",
            "unknown or revoked key",
            {"WWW-Authenticate": "Bearer"},
        )
    return found[1]


def reader(
    request: Request,
    svc: Services = Depends(services),
    _b: HTTPAuthorizationCredentials | None = Depends(_bearer),
    _h: str | None = Depends(_header),
) -> User | None:
    """The caller of a read endpoint: None (public) unless a key is sent or required."""
    user = _user(request, svc)
    closed = svc.settings.api.require_key or svc.settings.require_login  # a login-only library stays closed
    if user is None and closed:
        raise ApiError(
            401,
            "unauthorized",
            _NEED_KEY,
            "this library requires a key for reading",
            {"WWW-Authenticate": "Bearer"},
        )
    return user


def writer(
    request: Request,
    svc: Services = Depends(services),
    _b: HTTPAuthorizationCredentials | None = Depends(_bearer),
    _h: str | None = Depends(_header),
) -> User:
    """The caller of a write endpoint: a valid key is required (401 otherwise)."""
    user = _user(request, svc)
    if user is None:
        raise ApiError(
            401, "unauthorized", _NEED_KEY, "writes need an API key", {"WWW-Authenticate": "Bearer"}
        )
    return user
