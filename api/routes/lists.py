"""Reading lists: GET /v1/lists (published; drafts too for organiser keys), one list with its items,
and the writes — create, edit, publish, delete, items, order, reading progress. Role rules are the
stores' (`lists.store`, `lists.progress`), exactly as in the web app."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from lists import store
from lists.progress import completion, mark_read, progress
from lists.records import anchor_for_document, anchor_for_hit
from lists.resolve import resolve
from studykb.auth import User
from studykb.errors import NotFoundError, QueryError, ValidationError

from ..auth import reader, services, writer
from ..schemas import ERROR_RESPONSES, ItemIn, ItemPatch, ListIn, ListPatch, Order, Revision
from ..serialize import item_json, list_json
from ..services import Services

__all__ = ["router"]

router = APIRouter(prefix="/v1/lists", tags=["阅读清单"], responses=ERROR_RESPONSES)


def _full(svc: Services, user: User | None, list_id: int) -> dict[str, Any]:
    conn = svc.db()
    out = list_json(store.get_list(conn, user, list_id))
    read = progress(conn, user, list_id)
    resolved = resolve(conn, store.items(conn, user, list_id), svc.data.current())
    out["items_detail"] = [item_json(r, read.get(r.item.id)) for r in resolved]
    return out


def _check_item(svc: Services, user: User, list_id: int, item_id: int) -> None:
    if store.get_item(svc.db(), user, item_id).list_id != list_id:
        raise NotFoundError(f"reading-list item {item_id} is not in list {list_id}")


@router.get("", summary="阅读清单")
def all_lists(user: User | None = Depends(reader), svc: Services = Depends(services)) -> list[dict[str, Any]]:
    """Published lists (organiser keys also see drafts), most recently changed first."""
    return [list_json(lst) for lst in store.lists_for(svc.db(), user)]


@router.get("/{list_id}", summary="一个清单及其条目")
def one_list(
    list_id: int, user: User | None = Depends(reader), svc: Services = Depends(services)
) -> dict[str, Any]:
    """The list, and its items resolved against the published index (`status`: found, relocated, or
    missing with the text saved when it was added); `read_at` is the key's account's own progress."""
    return _full(svc, user, list_id)


@router.post("", status_code=201, summary="新建清单（草稿）")
def create(body: ListIn, user: User = Depends(writer), svc: Services = Depends(services)) -> dict[str, Any]:
    """Create an empty draft list (organiser keys)."""
    lst = store.create_list(
        svc.db(),
        user,
        body.title,
        description=body.description,
        audience=body.audience,
        period_start=body.period_start,
        period_end=body.period_end,
    )
    return list_json(lst)


@router.patch("/{list_id}", summary="修改清单信息")
def update(
    list_id: int, body: ListPatch, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Change the fields given; 409 when the list's revision is no longer `revision`."""
    fields = body.model_dump(exclude_unset=True, exclude={"revision"})
    return list_json(store.update_list(svc.db(), user, list_id, body.revision, **fields))


@router.post("/{list_id}/publish", summary="发布清单")
def publish(
    list_id: int, body: Revision, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Make the list visible to everyone (it needs at least one item)."""
    return list_json(store.publish(svc.db(), user, list_id, body.revision))


@router.post("/{list_id}/unpublish", summary="撤回为草稿")
def unpublish(
    list_id: int, body: Revision, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Turn the list back into a draft (progress is kept)."""
    return list_json(store.unpublish(svc.db(), user, list_id, body.revision))


@router.delete("/{list_id}", status_code=204, summary="删除清单")
def delete(
    list_id: int, revision: int = Query(), user: User = Depends(writer), svc: Services = Depends(services)
) -> Response:
    """Delete the list, its items and everyone's progress on them."""
    store.delete_list(svc.db(), user, list_id, revision)
    return Response(status_code=204)


@router.post("/{list_id}/items", status_code=201, summary="添加条目")
def add_item(
    list_id: int, body: ItemIn, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Append a passage (`passage_id`) or a whole document (`document_id`) of the current index."""
    if (body.passage_id is None) == (body.document_id is None):
        raise ValidationError("give exactly one of passage_id and document_id")
    engine = svc.engine()
    if body.passage_id is not None:
        try:
            anchor = anchor_for_hit(engine.passage(body.passage_id))
        except QueryError:
            raise NotFoundError(f"passage {body.passage_id} is not in the current index") from None
    else:
        doc = engine.snapshot().documents.get(int(body.document_id or 0))
        if doc is None:
            raise NotFoundError(f"document {body.document_id} is not in the current index")
        anchor = anchor_for_document(doc)
    item = store.add_item(svc.db(), user, list_id, anchor, note=body.note, revision=body.revision)
    resolved = resolve(svc.db(), [item], svc.data.current())[0]
    return item_json(resolved) | {"list": list_json(store.get_list(svc.db(), user, list_id))}


@router.patch("/{list_id}/items/{item_id}", summary="修改条目备注或位置")
def patch_item(
    list_id: int,
    item_id: int,
    body: ItemPatch,
    user: User = Depends(writer),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Replace the note and/or move the item (`move`: -1 up, +1 down); returns the list."""
    _check_item(svc, user, list_id, item_id)
    revision = body.revision
    if body.note is not None:
        revision = store.set_note(svc.db(), user, item_id, revision, body.note).revision
    if body.move:
        store.move_item(svc.db(), user, item_id, revision, body.move)
    return _full(svc, user, list_id)


@router.delete("/{list_id}/items/{item_id}", summary="移除条目")
def remove_item(
    list_id: int,
    item_id: int,
    revision: int = Query(),
    user: User = Depends(writer),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Remove the item (and progress on it); returns the list."""
    _check_item(svc, user, list_id, item_id)
    store.remove_item(svc.db(), user, item_id, revision)
    return _full(svc, user, list_id)


@router.put("/{list_id}/order", summary="重新排序")
def reorder(
    list_id: int, body: Order, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Put the items in the order `item_ids` (each item exactly once)."""
    store.reorder(svc.db(), user, list_id, body.revision, body.item_ids)
    return _full(svc, user, list_id)


_READ = "/{list_id}/items/{item_id}/read"


@router.put(_READ, status_code=204, summary="标记已读", operation_id="mark_read")
@router.delete(_READ, status_code=204, summary="取消已读", operation_id="unmark_read")
def read(
    request: Request, list_id: int, item_id: int, user: User = Depends(writer),
    svc: Services = Depends(services),
) -> Response:
    """Record (PUT) or clear (DELETE) that the key's account has read the item (keys linked to an account)."""
    _check_item(svc, user, list_id, item_id)
    mark_read(svc.db(), user, item_id, request.method == "PUT")
    return Response(status_code=204)


@router.get("/{list_id}/completion", summary="完成情况（组织员）")
def completion_report(
    list_id: int, user: User = Depends(writer), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Readers per item, how many finished, and each person's progress (organiser keys)."""
    c = completion(svc.db(), user, list_id)
    return {
        "list_id": c.list_id,
        "members": c.members,
        "finished": c.finished,
        "readers": {str(k): v for k, v in c.readers.items()},
        "people": [
            {
                "username": p.username,
                "label": p.label,
                "role": p.role,
                "read": p.read,
                "last_read": p.last_read,
            }
            for p in c.people
        ],
    }
