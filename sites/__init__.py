"""Recommended on-site learning sites in Shanghai and Zhejiang: record type, vocabularies, CSV loader."""

from __future__ import annotations

from .load import DEFAULT_SITES_PATH, dump_sites, load_sites, parse_sites
from .records import (
    APPROXIMATE_ABOVE_M,
    CHINA_BOUNDS,
    COLUMNS,
    COORD_ACCURACY_MAX_M,
    OPTIONAL_COLUMNS,
    PROVINCE_BOXES,
    PROVINCES,
    SITE_TYPES,
    THEMES,
    Box,
    Site,
    in_province,
)

__all__ = [
    "APPROXIMATE_ABOVE_M",
    "CHINA_BOUNDS",
    "COLUMNS",
    "COORD_ACCURACY_MAX_M",
    "DEFAULT_SITES_PATH",
    "OPTIONAL_COLUMNS",
    "PROVINCES",
    "PROVINCE_BOXES",
    "SITE_TYPES",
    "THEMES",
    "Box",
    "Site",
    "dump_sites",
    "in_province",
    "load_sites",
    "parse_sites",
]
