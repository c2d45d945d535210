"""The exceptions studykb raises, as one small hierarchy.

    StudyKBError
     ├── ConfigError          bad settings, catalog entries or CLI values (names the file/field)
     │    ├── CorpusRootError  paths outside the indexed corpus would remove its documents (--prune)
     │    └── WeakPasswordError  a new password is common or trivially guessable (says why)
     ├── ExtractionError      a source file could not be read (names the file and the reason)
     ├── IndexMissingError    no published index in the data dir (says which command builds one)
     ├── IndexMismatchError   the index was built with another model or schema
     ├── IndexCorruptError    an index version (or data/CURRENT) failed its checks; names the rebuild
     ├── LockedError          another ingest holds the data dir, or a server serves it (restore)
     ├── StorageError         the data dir cannot be written (read-only, full disk, not a folder)
     ├── QueryError           an empty or malformed query
     │    └── FilterError      search filters that can match nothing
     │         ├── UnknownCategoryError   a category that no document can have
     │         └── DateRangeError         a date range whose start is after its end
     ├── OriginalUnavailableError  a document's original file is missing, changed or outside its corpus
     ├── PermissionDenied     the user's role does not allow this write
     │    ├── SessionExpired   the account changed (role, password) or was removed since login
     │    └── TooManyAttempts  too many failed logins for an account: wait, then try again
     ├── ConflictError        a concurrent edit changed the record first
     └── ValidationError      an imported record is invalid (names line/field/reason)
          └── NotFoundError   the record asked for does not exist (any more)

Every message says what was wrong and, where there is one, what to do about it.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DatabaseUnavailableError",
    "ConflictError",
    "CorpusRootError",
    "DateRangeError",
    "ExtractionError",
    "FilterError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "LockedError",
    "NotFoundError",
    "OriginalUnavailableError",
    "PermissionDenied",
    "QueryError",
    "SessionExpired",
    "StorageError",
    "StudyKBError",
    "TooManyAttempts",
    "UnknownCategoryError",
    "ValidationError",
    "WeakPasswordError",
]


class StudyKBError(Exception):
    """Base class of every error studykb raises on purpose."""


class ConfigError(StudyKBError):
    """Invalid configuration, catalog metadata or option value."""


class WeakPasswordError(ConfigError):
    """A new password is common or trivially guessable; `reasons` says why, in Chinese."""

    def __init__(self, message: str, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reasons = reasons


class CorpusRootError(ConfigError):
    """The paths to ingest lie outside the corpus the index was built from, and ingesting them would
    remove that corpus's documents: the message names the old root and the `--prune` flag."""


class ExtractionError(StudyKBError):
    """A source file could not be turned into text.

    `path` is the file, `reason` a one-line explanation for the ingest report.
    """

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexMissingError(StudyKBError):
    """The data dir holds no published index version."""


class IndexMismatchError(StudyKBError):
    """The index was built with a different model or schema than requested."""


class IndexCorruptError(StudyKBError):
    """An index version does not pass its consistency checks.

    `version` names it (None when data/CURRENT itself is unusable), `problems` lists what failed.
    """

    def __init__(self, message: str, *, version: str | None = None, problems: tuple[str, ...] = ()) -> None:
        self.version = version
        self.problems = problems
        super().__init__(message)


class DatabaseUnavailableError(StudyKBError):
    """The PostgreSQL server cannot be reached (at start, or for the statement in flight)."""


class LockedError(StudyKBError):
    """Another process holds the ingest lock of the data dir."""


class StorageError(StudyKBError):
    """The data dir cannot be written: read-only storage, a full disk, or a path that is not a folder."""


class QueryError(StudyKBError):
    """The query is empty or cannot be parsed."""


class FilterError(QueryError):
    """Search filters that can match nothing; `field` names the filter ("category", "date")."""

    field = ""


class UnknownCategoryError(FilterError):
    """A category filter names no valid category; `value` is it, `valid` the valid ones."""

    field = "category"

    def __init__(self, value: str, valid: tuple[str, ...]) -> None:
        self.value, self.valid = value, valid
        super().__init__(f"unknown category '{value}' (valid: {', '.join(valid)})")


class DateRangeError(FilterError):
    """The date range is reversed: `date_from` is after `date_to`."""

    field = "date"

    def __init__(self, date_from: str, date_to: str) -> None:
        self.date_from, self.date_to = date_from, date_to
        super().__init__(f"the date range is reversed: from={date_from} is after to={date_to}")


class OriginalUnavailableError(StudyKBError):
    """A document's original file cannot be served: it is missing, its bytes are not the ingested ones,
    or its path leads outside the corpus root. `changed` is True when the file is there but its bytes
    differ from the ingested ones (an HTTP API answers 409 then, 404 otherwise)."""

    def __init__(self, message: str, *, changed: bool = False) -> None:
        super().__init__(message)
        self.changed = changed


class PermissionDenied(StudyKBError):
    """The acting user lacks the role needed for a write."""


class SessionExpired(PermissionDenied):
    """The logged-in account was changed (role, password) or removed since this session logged in."""


class TooManyAttempts(PermissionDenied):
    """Logins to an account are paused after too many failures within the window."""


class ConflictError(StudyKBError):
    """Someone else changed the record since it was read."""


class ValidationError(StudyKBError):
    """An imported record is invalid; the message names line, field and reason."""


class NotFoundError(ValidationError):
    """The record asked for (a reading list, an item, a site) does not exist, or no longer does."""
