"""Whether an index version's files are intact: the one check used by search, status, ingest and backup.

A version folder holds `manifest.json` and the files it lists with their sha256 (and, since sizes
were added, their byte sizes). `check_version` returns a `Verdict`:

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studykb.digest import file_sha256, files_digest
from studykb.errors import IndexCorruptError
from studykb.layout import DataDir

__all__ = ["MANIFEST", "Verdict", "check_version", "fingerprint", "manifest_seal"]

MANIFEST = "manifest.json"
#: The manifest's own checksum (of its other keys, canonically serialised): catches a garbled value.
SEAL_KEY = "seal"
_SHA256 = re.compile(r"[0-9a-f]{64}")

VERIFIED = "verified.json"  # in the data dir: {version: fingerprint of its files when they verified}

_verified: dict[tuple[str, str], tuple[tuple[Any, ...], ...]] = {}  # (folder, name) -> fingerprint
_verified_lock = threading.Lock()


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one version: `problems` is empty when it is intact."""

    version: str
    problems: tuple[str, ...]
    checksums: bool  # whether file contents were checked (not only sizes)
    manifest: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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


def _read_manifest(folder: Path) -> tuple[dict[str, Any] | None, list[str]]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None, [f"{MANIFEST} is missing" if folder.is_dir() else "its folder is missing"]
    except (UnicodeDecodeError, ValueError):
        return None, [f"{MANIFEST} is not valid JSON"]
    except OSError as exc:
        return None, [f"{MANIFEST} cannot be read ({exc.strerror})"]
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
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
        return Verdict(name, tuple(problems), False, manifest)
    key = (str(data.versions.resolve()), name)
    if checksums is None:
        with _verified_lock:
            known = _verified.get(key)
        state = fingerprint(folder)
        if known == state or _remembered(data).get(name) == _jsonable(state):
            with _verified_lock:
                _verified[key] = state
            return Verdict(name, (), True, manifest)
        checksums = True
    if not checksums:
        return Verdict(name, (), False, manifest)
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
    return Verdict(name, tuple(problems), True, manifest)


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
