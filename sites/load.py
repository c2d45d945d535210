"""Read, validate and write sites.csv, reporting every bad row with its line number and field.

Cells are written and read through `studykb.csvsafe`: formula-leading text is neutralised in exports
(and restored on import), and a quoted cell may hold line breaks and carriage returns.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from studykb.csvsafe import read_cell, write_csv
from studykb.errors import ValidationError

from .records import (
    CHINA_BOUNDS,
    COLUMN_NAMES_ZH,
    COLUMNS,
    COORD_ACCURACY_MAX_M,
    OPTIONAL_COLUMNS,
    PROVINCE_BOXES,
    PROVINCES,
    SITE_TYPES,
    THEMES,
    Site,
    in_province,
)

__all__ = [
    "DEFAULT_SITES_PATH",
    "Problem",
    "SitesInvalid",
    "dump_sites",
    "load_sites",
    "parse_row",
    "parse_sites",
    "read_rows",
    "site_values",
]

DEFAULT_SITES_PATH = Path(__file__).resolve().parent.parent / "corpus" / "sites.csv"
"""Where the shipped sites.csv lives in a source checkout."""

REQUIRED: tuple[str, ...] = ("id", "name", "type", "province", "city", "lat", "lon")
LIST_SEPARATOR = ";"

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_BAD_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f<>\"']")


@dataclass(frozen=True)
class Problem:
    """One validation finding: file line (header is line 1), column name and reason."""

    line: int
    field: str
    reason: str

    def render(self, source: str) -> str:
        """The finding as `source line N, field F: reason`."""
        return f"{source} line {self.line}, field {self.field}: {self.reason}"


class SitesInvalid(ValidationError):
    """Sites data failed validation; `problems` holds every finding (for per-field display)."""

    def __init__(self, message: str, problems: tuple[Problem, ...]) -> None:
        super().__init__(message)
        self.problems = problems

    def fields(self) -> dict[str, list[str]]:
        """The reasons grouped by column name (`lat/lon` findings are listed under both)."""
        out: dict[str, list[str]] = {}
        for problem in self.problems:
            for name in problem.field.split("/"):
                out.setdefault(name, []).append(problem.reason)
        return out


def load_sites(path: str | Path) -> list[Site]:
    """Read and validate a sites CSV file (UTF-8, header row); raise ValidationError if any row is bad.

    Messages name the file by its base name, e.g. `sites.csv line 7, field lat: ...`.
    """
    path = Path(path)
    try:  # bytes, not read_text: newline translation would turn a quoted cell's "\r" into "\n"
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path.name}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    return parse_sites(text, source=path.name)


def parse_sites(text: str, source: str = "sites.csv") -> list[Site]:
    """Parse and validate CSV text; return the sites or raise ValidationError listing every problem.

    Nothing is returned unless the whole text is valid.
    """
    rows, problems = read_rows(text.removeprefix("\ufeff"))
    if rows:  # a header in Chinese (编号, 名称, …) reads as the English column names
        line, header = rows[0]
        rows[0] = (line, [_FROM_ZH.get(cell.strip(), cell) for cell in header])
    if not problems:
        problems = _check_header(*rows[0]) if rows else _check_header(1, None)
    if problems:
        raise _validation_error(source, problems)
    header = [cell.strip() for cell in rows[0][1]]
    sites: list[Site] = []
    first_line_of_id: dict[str, int] = {}
    for line, cells in rows[1:]:
        site, row_problems = _parse_row(line, header, [read_cell(c) for c in cells], first_line_of_id)
        problems.extend(row_problems)
        if site is not None:
            sites.append(site)
    if problems:
        raise _validation_error(source, problems)
    return sites


def parse_row(values: Mapping[str, str], source: str = "form") -> Site:
    """Validate one site given as {column: text} exactly like a file row; raise SitesInvalid if bad.

    Missing columns count as empty cells; messages read `form line 2, field F: reason`.
    """
    unknown = sorted(set(values) - set(COLUMNS))
    if unknown:
        raise ValueError(f"unknown site columns: {', '.join(unknown)}")
    cells = [values.get(name, "").strip() for name in COLUMNS]
    site, problems = _parse_row(2, list(COLUMNS), cells, {})
    if problems or site is None:
        raise _validation_error(source, problems)
    return site


def site_values(site: Site) -> dict[str, str]:
    """The site as {column: text}, the cells `dump_sites` writes (and `parse_row` reads back)."""
    return dict(zip(COLUMNS, _site_cells(site), strict=True))


_FROM_ZH = {zh: en for en, zh in COLUMN_NAMES_ZH.items()}


def dump_sites(sites: Iterable[Site], *, chinese: bool = False) -> str:
    """Render sites as CSV text (header first) that `parse_sites` reads back to equal records; with
    `chinese` the header names the columns in Chinese (编号, 名称, …).

    Formula-leading cells are neutralised (`studykb.csvsafe`): the file is safe to open in a spreadsheet.
    """
    header = [COLUMN_NAMES_ZH[c] for c in COLUMNS] if chinese else list(COLUMNS)
    return write_csv(header, (_site_cells(site) for site in sites))


# --- reading -------------------------------------------------------------------------------


def read_rows(text: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """Split CSV text into (first line number, cells) pairs, skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((next_line, cells))
            next_line = reader.line_num + 1
    except csv.Error as exc:
        return rows, [Problem(next_line, "row", f"unreadable CSV ({exc})")]
    return rows, []


def _check_header(line: int, header: list[str] | None) -> list[Problem]:
    """Problems with the header row: it must name the columns in COLUMNS, each once; the
    OPTIONAL_COLUMNS may be left out (files written before they existed), which reads as blank cells."""
    expected = ", ".join(COLUMNS)
    if header is None:
        return [Problem(line, "header", f"the file is empty; expected the header {expected}")]
    names = [cell.strip() for cell in header]
    missing = [name for name in COLUMNS if name not in names and name not in OPTIONAL_COLUMNS]
    unexpected = [name for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if not (missing or unexpected or repeated):
        return []
    parts = [
        f"{label}: {', '.join(values) or '(empty name)'}"
        for label, values in (("missing", missing), ("unexpected", unexpected), ("repeated", repeated))
        if values
    ]
    return [Problem(line, "header", f"wrong column set ({'; '.join(parts)}); expected {expected}")]


def _parse_row(
    line: int, header: list[str], cells: list[str], first_line_of_id: dict[str, int]
) -> tuple[Site | None, list[Problem]]:
    """Validate one data row of trimmed cells; return the Site (None if invalid) and the row's problems."""
    if len(cells) != len(header):
        return None, [Problem(line, "row", f"expected {len(header)} values, found {len(cells)}")]
    values = dict(zip(header, cells, strict=True))
    for name in OPTIONAL_COLUMNS:
        values.setdefault(name, "")
    problems = [Problem(line, name, "required value is missing") for name in REQUIRED if not values[name]]
    problems += _check_id(line, values["id"], first_line_of_id)
    problems += _check_choice(line, "type", values["type"], SITE_TYPES)
    problems += _check_choice(line, "province", values["province"], PROVINCES)
    problems += _check_city(line, values["province"], values["city"])
    lat, lon, point_problems = _parse_point(line, values)
    problems += point_problems
    themes = _split_list(values["themes"])
    problems += [Problem(line, "themes", _unknown("theme", t, THEMES)) for t in themes if t not in THEMES]
    problems += _check_url(line, values["url"])
    accuracy, accuracy_problems = _parse_accuracy(line, values["coord_accuracy_m"])
    problems += accuracy_problems
    if problems or lat is None or lon is None:
        return None, problems
    return _build_site(values, lat, lon, themes, accuracy), []


def _check_id(line: int, value: str, first_line_of_id: dict[str, int]) -> list[Problem]:
    """The id must be an ASCII slug and not repeat an earlier row's id."""
    if not value:
        return []
    if not _SLUG.fullmatch(value):
        return [Problem(line, "id", f"{_show(value)} is not a slug of [a-z0-9-] (lowercase, single hyphens)")]
    if value in first_line_of_id:
        first = first_line_of_id[value]
        return [Problem(line, "id", f"duplicate id {_show(value)} (first used on line {first})")]
    first_line_of_id[value] = line
    return []


def _check_choice(line: int, field: str, value: str, allowed: tuple[str, ...]) -> list[Problem]:
    """A non-empty value must be one of `allowed`."""
    if value and value not in allowed:
        return [Problem(line, field, _unknown(field, value, allowed))]
    return []


def _check_city(line: int, province: str, city: str) -> list[Problem]:
    """Shanghai is a municipality: its city column must repeat 上海市."""
    if province == "上海市" and city and city != "上海市":
        return [Problem(line, "city", f"a 上海市 site must have city 上海市, found {_show(city)}")]
    return []


def _parse_point(line: int, values: dict[str, str]) -> tuple[float | None, float | None, list[Problem]]:
    """Parse lat/lon, check each against China's range and the pair against the province boxes."""
    china = CHINA_BOUNDS
    lat, lat_problems = _parse_coordinate(line, "lat", values["lat"], china.lat_min, china.lat_max)
    lon, lon_problems = _parse_coordinate(line, "lon", values["lon"], china.lon_min, china.lon_max)
    problems = lat_problems + lon_problems
    if lat is not None and lon is not None:
        problems += _check_province_box(line, values["province"], lat, lon)
    return lat, lon, problems


def _parse_coordinate(
    line: int, field: str, value: str, low: float, high: float
) -> tuple[float | None, list[Problem]]:
    """Parse a decimal-degree value and check it lies within China's coarse range."""
    if not value:
        return None, []
    try:
        number = float(value)
    except ValueError:
        return None, [Problem(line, field, f"not a number: {_show(value)}")]
    if not math.isfinite(number):
        return None, [Problem(line, field, f"not a finite number: {_show(value)}")]
    if not low <= number <= high:
        return None, [Problem(line, field, f"{number} is outside China ({field} {low:g}–{high:g})")]
    return number, []


def _check_province_box(line: int, province: str, lat: float, lon: float) -> list[Problem]:
    """The point must fall inside the stated province's boxes (only checked for a known province)."""
    if province not in PROVINCE_BOXES or in_province(province, lat, lon):
        return []
    boxes = " or ".join(str(box) for box in PROVINCE_BOXES[province])
    return [Problem(line, "lat/lon", f"({lat}, {lon}) is outside {province} ({boxes})")]


def _parse_accuracy(line: int, value: str) -> tuple[int | None, list[Problem]]:
    """The optional coordinate error radius: blank (not stated) or whole metres, 1–COORD_ACCURACY_MAX_M."""
    if not value:
        return None, []
    if _WHOLE_NUMBER.fullmatch(value) and 1 <= int(value) <= COORD_ACCURACY_MAX_M:
        return int(value), []
    reason = f"must be a whole number of metres from 1 to {COORD_ACCURACY_MAX_M}, found {_show(value)}"
    return None, [Problem(line, "coord_accuracy_m", reason)]


def _check_url(line: int, value: str) -> list[Problem]:
    """An optional URL must be absolute http(s) with a host and no spaces or quotes."""
    if not value:
        return []
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    ok = (
        parts is not None
        and parts.scheme.lower() in ("http", "https")
        and bool(parts.hostname)
        and not _BAD_URL_CHARS.search(value)
    )
    if ok:
        return []
    return [Problem(line, "url", f"must be an absolute http:// or https:// URL, found {_show(value)}")]


def _build_site(
    values: dict[str, str], lat: float, lon: float, themes: tuple[str, ...], accuracy: int | None
) -> Site:
    """Make the record from an already validated row."""
    return Site(
        id=values["id"],
        name=values["name"],
        type=values["type"],
        province=values["province"],
        city=values["city"],
        district=values["district"],
        address=values["address"],
        lat=lat,
        lon=lon,
        hours=values["hours"] or None,
        booking=values["booking"] or None,
        themes=themes,
        description=values["description"],
        url=values["url"] or None,
        related_queries=_split_list(values["related_queries"]),
        coord_accuracy_m=accuracy,
    )


def _split_list(value: str) -> tuple[str, ...]:
    """Split a `;`-separated cell, dropping blanks around and between items."""
    return tuple(item.strip() for item in value.split(LIST_SEPARATOR) if item.strip())


def _unknown(what: str, value: str, allowed: tuple[str, ...]) -> str:
    return f"unknown {what} {_show(value)}; valid: {', '.join(allowed)}"


def _show(value: str, limit: int = 60) -> str:
    """Quote a value for a message, shortened so a huge cell cannot flood the report."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _validation_error(source: str, problems: list[Problem]) -> SitesInvalid:
    rows = len({problem.line for problem in problems})
    lines = [problem.render(source) for problem in problems]
    message = f"{source}: {len(problems)} problem(s) in {rows} row(s):\n" + "\n".join(lines)
    return SitesInvalid(message, tuple(problems))


# --- writing -------------------------------------------------------------------------------


def _site_cells(site: Site) -> list[str]:
    """One CSV row for a site, in COLUMNS order."""
    return [
        site.id,
        site.name,
        site.type,
        site.province,
        site.city,
        site.district,
        site.address,
        repr(float(site.lat)),
        repr(float(site.lon)),
        site.hours or "",
        site.booking or "",
        _join_list("themes", site.themes),
        site.description,
        site.url or "",
        _join_list("related_queries", site.related_queries),
        "" if site.coord_accuracy_m is None else str(int(site.coord_accuracy_m)),
    ]


def _join_list(field: str, items: tuple[str, ...]) -> str:
    """Join list items with `;`; an item that itself contains `;` could not be read back."""
    for item in items:
        if LIST_SEPARATOR in item or not item.strip():
            raise ValueError(f"{field} item {item!r} is empty or contains {LIST_SEPARATOR!r}")
    return LIST_SEPARATOR.join(items)
