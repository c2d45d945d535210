"""Study activity: GET /v1/visits/stats (the numbers behind `studykb visits stats` and 学习统计); organiser
keys record and edit visits (validated like a visits.csv row by `activity.visits`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from activity.stats import visit_stats
from activity.visits import Visit, add_visit, edit_visit
from studykb.auth import User

from ..auth import reader, services, writer
from ..schemas import ERROR_RESPONSES
from ..services import Services

__all__ = ["router"]

router = APIRouter(prefix="/v1/visits", tags=["学习活动"], responses=ERROR_RESPONSES)

_DATE = r"^\d{4}-\d{2}-\d{2}$"


class VisitIn(BaseModel):
    """One study visit, as a row of visits.csv (checked by the same validation as an import)."""

    id: str = Field("", max_length=64, description="留空则自动生成", examples=[""])
    site_id: str = Field(max_length=64, examples=["sh-cpc-first-congress"])
    date: str = Field(pattern=_DATE, examples=["2026-07-01"])
    unit_id: str = Field(max_length=64, examples=["dw-jd-zb1"])
    participants: int = Field(ge=1, le=10000, examples=[25])
    activity: Literal["现场教学", "主题党日", "调研", "其他"] = Field(examples=["主题党日"])
    topic: str = Field("", max_length=200, examples=["重温入党誓词"])
    notes: str = Field("", max_length=2000)


def _cells(body: VisitIn) -> dict[str, str]:
    return {name: str(value) for name, value in body.model_dump().items()}


def _json(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id, "site_id": visit.site_id, "date": visit.date, "unit_id": visit.unit_id,
        "participants": visit.participants, "activity": visit.activity, "topic": visit.topic,
        "notes": visit.notes,
    }


@router.get("/stats", summary="学习活动统计")
def stats(
    by: Literal["district", "city", "site", "unit", "month"] = Query("district", description="分组方式"),
    from_: str | None = Query(None, alias="from", pattern=_DATE, description="起始日期（含）"),
    to: str | None = Query(None, pattern=_DATE, description="截止日期（含）"),
    unit: str | None = Query(None, max_length=64, description="只统计此单位及其下级单位"),
    _user: User | None = Depends(reader),
    svc: Services = Depends(services),
) -> list[dict[str, object]]:
    """Visits and participants per key, most visits first (months in calendar order): the same numbers
    as `studykb visits stats --json`."""
    return [c.to_json() for c in visit_stats(svc.db(), by, start=from_, end=to, unit=unit)]


@router.post("", summary="记录一次学习活动", status_code=201)
def create(body: VisitIn, user: User = Depends(writer), svc: Services = Depends(services)) -> dict[str, Any]:
    """Record a visit (organiser keys, for units in their subtree; 409 if the id exists)."""
    return _json(add_visit(svc.db(), user, _cells(body)))


@router.put("/{visit_id}", summary="修改学习活动记录")
def update(
    visit_id: str, body: VisitIn, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Change a stored visit (its id stays)."""
    return _json(edit_visit(svc.db(), user, visit_id, _cells(body) | {"id": visit_id}))
