"""The exceptions studykb raises, as one small hierarchy.

    StudyKBError
     ├── ConfigError          bad settings, catalog entries or CLI values (names the file/field)
     ├── ExtractionError      a source file could not be read (names the file and the reason)
     ├── IndexMissingError    no published index in the data dir (says which command builds one)
     ├── IndexMismatchError   the index was built with another model or schema
     ├── IndexCorruptError    an index version (or data/CURRENT) failed its checks; names the rebuild
     ├── LockedError          another ingest holds the data dir, or a server serves it (restore)
     ├── StorageError         the data dir cannot be written (read-only, full disk, not a folder)
     ├── QueryError           an empty or malformed query
     ├── PermissionDenied     the user's role does not allow this write
     ├── ConflictError        a concurrent edit changed the record first
     └── ValidationError      an imported record is invalid (names line/field/reason)

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
    "PermissionDenied",
    "QueryError",
    "StorageError",
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
    """An index version does not pass its consistency checks.

    `version` names it (None when data/CURRENT itself is unusable), `problems` lists what failed.
    """

    def __init__(self, message: str, *, version: str | None = None, problems: tuple[str, ...] = ()) -> None:
        self.version = version
        self.problems = problems
        super().__init__(message)


class LockedError(StudyKBError):
    """Another process holds the ingest lock of the data dir."""


class StorageError(StudyKBError):
    """The data dir cannot be written: read-only storage, a full disk, or a path that is not a folder."""


class QueryError(StudyKBError):
    """The query is empty or cannot be parsed."""


class PermissionDenied(StudyKBError):
    """The acting user lacks the role needed for a write."""


class ConflictError(StudyKBError):
    """Someone else changed the record since it was read."""


class ValidationError(StudyKBError):
    """An imported record is invalid; the message names line, field and reason."""
