"""The search command's `--queries-file` batch: one JSON line per query."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from studykb.errors import StudyKBError

if TYPE_CHECKING:  # search.query brings the text tools (~13 ms): `studykb ingest` does not need them
    from search.engine import Engine
    from search.query import Filters

__all__ = ["EXIT_FAILED_QUERIES", "run_batch"]

#: Exit status of a `--queries-file` batch in which some lines failed (the others were answered).
EXIT_FAILED_QUERIES = 3


def run_batch(engine: Engine, lines: Iterable[bytes], *, k: int, filters: Filters) -> int:
    """Answer each line of a queries file with one JSON line on stdout; return how many failed.

    A line that is not UTF-8, or whose query fails, gets a JSON error line with its line number
    (`{"line": 2, "error": …, "error_kind": …, "hits": []}`) and a message on stderr; the others are
    answered all the same. Each answer is written as soon as it is ready.
    """
    failed = 0
    for number, raw in enumerate(lines, start=1):
        out: dict[str, Any]
        try:
            text = raw.rstrip(b"\r\n").decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            error = f"line {number} is not valid UTF-8 ({exc.reason} at byte {exc.start + 1})"
            out = {"line": number, "error": error, "error_kind": "encoding", "hits": []}
        else:
            try:
                out = {"line": number, **engine.search(text, k=k, filters=filters).to_json()}
            except StudyKBError as exc:
                error = str(exc)
                out = {"line": number, "query": text, "error": error, "error_kind": type(exc).__name__,
                       "hits": []}
        if "error" in out:
            failed += 1
            click.echo(f"queries file line {number}: {out['error']}", err=True)
        click.echo(json.dumps(out, ensure_ascii=False))
    return failed
