"""Prometheus metrics: requests by route and status, a latency histogram, errors by code, the index
version. With several workers (`studykb api --workers N`) the workers share a
PROMETHEUS_MULTIPROC_DIR, so /metrics answers for all of them."""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from .limits import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "render", "set_index_version"]

REQUESTS = Counter("studykb_api_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "studykb_api_request_seconds",
    "Time to answer a request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter("studykb_api_errors_total", "Requests answered with an error document", ["code"])
INDEX = Gauge(
    "studykb_index_info",
    "The published index version this worker serves (value 1)",
    ["version"],
    multiprocess_mode="livemax",
)
_shown: list[str] = []


def set_index_version(version: str | None) -> None:
    """Report `version` as the served index version (the previous one drops to 0)."""
    if not version or (_shown and _shown[0] == version):
        return
    if _shown:
        INDEX.labels(version=_shown[0]).set(0)
    INDEX.labels(version=version).set(1)
    _shown[:] = [version]


def render() -> bytes:
    """The Prometheus text of this process, or of every worker in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return bytes(generate_latest(registry))
    return bytes(generate_latest())


class Metrics:
    """ASGI middleware recording each HTTP request under its route template (never the raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "code": None}

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"x-error-code":
                        seen["code"] = value.decode()
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or ("unmatched" if seen["status"] == 404 else "other")
            LATENCY.labels(route=template).observe(time.perf_counter() - t0)
            REQUESTS.labels(method=scope["method"], route=template, status=str(seen["status"])).inc()
            if seen["code"] or seen["status"] >= 400:
                ERRORS.labels(code=seen["code"] or str(seen["status"])).inc()
