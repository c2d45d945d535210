"""GET /v1/documents/{id} (catalog data and text) and /v1/documents/{id}/file (the verified original)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from search.records import DocumentInfo
from studykb.auth import User
from studykb.errors import NotFoundError

from ..auth import reader, services
from ..files import MEDIA_TYPES, content_disposition, verified_original
from ..schemas import ERROR_RESPONSES
from ..serialize import document_json
from ..services import Services

__all__ = ["router"]

router = APIRouter(prefix="/v1/documents", tags=["文档"], responses=ERROR_RESPONSES)


def _doc(svc: Services, document_id: int) -> DocumentInfo:
    found = svc.engine().snapshot().documents.get(document_id)
    if found is None:
        raise NotFoundError(f"document {document_id} is not in the current index")
    return found


@router.get("/{document_id}", summary="文档信息与全文")
def document(
    document_id: int,
    text: bool = Query(True, description="是否返回全文"),
    user: User | None = Depends(reader),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """A document's catalog data, the character offset of each page, and (unless `text=false`) its text."""
    _doc(svc, document_id)
    info, full, page_starts = svc.engine().document(document_id)
    out = document_json(info)
    out["page_starts"] = page_starts
    if text:
        out["text"] = full
    return out


@router.get(
    "/{document_id}/file",
    summary="下载原文件",
    response_class=Response,
    responses={200: {"description": "原文件（与入库时校验和一致）"}},
)
def original(
    document_id: int, user: User | None = Depends(reader), svc: Services = Depends(services)
) -> Response:
    """The original file, only if it still lies inside its corpus folder and is byte-for-byte the file
    that was ingested (404 or 409 otherwise)."""
    doc = _doc(svc, document_id)
    data = verified_original(doc)
    name = PurePosixPath(doc.path).name
    return Response(
        data,
        media_type=MEDIA_TYPES.get(doc.format, "application/octet-stream"),
        headers={"Content-Disposition": content_disposition(name)},
    )
