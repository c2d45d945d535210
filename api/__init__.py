"""The HTTP API for other systems: search, passages, documents, reading lists and sites over one data dir.

`create_app` is imported lazily, so `studykb keys` (which needs only `api.keys`) does not load FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
