"""Learning sites: GET /v1/sites (filters, word search), /v1/sites.geojson, one site; organiser keys add,
edit, hide and unhide (validated like an import row by `sites.store`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from sites import store
from sites.load import LIST_SEPARATOR
from sites.store import SiteFilter, StoredSite
from studykb.auth import User, can
from studykb.errors import NotFoundError

from ..auth import reader, services, writer
from ..schemas import ERROR_RESPONSES, Revision, SiteIn
from ..serialize import site_feature, site_json
from ..services import Services

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["学习地图"], responses=ERROR_RESPONSES)


def found_sites(
    province: list[str] = Query([], description="省份（可重复）：上海市、浙江省"),
    city: list[str] = Query([], description="城市（可重复）"),
    type_: list[str] = Query([], alias="type", description="类型（可重复），如 纪念馆"),
    theme: list[str] = Query([], description="主题（可重复，任一匹配）"),
    q: str = Query("", max_length=200, description="名称、地址、简介中的词（简繁皆可）"),
    include_hidden: bool = Query(False, description="包括已隐藏的场馆（仅组织员密钥）"),
    user: User | None = Depends(reader),
    svc: Services = Depends(services),
) -> list[StoredSite]:
    """The sites passing the query's filters (a dependency shared by the list and GeoJSON endpoints)."""
    where = SiteFilter(tuple(province), tuple(city), tuple(type_), tuple(theme), q,
                       include_hidden and can(user, "organiser"))
    store.ensure_loaded(svc.db())  # a fresh install shows the shipped sites, as the app does
    return store.list_sites(svc.db(), where)


@router.get("/sites", summary="学习场馆")
def sites(found: list[StoredSite] = Depends(found_sites)) -> list[dict[str, Any]]:
    """Sites passing the filters, Shanghai first; coordinates are WGS84."""
    return [site_json(s) for s in found]


@router.get("/sites.geojson", summary="学习场馆（GeoJSON）",
            responses={200: {"content": {"application/geo+json": {}}}})
def sites_geojson(found: list[StoredSite] = Depends(found_sites)) -> dict[str, Any]:
    """The same sites as a GeoJSON FeatureCollection of points ([lon, lat], WGS84 — convert to GCJ-02
    yourself before drawing them on a Chinese consumer map)."""
    return {"type": "FeatureCollection", "features": [site_feature(s) for s in found]}


@router.get("/sites/{site_id}", summary="一个场馆")
def site(
    site_id: str, user: User | None = Depends(reader), svc: Services = Depends(services)
) -> dict[str, Any]:
    """One site (a hidden one only for organiser keys)."""
    store.ensure_loaded(svc.db())
    found = store.get_site(svc.db(), site_id)
    if found is None or (found.hidden and not can(user, "organiser")):
        raise NotFoundError(f"no site with id {site_id!r}")
    return site_json(found)


def _cells(body: SiteIn) -> dict[str, str]:
    """The body as sites.csv cells, for the importer's own validation."""
    values = body.model_dump(exclude={"revision"})
    cells: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, list):
            cells[name] = LIST_SEPARATOR.join(str(v) for v in value)
        else:
            cells[name] = "" if value is None else str(value)
    return cells


@router.post("/sites", status_code=201, summary="新增场馆")
def add(body: SiteIn, user: User = Depends(writer), svc: Services = Depends(services)) -> dict[str, Any]:
    """Add a site (organiser keys); 409 when the id is taken."""
    store.ensure_loaded(svc.db())
    return site_json(store.add_site(svc.db(), user, _cells(body)))


@router.put("/sites/{site_id}", summary="修改场馆")
def edit(
    site_id: str, body: SiteIn, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Replace a site's fields (the id cannot change); with `revision`, 409 if it changed since."""
    return site_json(store.edit_site(svc.db(), user, site_id, _cells(body), expected_revision=body.revision))


@router.post("/sites/{site_id}/{action}", summary="隐藏或恢复显示场馆")
def set_hidden(
    site_id: str,
    action: Literal["hide", "unhide"],
    body: Revision | None = None,
    user: User = Depends(writer),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """`hide`: leave the site out of listings (it keeps its id and data); `unhide`: show it again."""
    change = store.hide_site if action == "hide" else store.unhide_site
    return site_json(change(svc.db(), user, site_id, expected_revision=body.revision if body else None))
