"""The exceptions studykb raises, as one small hierarchy.

    StudyKBError
     ├── ConfigError          bad settings, catalog entries or CLI values (names the file/field)
     ├── ExtractionError      a source file could not be read (names the file and the reason)
     ├── IndexMissingError    no published index in the data dir (says which command builds one)
     ├── IndexMismatchError   the index was built with another model or schema
     ├── IndexCorruptError    an index version failed its consistency checks
     ├── LockedError          another ingest holds the data dir
     ├── QueryError           an empty or malformed query
     ├── PermissionDenied     the user's role does not allow this write
     ├── ConflictError        a concurrent edit changed the record first
     └── ValidationError      an imported record is invalid (names line/field/reason)
          └── NotFoundError   the record asked for does not exist (any more)

Every message says what was wrong and, where there is one, what to do about it.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConflictError",
    "ExtractionError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "LockedError",
    "NotFoundError",
    "PermissionDenied",
    "QueryError",
    "StudyKBError",
    "ValidationError",
]


class StudyKBError(Exception):
    """Base class of every error studykb raises on purpose."""


class ConfigError(StudyKBError):
    """Invalid configuration, catalog metadata or option value."""


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
    """An index version does not pass its consistency checks."""


class LockedError(StudyKBError):
    """Another process holds the ingest lock of the data dir."""


class QueryError(StudyKBError):
    """The query is empty or cannot be parsed."""


class PermissionDenied(StudyKBError):
    """The acting user lacks the role needed for a write."""


class ConflictError(StudyKBError):
    """Someone else changed the record since it was read."""


class ValidationError(StudyKBError):
    """An imported record is invalid; the message names line, field and reason."""


class NotFoundError(ValidationError):
    """The record asked for (a reading list, an item, a site) does not exist, or no longer does."""
