"""The FastAPI application of one data dir: routes, error handlers, CORS, limits and metrics."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from studykb.layout import default_data_dir

from .errors import install_handlers
from .limits import BodyLimit, RateLimit
from .metrics import Metrics
from .routes import documents, health, lists, search, sites, visits
from .services import Services

__all__ = ["app_from_env", "create_app"]

DESCRIPTION = """学习资料库（studykb）的 HTTP 接口：检索、段落与文档、阅读清单、学习地图。

读取接口默认公开（`data/studykb.toml` 中 `[api] require_key = true` 则需密钥）；写入接口需要 API 密钥
（`studykb keys create`），放在请求头 `Authorization: Bearer <密钥>` 或 `X-API-Key` 中，权限与网页版相同。
错误一律为 `{"error": {"code", "message", "detail"}}`。
"""


def create_app(data_dir: Path | str, *, warm: bool = True) -> FastAPI:
    """The API over `data_dir` (settings from its studykb.toml). `warm`: load index and model at start-up."""
    svc = Services(data_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            svc.warm_up()
        yield

    # /docs and /redoc with their scripts served from /static-offline-docs, not a CDN (intranets).
    app = FastAPIOffline(
        title="studykb 学习资料库 API", version="1", description=DESCRIPTION, lifespan=lifespan
    )
    app.state.services = svc
    install_handlers(app)
    for module in (search, documents, lists, sites, visits, health):
        app.include_router(module.router)
    conf = svc.settings.api
    # Added innermost first: Metrics sees every answer, including 413 and 429.
    app.add_middleware(BodyLimit, max_bytes=conf.max_body_bytes)
    app.add_middleware(RateLimit, rate_per_minute=conf.rate_limit_per_minute)
    if conf.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(conf.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(Metrics)
    return app


def app_from_env() -> FastAPI:
    """The app for `$STUDYKB_DATA_DIR` (how `studykb api --workers N` starts each worker)."""
    return create_app(os.environ.get("STUDYKB_DATA_DIR") or default_data_dir())
