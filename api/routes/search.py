"""GET /v1/search, /v1/passages/{id} and /v1/passages/{id}/similar: the engine's search, as in the CLI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from search.filters import parse_filters
from studykb.auth import User
from studykb.errors import NotFoundError, QueryError

from ..auth import reader, services
from ..schemas import ERROR_RESPONSES, SearchHit, SearchResponse
from ..serialize import hit_json, search_json
from ..services import Services

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["检索"], responses=ERROR_RESPONSES)

MAX_K = 200  # as `studykb search -k`
MAX_OFFSET = 10_000


@router.get("/search", response_model=SearchResponse, summary="检索资料库")
def search(
    q: str = Query(description='检索词；用英文引号 "…" 括起的部分须逐字出现', examples=["浦江经验"]),
    k: int = Query(10, ge=1, le=MAX_K, description="返回条数"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="跳过的条数（翻页）"),
    category: list[str] = Query([], description="类别（可重复），如 讲话、辅导读物"),
    document: list[str] = Query([], description="文档路径或文档编号（可重复）"),
    tag: list[str] = Query([], description="标签（可重复，任一匹配即可）"),
    date_from: str | None = Query(None, alias="from", description="起始日期 YYYY-MM-DD（含）"),
    date_to: str | None = Query(None, alias="to", description="截止日期 YYYY-MM-DD（含）"),
    user: User | None = Depends(reader),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Hybrid search (BM25 + dense) with the same filters as `studykb search --filter`; reprints are
    collapsed into one hit listing the other places (`also_in`)."""
    items = (
        [f"category={c}" for c in category] + [f"document={d}" for d in document] + [f"tag={t}" for t in tag]
    )
    items += [
        f"{name}={value}" for name, value in (("from", date_from), ("to", date_to)) if value is not None
    ]
    result = svc.engine().search(q, k=k, filters=parse_filters(items), offset=offset)
    return search_json(result, k)


def _passage_missing(passage_id: int) -> NotFoundError:
    return NotFoundError(f"passage {passage_id} is not in the current index")


@router.get("/passages/{passage_id}", response_model=SearchHit, summary="一个段落及其出处")
def passage(
    passage_id: int, user: User | None = Depends(reader), svc: Services = Depends(services)
) -> dict[str, Any]:
    """One passage of the published index, verbatim, with its citation and place in the document."""
    try:
        return hit_json(svc.engine().passage(passage_id))
    except QueryError:  # the engine's only refusal here: not in the current index
        raise _passage_missing(passage_id) from None


@router.get("/passages/{passage_id}/similar", response_model=list[SearchHit], summary="相似段落")
def similar(
    passage_id: int,
    k: int = Query(5, ge=1, le=50),
    user: User | None = Depends(reader),
    svc: Services = Depends(services),
) -> list[dict[str, Any]]:
    """Passages like this one in other documents."""
    try:
        return [hit_json(h) for h in svc.engine().more_like_this(passage_id, k=k)]
    except QueryError:
        raise _passage_missing(passage_id) from None
