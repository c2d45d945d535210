"""`FIELD=VALUE` filter items (the CLI's --filter, the API's filter parameter) turned into Filters."""

from __future__ import annotations

import datetime as dt

from studykb.errors import ConfigError

from .query import Filters

__all__ = ["FILTER_FIELDS", "parse_filters"]

FILTER_FIELDS = ("category", "document", "tag", "from", "to")


def parse_filters(items: tuple[str, ...] | list[str]) -> Filters:
    """Turn ["category=讲话", "from=2023-01-01", …] into Filters; errors name the bad item.

    Raises ConfigError for a malformed item, FilterError for filters that can match nothing.
    """
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
