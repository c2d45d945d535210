"""The CSV files of units and visits: read rows with their line numbers, collect problems, write cells.

Both files are validated the way `sites.load` validates sites.csv: every bad row is reported as
`FILE line N, field F: reason`, and nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sites.load import Problem, read_rows
from studykb import csvsafe
from studykb.csvsafe import read_cell
from studykb.errors import ValidationError

__all__ = [
    "ID_PATTERN",
    "CsvRow",
    "RowsInvalid",
    "check_id",
    "check_known",
    "parse_rows",
    "read_csv",
    "write_csv",
]

T = TypeVar("T")

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
"""A unit or visit id: 1–64 ASCII letters, digits, `_ . : -`, starting with a letter or digit."""



@dataclass(frozen=True)
class CsvRow:
    """One data row: its first line in the file (header = line 1) and {column: stripped text}."""

    line: int
    values: dict[str, str]


class RowsInvalid(ValidationError):
    """A units or visits file failed validation; `problems` holds every finding."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = [p.render(source) for p in self.problems[:50]]
        more = len(self.problems) - len(shown)
        tail = [f"... and {more} more problems"] if more > 0 else []
        super().__init__("\n".join([*shown, *tail]))


def read_csv(path: str | Path, required: Sequence[str], optional: Sequence[str] = ()) -> list[CsvRow]:
    """Read a UTF-8 CSV file whose header names every `required` column (and any of `optional`).

    Raises RowsInvalid for a bad encoding, unreadable CSV, a wrong header or a row of the wrong width.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RowsInvalid(
            path.name, [Problem(1, "file", f"not valid UTF-8 ({exc.reason} at byte {exc.start})")]
        ) from exc
    return parse_csv(text, required, optional, source=path.name)


def parse_csv(
    text: str, required: Sequence[str], optional: Sequence[str] = (), *, source: str = "data.csv"
) -> list[CsvRow]:
    """Parse CSV text (see `read_csv`); optional columns left out of the header read as empty cells."""
    raw, unreadable = read_rows(text.removeprefix("\ufeff"))
    if unreadable:
        raise RowsInvalid(source, unreadable)
    expected = ", ".join(required)
    if not raw:
        raise RowsInvalid(
            source, [Problem(1, "header", f"the file is empty; expected the header {expected}")]
        )
    header_line, header_cells = raw[0]
    header = [cell.strip() for cell in header_cells]
    missing = [name for name in required if name not in header]
    unexpected = [name for name in header if name not in required and name not in optional]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if missing or unexpected or repeated:
        parts = [
            f"{label}: {', '.join(values) or '(empty name)'}"
            for label, values in (("missing", missing), ("unexpected", unexpected), ("repeated", repeated))
            if values
        ]
        raise RowsInvalid(
            source,
            [Problem(header_line, "header", f"wrong column set ({'; '.join(parts)}); expected {expected}")],
        )
    rows: list[CsvRow] = []
    problems: list[Problem] = []
    for line, cells in raw[1:]:
        if len(cells) != len(header):
            problems.append(Problem(line, "row", f"expected {len(header)} values, found {len(cells)}"))
            continue
        values = {name: read_cell(cell) for name, cell in zip(header, cells, strict=True)}
        for name in optional:
            values.setdefault(name, "")
        rows.append(CsvRow(line, values))
    if problems:
        raise RowsInvalid(source, problems)
    return rows


def check_id(line: int, field: str, value: str, first_line: dict[str, int]) -> list[Problem]:
    """A required id: the ID_PATTERN, and not repeating an earlier row's id (`first_line` records them)."""
    if not value:
        return [Problem(line, field, "required value is missing")]
    if not ID_PATTERN.fullmatch(value):
        return [Problem(line, field, f"{value[:40]!r} is not an id (1-64 of A-Z a-z 0-9 _ . : -)")]
    if value in first_line:
        return [Problem(line, field, f"duplicate id {value!r} (first used on line {first_line[value]})")]
    first_line[value] = line
    return []


def check_known(line: int, field: str, value: str, known: set[str], unknown: str) -> list[Problem]:
    """A required reference to a stored row: present and in `known`; `unknown` says where to find or
    add one, e.g. `unknown unit 'x' (import it with …)` is `unknown` formatted with the value."""
    if not value:
        return [Problem(line, field, "required value is missing")]
    if value not in known:
        return [Problem(line, field, unknown.format(value=repr(value)))]
    return []


def parse_rows(
    rows: Sequence[CsvRow],
    parse_one: Callable[[int, Mapping[str, str], dict[str, int]], tuple[T | None, list[Problem]]],
    *,
    source: str,
) -> list[T]:
    """Every row through `parse_one(line, values, first_line_of_id)`; RowsInvalid lists every problem
    of every row, so nothing is returned unless the whole file is valid."""
    problems: list[Problem] = []
    records: list[T] = []
    first_line: dict[str, int] = {}
    for row in rows:
        record, row_problems = parse_one(row.line, row.values, first_line)
        problems += row_problems
        if record is not None:
            records.append(record)
    if problems:
        raise RowsInvalid(source, problems)
    return records


def safe_cell(value: object) -> str:
    """A cell as text that spreadsheets will not run as a formula (studykb.csvsafe's rule)."""
    return csvsafe.neutralise("" if value is None else str(value))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with `header` first; every cell neutralised by studykb.csvsafe (import restores it)."""
    return csvsafe.write_csv(header, [["" if cell is None else str(cell) for cell in row] for row in rows])
