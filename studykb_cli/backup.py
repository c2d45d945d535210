"""Backing up and restoring a data dir: the database (SQLite online backup, consistent while the app
runs) and the published index version, as one tar archive verified on restore.

Only an index version that verifies is backed up; a damaged one is left out (and said so) while the
database — users, reading lists, sites, progress — is always saved. On restore a damaged index part
is dropped and the database restored alone (`studykb ingest` rebuilds the index from it). A restore
never replaces a data dir that an ingest or a running `studykb serve` holds.

With PostgreSQL (`$STUDYKB_DATABASE_URL`) the rows live in that server and are backed up with
`pg_dump` (docs/deploy.md); the archive then holds the published index version and the settings.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from studykb.db import DB_NAME, connect
from studykb.errors import IndexCorruptError, LockedError, StudyKBError
from studykb.layout import VERSION_NAME, DataDir
from studykb.lock import IngestLock, no_server
from studykb.pg import database_url

__all__ = ["backup", "restore"]

FORMAT = "studykb-backup/1"


def backup(data_dir: Path, archive: Path) -> dict[str, Any]:
    """Write `archive` (.tar) holding a consistent copy of the database and the published version.

    Holds the ingest lock meanwhile, so no ingest publishes or retires a version mid-copy; the app
    may keep serving and writing (SQLite's backup API copies a consistent snapshot). The published
    version is verified first (checksums, counts): if it fails, the archive holds the database alone
    and `info["index_problems"]` says why (`info["version"]` is then None).
    """
    from search.snapshot import verify_version

    data = DataDir(data_dir)
    on_postgres = database_url() is not None
    if not data.has_database():
        raise StudyKBError(f"nothing to back up: {data.db_path} does not exist")
    with IngestLock(data.lock_path, reader=True), tempfile.TemporaryDirectory() as tmp:
        db_copy = Path(tmp) / DB_NAME
        src = connect(data.db_path, migrate=False)
        if not on_postgres:  # on PostgreSQL the rows are pg_dump's to back up
            dst = sqlite3.connect(db_copy)
            with dst:
                src.backup(dst)
            dst.close()
        problems: list[str] = []
        try:
            version = data.current()
        except IndexCorruptError as exc:
            version, problems = None, [str(exc)]
        if version:
            problems = verify_version(data, src, version)
        src.close()
        info: dict[str, Any] = {
            "format": FORMAT,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "version": None if problems else version,
            "database": "postgresql: not in this archive (pg_dump)" if on_postgres else "sqlite",
        }
        if problems:
            info["index_problems"] = problems
            info["left_out"] = version
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, "backup.json", json.dumps(info).encode())
            if not on_postgres:
                tar.add(db_copy, arcname=DB_NAME)
            if info["version"]:
                tar.add(data.version_path(version or ""), arcname=f"versions/{version}")
            for name in ("studykb.toml",):
                if (data.root / name).is_file():
                    tar.add(data.root / name, arcname=name)
        os.replace(partial, archive)
    return info


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Unpack and check `archive` in `staging`; return its backup.json (with `index_problems` if any)."""
    from search.snapshot import verify_version

    with tarfile.open(archive, "r") as tar:
        tar.extractall(staging, filter="data")  # refuses absolute paths, .. and links outside
    info = json.loads((staging / "backup.json").read_text(encoding="utf-8"))
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        found = info.get("format") if isinstance(info, dict) else type(info).__name__
        raise StudyKBError(f"{archive} is not a studykb backup (backup.json: format {found!r})")
    (staging / "backup.json").unlink()
    staged = DataDir(staging)
    on_postgres = database_url() is not None  # the rows are in PostgreSQL (pg_restore), not the archive
    if on_postgres and staged.db_path.is_file():
        raise StudyKBError(
            f"{archive} holds a SQLite database but $STUDYKB_DATABASE_URL is set: restore it without "
            "the URL, then move it with `studykb db copy`"
        )
    if not on_postgres and not staged.db_path.is_file():
        raise StudyKBError(f"{archive} holds no database ({DB_NAME}): not a studykb backup")
    version = info.get("version")
    if version is not None and not (isinstance(version, str) and VERSION_NAME.fullmatch(version)):
        raise StudyKBError(f"{archive}: backup.json names no valid index version ({version!r})")
    try:
        if not on_postgres:
            conn = sqlite3.connect(staged.db_path)
            checked = conn.execute("PRAGMA quick_check").fetchone()[0]
            conn.close()
            if checked != "ok":
                raise sqlite3.DatabaseError(checked)
        conn = connect(staged.db_path)  # applies newer migrations to an older backup
    except sqlite3.DatabaseError as exc:
        raise StudyKBError(
            f"{archive}: its database is damaged ({exc}); nothing was restored — use another backup"
        ) from None
    try:
        if version:
            staged.publish(version)
            problems = verify_version(staged, conn, version)
            if problems:  # keep the database (users, lists, sites); ingest rebuilds the index
                staged.pointer.unlink()
                shutil.rmtree(staged.versions, ignore_errors=True)
                info.update(version=None, index_problems=problems, left_out=version)
    except IndexCorruptError as exc:
        staged.pointer.unlink(missing_ok=True)
        shutil.rmtree(staged.versions, ignore_errors=True)
        info.update(version=None, index_problems=[str(exc)], left_out=version)
    finally:
        conn.close()
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(payload)
    member.mtime = int(time.time())
    tar.addfile(member, io.BytesIO(payload))


def restore(archive: Path, data_dir: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore `archive` into `data_dir` after verifying it; the old contents are kept aside.

    Refuses a non-empty data dir unless `force`; refuses while an ingest or a server holds it. The
    archive is unpacked and checked (database integrity, `verify_version`) in a temporary folder
    first, so a bad archive changes nothing — except that a damaged index part is dropped and the
    database restored alone (`info["index_problems"]` says why; `info["version"]` is then None).
    """
    data = DataDir(data_dir)
    if data.root.exists() and any(data.root.iterdir()) and not force:
        raise StudyKBError(f"{data.root} is not empty: pass --force to replace its contents")
    if data.root.is_dir():
        with no_server(data.root):  # refuse before unpacking anything
            pass
    data.root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data.root.parent))
    try:
        info = _unpack(archive, staging)
        if data.root.exists():
            with IngestLock(data.lock_path), no_server(data.root):
                aside = data.root.with_name(data.root.name + f".before-restore-{int(time.time())}")
                os.rename(data.root, aside)
                info["previous_contents"] = str(aside)
        os.rename(staging, data.root)
        for lock in ("ingest.lock", "serve.lock"):
            (data.root / lock).unlink(missing_ok=True)
        return info
    except (tarfile.TarError, KeyError, json.JSONDecodeError, UnicodeDecodeError, FileNotFoundError) as exc:
        raise StudyKBError(f"{archive}: not a readable studykb backup ({exc})") from exc
    except LockedError:
        raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
