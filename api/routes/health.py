"""GET /v1/health (index version, database reachable) and GET /metrics (Prometheus text)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from studykb.errors import StudyKBError

from ..auth import services
from ..metrics import CONTENT_TYPE_LATEST, render, set_index_version
from ..schemas import Health
from ..services import Services

__all__ = ["router"]

router = APIRouter(tags=["运行状态"])


@router.get(
    "/v1/health",
    response_model=Health,
    summary="运行状态",
    responses={503: {"model": Health, "description": "索引或数据库不可用"}},
)
def health(svc: Services = Depends(services)) -> Any:
    """200 with the served index version when the index is loaded and the database answers, else 503."""
    problems: list[str] = []
    database = False
    try:
        svc.db().execute("SELECT 1").fetchone()
        database = True
    except Exception as exc:  # any failure means "not reachable"; the reason is reported
        problems.append(f"数据库不可用：{exc}")
    body: dict[str, Any] = {"status": "ok", "index_version": None, "database": database, "problems": problems}
    try:
        info = svc.engine().status()
        body |= {
            "index_version": info["version"],
            "documents": info["documents"],
            "passages": info["passages"],
        }
        set_index_version(info["version"])
    except StudyKBError as exc:
        problems.append(f"索引不可用：{exc}")
    if problems:
        body["status"] = "unavailable"
        return JSONResponse(body, status_code=503, headers={"X-Error-Code": "unavailable"})
    return body


@router.get("/metrics", include_in_schema=False)
def metrics(svc: Services = Depends(services)) -> Response:
    """Prometheus text exposition."""
    try:
        set_index_version(svc.engine().snapshot().name)
    except StudyKBError:
        pass
    return Response(render(), media_type=CONTENT_TYPE_LATEST)
