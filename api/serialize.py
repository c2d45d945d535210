"""Records to JSON documents: hits, documents, reading lists and items, sites and GeoJSON features.

Texts are passed through verbatim (they are the sources' own words); only field names are chosen here.
"""

from __future__ import annotations

from typing import Any

from lists.records import ReadingList, ResolvedItem
from search.records import DocumentInfo, Hit, SearchResult
from sites.store import StoredSite

__all__ = ["document_json", "hit_json", "item_json", "list_json", "search_json", "site_feature", "site_json"]


def document_json(doc: DocumentInfo) -> dict[str, Any]:
    """A document's catalog data (never its server-side root folder)."""
    return {
        "id": doc.id,
        "title": doc.title,
        "path": doc.path,
        "date": doc.date,
        "category": doc.category,
        "source": doc.source,
        "author": doc.author,
        "tags": list(doc.tags),
        "format": doc.format,
        "pages": doc.pages,
    }


def hit_json(hit: Hit) -> dict[str, Any]:
    """One hit with its citation, place in the document, snippet and reprints."""
    out: dict[str, Any] = {
        "passage_id": hit.chunk_id,
        "citation": hit.citation,
        "document": document_json(hit.document),
        "page": hit.page,
        "page_end": hit.page_end,
        "heading_path": list(hit.heading_path),
        "snippet": hit.snippet,
        "snippet_spans": [list(s) for s in hit.snippet_spans],
        "text": hit.text,
        "score": round(hit.score, 6),
        "legs": list(hit.legs),
        "also_in": [
            {
                "passage_id": loc.chunk_id,
                "document_id": loc.document_id,
                "title": loc.title,
                "path": loc.path,
                "date": loc.date,
                "page": loc.page,
            }
            for loc in hit.also_in
        ],
        "ocr_confidence": hit.ocr_confidence,
        "weak": hit.weak,
    }
    return out


def search_json(result: SearchResult, k: int) -> dict[str, Any]:
    """A page of search results."""
    return {
        "query": result.query,
        "total": result.total,
        "relevant": result.relevant,
        "offset": result.offset,
        "k": k,
        "exact": result.exact,
        "version": result.version,
        "seconds": round(result.seconds, 4),
        "notes": list(result.notes),
        "hits": [hit_json(h) for h in result.hits],
    }


def list_json(lst: ReadingList) -> dict[str, Any]:
    """A reading list's metadata (with the `revision` to send back when editing)."""
    return {
        "id": lst.id,
        "title": lst.title,
        "description": lst.description,
        "audience": lst.audience,
        "period_start": lst.period_start,
        "period_end": lst.period_end,
        "status": lst.status,
        "owner": lst.owner_name,
        "revision": lst.revision,
        "created_at": lst.created_at,
        "updated_at": lst.updated_at,
        "published_at": lst.published_at,
        "items": lst.n_items,
        "imported_from": lst.imported_from,
    }


def item_json(resolved: ResolvedItem, read_at: str | None = None) -> dict[str, Any]:
    """A list item resolved against the published index: found, relocated or missing (saved copy)."""
    item = resolved.item
    return {
        "id": item.id,
        "position": item.position,
        "kind": item.kind,
        "note": item.note,
        "status": resolved.status,
        "citation": resolved.citation,
        "title": resolved.title,
        "document_id": resolved.document.id if resolved.document else None,
        "passage_id": resolved.chunk_id,
        "page": resolved.page,
        "page_end": resolved.page_end,
        "heading_path": list(resolved.heading_path),
        "text": resolved.text if item.kind == "passage" else None,
        "added_at": item.added_at,
        "read_at": read_at,
    }


def site_json(stored: StoredSite) -> dict[str, Any]:
    """A site with its WGS84 coordinates, whether the position is only approximate, and its revision."""
    s = stored.site
    return {
        "id": s.id,
        "name": s.name,
        "type": s.type,
        "province": s.province,
        "city": s.city,
        "district": s.district,
        "address": s.address,
        "lat": s.lat,
        "lon": s.lon,
        "hours": s.hours,
        "booking": s.booking,
        "themes": list(s.themes),
        "description": s.description,
        "url": s.url,
        "related_queries": list(s.related_queries),
        "coord_accuracy_m": s.coord_accuracy_m,
        "approximate": s.approximate,
        "hidden": stored.hidden,
        "revision": stored.revision,
        "updated_at": stored.updated_at,
    }


def site_feature(stored: StoredSite) -> dict[str, Any]:
    """A GeoJSON Point feature (RFC 7946: [longitude, latitude], WGS84)."""
    props = site_json(stored)
    lon, lat = props.pop("lon"), props.pop("lat")
    return {
        "type": "Feature",
        "id": stored.site.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }
