"""Request limits: body size (413) and a token-bucket rate limit per API key or client address (429).

Both are plain ASGI middleware, so they run before routing and cost one dict lookup per request.
The rate limit is per worker process (`--workers 2` allows up to twice the rate in total).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException

from .errors import error_body

__all__ = ["BodyLimit", "RateLimit", "TokenBuckets"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    import json

    raw = json.dumps(body, ensure_ascii=False).encode()
    pairs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    pairs += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": pairs})
    await send({"type": "http.response.body", "body": raw})


class BodyLimit:
    """Refuse request bodies over `max_bytes` (by Content-Length up front, or while streaming)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", ())).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _send_json(send, 413, self._body(), {"X-Error-Code": "too_large"})
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:  # a chunked body without Content-Length
                raise HTTPException(413)
            return message

        await self.app(scope, counted, send)

    def _body(self) -> dict[str, Any]:
        return error_body(
            "too_large",
            f"请求内容过大：最多 {self.max_bytes} 字节。",
            f"request body over {self.max_bytes} bytes",
        )


class TokenBuckets:
    """`rate_per_minute` requests per identity, in bursts of up to the same number. Thread-safe."""

    def __init__(self, rate_per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(rate_per_minute)
        self.per_second = rate_per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # identity → (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, identity: str) -> float:
        """Spend one token; return 0 when allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(identity, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.per_second)
            if tokens >= 1:
                self._buckets[identity] = (tokens - 1, now)
                if len(self._buckets) > 100_000:
                    self._prune(now)
                return 0.0
            self._buckets[identity] = (tokens, now)
            return (1 - tokens) / self.per_second

    def _prune(self, now: float) -> None:
        """Forget identities whose bucket has refilled (they are indistinguishable from new ones)."""
        full = self.capacity / self.per_second
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}


class RateLimit:
    """429 once an API key (or, without one, a client address) exceeds its bucket; /v1 paths only,
    except the health check (load balancers poll it)."""

    EXEMPT = frozenset({"/v1/health"})

    def __init__(self, app: ASGIApp, rate_per_minute: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(rate_per_minute) if rate_per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.buckets is None
            or scope["type"] != "http"
            or not scope["path"].startswith("/v1/")
            or scope["path"] in self.EXEMPT
        ):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(_identity(scope))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            body = error_body(
                "rate_limited",
                f"请求过于频繁，请 {seconds} 秒后再试。",
                f"rate limit of {int(self.buckets.capacity)} requests a minute reached",
            )
            await _send_json(send, 429, body, {"Retry-After": str(seconds), "X-Error-Code": "rate_limited"})
            return
        await self.app(scope, receive, send)


def _identity(scope: Scope) -> str:
    """`key:<hash>` for a request with an API key, else `ip:<address>`."""
    headers = dict(scope.get("headers", ()))
    auth = headers.get(b"authorization", b"")
    token = auth[7:].strip() if auth[:7].lower() == b"bearer " else headers.get(b"x-api-key", b"")
    if token:
        return "key:" + hashlib.sha256(token).hexdigest()[:24]
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"
