"""CSV cells that a spreadsheet cannot run: formula neutralising on export, its reversal on import.

A spreadsheet treats a cell starting with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)`,
`+cmd|' /C calc'!A0`, `@SUM(…)`), and some also after a leading tab or carriage return. Following
OWASP's CSV-injection advice, `neutralise` puts a single quote before such a cell, so it opens as
text. To keep our own export lossless, a cell that already starts with a quote gets one more, and
`restore` (used by every importer) removes exactly one quote when it stands before one of those
characters or another quote: `restore(neutralise(x)) == x` for every string. Files written elsewhere
read as before, except that `'=…` means the text `=…`, as it does when typed into a spreadsheet.

Every CSV writer of studykb goes through `write_csv` (which also quotes any cell holding a line break
or carriage return, so the file always reads back); every CSV reader cleans its cells with `read_cell`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_START", "neutralise", "read_cell", "restore", "write_csv"]

#: First characters that make a spreadsheet evaluate a cell (OWASP: = + - @ tab carriage-return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(cell: str) -> str:
    """`cell` made safe to open in a spreadsheet: a quote before a formula-leading (or quote-leading) cell."""
    if cell.startswith((*FORMULA_START, QUOTE)):
        return QUOTE + cell
    return cell


def restore(cell: str) -> str:
    """Undo `neutralise`: drop one quote standing before a formula character or another quote."""
    if cell.startswith(QUOTE) and cell[1:].startswith((*FORMULA_START, QUOTE)):
        return cell[1:]
    return cell


def read_cell(raw: str) -> str:
    """An imported cell: surrounding white space trimmed, then `restore`d.

    A leading tab or carriage return is kept (with what follows it): trimming it would turn a cell a
    spreadsheet shows as text, such as `\\t=1+2`, into the formula `=1+2`.
    """
    text = raw.rstrip()
    start = 0
    while start < len(text) and text[start].isspace() and text[start] not in "\t\r":
        start += 1
    return restore(text[start:])


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text (`\\n` line ends, header first) with every cell `neutralise`d.

    Cells with a line break or a carriage return are quoted (the csv module quotes a lone `\\r` only
    when it is part of the line terminator, so each row is written with `\\r\\n` and given `\\n`).
    """
    out = io.StringIO()
    row_buffer = io.StringIO()
    writer = csv.writer(row_buffer, lineterminator="\r\n")
    for row in (header, *rows):
        row_buffer.seek(0)
        row_buffer.truncate()
        writer.writerow([neutralise(cell) for cell in row])
        out.write(row_buffer.getvalue()[:-2] + "\n")
    return out.getvalue()
