"""The format of one index version folder: its file names, and its manifest written, read and verified.

The only module that spells the folder's file names. A version folder holds the passage ids
(`CHUNK_IDS_FILE`), the dense index (`DENSE_FILE`), the BM25 folder (`LEXICAL_DIR`), the per-document
vectors (search/doc_vectors.py) and `MANIFEST`, which lists every other file with its sha256 and
byte size, the build's settings (model, dim, chunking, …) and a seal over itself. `write_manifest`
writes it, `read_manifest` reads it into a frozen `Manifest`, and `check_version` — the one check used
by search, status, ingest and backup — returns a `Verdict`:

- always: the manifest parses and checks itself, every listed file exists with its recorded size —
  a few `stat` calls, so a truncated or missing file is caught on every open;
- `checksums=True`: every file's sha256 as well (about 1.7 GB/s here: ~0.1 s at 100k passages);
- `checksums=None` (the default when opening): the sha256 pass runs once for each state of the
  files (name, size, mtime, inode of each); a passing verdict is remembered in the process and in
  `data/verified.json` (skipped on read-only storage), so bytes overwritten in place (same size,
  new mtime) are caught by the next open after the change while a CLI search or a no-op ingest
  does not hash the index again (~0.14 s at 100k passages with the files cached, 0.31 s cold:
  bench/integrity.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from studykb.digest import file_sha256, files_digest
from studykb.errors import IndexCorruptError, IndexMissingError
from studykb.layout import DataDir

__all__ = ["CHUNK_IDS_FILE", "DENSE_FILE", "LEXICAL_DIR", "MANIFEST", "Manifest", "Verdict", "check_version",
           "files_checksum", "fingerprint", "manifest_seal", "read_manifest", "write_manifest"]

MANIFEST = "manifest.json"
#: The passage id of each row of the dense and BM25 indexes (int64, sorted).
CHUNK_IDS_FILE = "chunk_ids.npy"
DENSE_FILE = "faiss.index"
LEXICAL_DIR = "bm25"
#: The version of the folder format written by `write_manifest`.
FORMAT_VERSION = 1
#: The manifest's own checksum (of its other keys, canonically serialised): catches a garbled value.
SEAL_KEY = "seal"
_SHA256 = re.compile(r"[0-9a-f]{64}")

VERIFIED = "verified.json"  # in the data dir: {version: fingerprint of its files when they verified}

_verified: dict[tuple[str, str], tuple[tuple[Any, ...], ...]] = {}  # (folder, name) -> fingerprint
_verified_lock = threading.Lock()


@dataclass(frozen=True)
class Manifest(Mapping[str, Any]):
    """A version's manifest, read-only: the build's settings (`model`, `dim`, `index_type`,
    `n_chunks`, `n_documents`, `chunking`, `created_at`, …), its `files` with their sha256 and the
    `checksum` over them. Read as a mapping (`manifest.get("model_reason", "")`) or through the
    typed properties below."""

    fields: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __repr__(self) -> str:
        get = self.fields.get
        return f"Manifest({get('name')!r}, model={get('model')!r}, n_chunks={get('n_chunks')})"

    @property
    def model(self) -> str:
        """The embedding model the vectors were made with."""
        return str(self.fields["model"])

    @property
    def dim(self) -> int:
        """Dimensions of the vectors."""
        return int(self.fields["dim"])

    @property
    def index_type(self) -> str:
        """The FAISS index type (`flat`, `hnsw`)."""
        return str(self.fields["index_type"])

    @property
    def checksum(self) -> str:
        """The digest of the file table (also recorded in the database's index_versions row)."""
        return str(self.fields["checksum"])

    @property
    def chunking(self) -> dict[str, Any]:
        """The chunking settings the passages were cut with ({} for versions written before them)."""
        chunking = self.fields.get("chunking")
        return dict(chunking) if isinstance(chunking, dict) else {}


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one version: `problems` is empty when it is intact."""

    version: str
    problems: tuple[str, ...]
    checksums: bool  # whether file contents were checked (not only sizes)
    manifest: Manifest = field(default_factory=Manifest, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def error(self, data: DataDir, corpus: str | None = None) -> IndexCorruptError:
        """The one-line error naming the damage and the command that rebuilds the version."""
        return IndexCorruptError(
            f"index version {self.version} in {data.root} is damaged ({'; '.join(self.problems)}): "
            f"{rebuild_advice(data, corpus)}",
            version=self.version,
            problems=self.problems,
        )


def rebuild_advice(data: DataDir, corpus: str | None = None) -> str:
    """'run `studykb ingest CORPUS --data-dir DATA` to rebuild it' (CORPUS when known)."""
    return f"run `studykb ingest {corpus or 'CORPUS'} --data-dir {data.root}` to rebuild it"


def manifest_seal(manifest: dict[str, Any]) -> str:
    """The checksum of a manifest's keys other than the seal itself."""
    body = {k: v for k, v in manifest.items() if k != SEAL_KEY}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def files_checksum(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` except the manifest, keyed by relative path."""
    return {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def write_manifest(folder: Path, info: Mapping[str, Any]) -> Manifest:
    """Write the manifest of the version being built in `folder`: `info` (name, model, dim, …), the
    format version, every file's sha256 and size, their digest and the seal; return it."""
    files = files_checksum(folder)
    manifest = {
        "format": FORMAT_VERSION,
        **info,
        "files": files,
        "sizes": {rel: (folder / rel).stat().st_size for rel in files},
        "checksum": files_digest(files),
    }
    manifest[SEAL_KEY] = manifest_seal(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Manifest(manifest)


def read_manifest(data: DataDir, name: str, *, checked: bool = True) -> Manifest:
    """Version `name`'s manifest, checked against its own seal and file table (not the files);
    `checked=False` takes it as written (to salvage the settings of a damaged version).

    Raises IndexMissingError when the version has no folder, IndexCorruptError when its manifest
    is unreadable or (checked) garbled.
    """
    folder = data.version_path(name)
    if not folder.is_dir():
        raise IndexMissingError(f"index version {name} has no folder in {data.versions}")
    manifest, problems = (_read_manifest if checked else _parse_manifest)(folder)
    if manifest is None:
        raise IndexCorruptError(f"index version {name} in {data.root} is damaged ({'; '.join(problems)}): "
                                f"{rebuild_advice(data)}", version=name, problems=tuple(problems))
    return Manifest(manifest)


def fingerprint(folder: Path) -> tuple[tuple[Any, ...], ...]:
    """(relative path, size, mtime_ns, inode) of every file under `folder`: changes when any file does."""
    out = []
    for p in sorted(folder.rglob("*")):
        try:
            st = p.stat()
        except FileNotFoundError:  # removed meanwhile: the state differs from any remembered one
            continue
        if p.is_file():
            out.append((p.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def _parse_manifest(folder: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The manifest's JSON object as written, unchecked (None and the problem when there is none)."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None, [f"{MANIFEST} is missing" if folder.is_dir() else "its folder is missing"]
    except (UnicodeDecodeError, ValueError):
        return None, [f"{MANIFEST} is not valid JSON"]
    except OSError as exc:
        return None, [f"{MANIFEST} cannot be read ({exc.strerror})"]
    if not isinstance(manifest, dict):
        return None, [f"{MANIFEST} has no table of files"]
    return manifest, []


def _read_manifest(folder: Path) -> tuple[dict[str, Any] | None, list[str]]:
    manifest, problems = _parse_manifest(folder)
    if manifest is None:
        return None, problems
    if not isinstance(manifest.get("files"), dict):
        return None, [f"{MANIFEST} has no table of files"]
    files = manifest["files"]
    if not files or not all(isinstance(k, str) and isinstance(v, str) and _SHA256.fullmatch(v)
                            for k, v in files.items()):
        return None, [f"{MANIFEST}: its table of files is garbled"]
    if SEAL_KEY in manifest and manifest[SEAL_KEY] != manifest_seal(manifest):
        return None, [f"{MANIFEST} does not match its own checksum"]
    if files_digest(files) != manifest.get("checksum"):
        return None, [f"{MANIFEST}: checksum of the file table does not verify"]
    return manifest, []


def _safe(folder: Path, rel: str) -> Path | None:
    """`folder/rel` if it stays inside `folder` (a manifest never points elsewhere)."""
    path = folder / rel
    return path if ".." not in Path(rel).parts and not Path(rel).is_absolute() else None


def check_version(data: DataDir, name: str, *, checksums: bool | None = None) -> Verdict:
    """Check version `name`'s files against its manifest (see the module docstring for `checksums`)."""
    folder = data.version_path(name)
    manifest, problems = _read_manifest(folder)
    if manifest is None:
        return Verdict(name, tuple(problems), False)
    sizes: dict[str, Any] = manifest.get("sizes") or {}
    files: dict[str, str] = manifest["files"]
    for rel in sorted(files):
        path = _safe(folder, rel)
        try:
            size = path.stat().st_size if path is not None and path.is_file() else None
        except OSError:
            size = None
        if size is None:
            problems.append(f"{rel}: missing")
        elif rel in sizes and size != sizes[rel]:
            problems.append(f"{rel}: size {size} bytes, expected {sizes[rel]}")
    if problems:
        return Verdict(name, tuple(problems), False, Manifest(manifest))
    key = (str(data.versions.resolve()), name)
    if checksums is None:
        with _verified_lock:
            known = _verified.get(key)
        state = fingerprint(folder)
        if known == state or _remembered(data).get(name) == _jsonable(state):
            with _verified_lock:
                _verified[key] = state
            return Verdict(name, (), True, Manifest(manifest))
        checksums = True
    if not checksums:
        return Verdict(name, (), False, Manifest(manifest))
    before = fingerprint(folder)
    for rel, expected in sorted(files.items()):
        try:
            if file_sha256(folder / rel) != expected:
                problems.append(f"{rel}: contents do not match the checksum")
        except OSError as exc:
            problems.append(f"{rel}: cannot be read ({exc.strerror})")
    with _verified_lock:
        if problems:
            _verified.pop(key, None)
        else:
            _verified[key] = before
    if not problems:
        _remember(data, name, before)
    return Verdict(name, tuple(problems), True, Manifest(manifest))


def _jsonable(state: tuple[tuple[Any, ...], ...]) -> list[list[Any]]:
    return [list(entry) for entry in state]


def _remembered(data: DataDir) -> dict[str, Any]:
    """The verdicts kept in `data/verified.json` ({} when absent or unreadable)."""
    try:
        known = json.loads((data.root / VERIFIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _remember(data: DataDir, name: str, state: tuple[tuple[Any, ...], ...]) -> None:
    """Record that version `name` verified in this state (best effort: read-only storage skips it)."""
    known = {k: v for k, v in _remembered(data).items() if data.version_path(k).is_dir()}
    known[name] = _jsonable(state)
    tmp = data.root / f".{VERIFIED}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        tmp.write_text(json.dumps(known), encoding="utf-8")
        os.replace(tmp, data.root / VERIFIED)
    except OSError:  # read-only or full storage: the verdict is kept in this process only
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
