"""Request bodies and response shapes of the API, with the examples shown at /docs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ERROR_RESPONSES",
    "ErrorBody",
    "Health",
    "ItemIn",
    "ItemPatch",
    "ListIn",
    "ListPatch",
    "Order",
    "Revision",
    "SearchHit",
    "SearchResponse",
    "SiteIn",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["未找到所请求的记录（可能已被删除）。"])
    detail: str | None = Field(
        default=None, examples=["there is no reading list 7 (it may have been deleted)"]
    )


class ErrorBody(BaseModel):
    """Every error: `{"error": {"code", "message", "detail"}}`."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "检索词或参数无效"),
        (401, "缺少或无效的 API 密钥"),
        (403, "密钥的角色不允许此操作"),
        (404, "记录不存在"),
        (409, "记录已被他人修改（revision 不符）"),
        (413, "请求内容过大"),
        (422, "参数或内容不合法"),
        (429, "请求过于频繁"),
        (503, "索引或数据库暂不可用"),
    )
}


class DocumentRef(BaseModel):
    id: int
    title: str
    path: str
    date: str | None = None
    category: str | None = None
    source: str | None = None
    author: str | None = None
    tags: list[str] = []
    format: str
    pages: int | None = None


class Location(BaseModel):
    passage_id: int
    document_id: int
    title: str
    path: str
    date: str | None = None
    page: int | None = None


class SearchHit(BaseModel):
    passage_id: int = Field(examples=[42])
    citation: str = Field(examples=["《浙江基层治理经验》，2023-06-01"])
    document: DocumentRef
    page: int | None = None
    page_end: int | None = None
    heading_path: list[str] = Field(examples=[["一、浦江经验"]])
    snippet: str = Field(examples=["……形成了“浦江经验”。领导干部主动下访……"])
    snippet_spans: list[tuple[int, int]] = Field(description="命中词在 snippet 中的 [起, 止) 位置")
    text: str = Field(description="段落全文（原文照录）")
    score: float
    legs: list[str] = Field(examples=[["bm25", "dense"]])
    also_in: list[Location] = Field(description="同一段文字也出现在这些文档中")
    ocr_confidence: float | None = None
    weak: bool = Field(description="相关度较低：排在最后一条有实据的结果之后（见 relevant）")


class SearchResponse(BaseModel):
    query: str = Field(examples=["浦江经验"])
    total: int
    relevant: int = Field(description="有实据的相关段落数；其后的结果 weak=true")
    offset: int
    k: int
    exact: bool
    version: str = Field(description="回答此检索的索引版本")
    seconds: float
    notes: list[str] = []
    hits: list[SearchHit]


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    index_version: str | None
    database: bool
    documents: int | None = None
    passages: int | None = None
    problems: list[str] = []


class ListIn(_Strict):
    """A new reading list (a draft until published)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "五月理论学习清单",
                    "description": "围绕基层治理的必读篇目",
                    "audience": "全体党员",
                    "period_start": "2024-05-01",
                    "period_end": "2024-05-31",
                }
            ]
        },
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    audience: str = Field(default="", max_length=200)
    period_start: str | None = None
    period_end: str | None = None


class ListPatch(_Strict):
    """Changed fields of a list plus the `revision` read (409 when someone changed it since)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"revision": 3, "title": "六月清单"}]}
    )
    revision: int
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    audience: str | None = Field(default=None, max_length=200)
    period_start: str | None = None
    period_end: str | None = None


class Revision(_Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"revision": 3}]})
    revision: int


class Order(_Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"revision": 4, "item_ids": [9, 7, 8]}]}
    )
    revision: int
    item_ids: list[int] = Field(max_length=10_000)


class ItemIn(_Strict):
    """A passage (`passage_id`) or a whole document (`document_id`) to append, with a note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"passage_id": 42, "note": "重点阅读"}, {"document_id": 3}]},
    )
    passage_id: int | None = None
    document_id: int | None = None
    note: str = Field(default="", max_length=5000)
    revision: int | None = Field(default=None, description="省略时直接追加（追加不会覆盖他人修改）")


class ItemPatch(_Strict):
    """Change an item's note and/or move it (`move`: -1 up, +1 down)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"revision": 5, "note": "先读这一段"}]}
    )
    revision: int
    note: str | None = Field(default=None, max_length=5000)
    move: int | None = None


class SiteIn(_Strict):
    """A learning site, validated exactly like a row of sites.csv (WGS84 coordinates)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "sh-example-hall",
                    "name": "示例纪念馆",
                    "type": "纪念馆",
                    "province": "上海市",
                    "city": "上海市",
                    "district": "黄浦区",
                    "address": "示例路 1 号",
                    "lat": 31.2222,
                    "lon": 121.4700,
                    "themes": ["建党"],
                    "url": "https://example.org",
                    "related_queries": ["中共一大"],
                    "coord_accuracy_m": 50,
                }
            ]
        },
    )
    id: str = Field(max_length=100)
    name: str = Field(max_length=200)
    type: str = Field(max_length=20)
    province: str = Field(max_length=20)
    city: str = Field(max_length=50)
    district: str = Field(default="", max_length=50)
    address: str = Field(default="", max_length=300)
    lat: float
    lon: float
    hours: str | None = Field(default=None, max_length=500)
    booking: str | None = Field(default=None, max_length=500)
    themes: list[str] = Field(default=[], max_length=20)
    description: str = Field(default="", max_length=5000)
    url: str | None = Field(default=None, max_length=500)
    related_queries: list[str] = Field(default=[], max_length=20)
    coord_accuracy_m: int | None = None
    revision: int | None = Field(default=None, description="修改时：读取时的 revision（不符则 409）")
