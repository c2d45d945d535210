"""The search command's glue: `--filter FIELD=VALUE` options into Filters, and the `--queries-file` batch."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from search.query import Filters

from .errors import ConfigError, StudyKBError

if TYPE_CHECKING:
    from search.engine import Engine

__all__ = ["EXIT_FAILED_QUERIES", "FILTER_FIELDS", "parse_filters", "run_batch"]

FILTER_FIELDS = ("category", "document", "tag", "from", "to")
#: Exit status of a `--queries-file` batch in which some lines failed (the others were answered).
EXIT_FAILED_QUERIES = 3


def parse_filters(items: tuple[str, ...] | list[str]) -> Filters:
    """Turn ["category=讲话", "from=2023-01-01", …] into Filters; errors name the bad item.

    Raises ConfigError for a malformed item, FilterError for filters that can match nothing.
    """
    import datetime as dt

    cats: list[str] = []
    docs: list[str] = []
    tags: list[str] = []
    dates: dict[str, str] = {}
    for item in items:
        field, sep, value = item.partition("=")
        field, value = field.strip(), value.strip()
        if not sep or not value:
            raise ConfigError(f"--filter {item!r}: expected FIELD=VALUE")
        if field == "category":
            cats.append(value)
        elif field == "document":
            docs.append(value)
        elif field == "tag":
            tags.append(value)
        elif field in ("from", "to"):
            try:
                dates[field] = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                raise ConfigError(f"--filter {item!r}: the date must look like 2023-04-10") from None
        else:
            raise ConfigError(
                f"--filter {item!r}: unknown field '{field}' (valid: {', '.join(FILTER_FIELDS)})"
            )
    filters = Filters(tuple(cats), tuple(docs), dates.get("from"), dates.get("to"), tuple(tags))
    filters.check()  # an unknown category or a reversed range: an error, not 0 hits
    return filters


def run_batch(engine: Engine, lines: Iterable[bytes], *, k: int, filters: Filters) -> int:
    """Answer each line of a queries file with one JSON line on stdout; return how many failed.

    A line that is not UTF-8, or whose query fails, gets a JSON error line with its line number
    (`{"line": 2, "error": …, "error_kind": …, "hits": []}`) and a message on stderr; the others are
    answered all the same. Each answer is written as soon as it is ready.
    """
    import click

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
