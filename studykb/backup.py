"""Backing up and restoring a data dir: the database (SQLite online backup, consistent while the app
runs) and the published index version, as one tar archive verified on restore.

With PostgreSQL (`$STUDYKB_DATABASE_URL`) the rows live in that server and are backed up with
`pg_dump` (docs/deploy.md); the archive then holds the published index version and the settings,
and restore checks those files against the database's rows before putting them in place.
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

from .db import DB_NAME, connect
from .errors import IndexCorruptError, LockedError, StudyKBError
from .layout import DataDir
from .lock import IngestLock
from .pg import database_url

__all__ = ["backup", "restore"]

FORMAT = "studykb-backup/1"


def backup(data_dir: Path, archive: Path) -> dict[str, Any]:
    """Write `archive` (.tar) holding a consistent copy of the database and the published version.

    Holds the ingest lock meanwhile, so no ingest publishes or retires a version mid-copy; the app
    may keep serving and writing (SQLite's backup API copies a consistent snapshot).
    """
    data = DataDir(data_dir)
    on_postgres = database_url() is not None
    if not data.has_database():
        raise StudyKBError(f"nothing to back up: {data.db_path} does not exist")
    if on_postgres and data.current() is None:
        raise StudyKBError(f"nothing to back up: no published index in {data.root} (the rows: pg_dump)")
    with IngestLock(data.lock_path), tempfile.TemporaryDirectory() as tmp:
        db_copy = Path(tmp) / DB_NAME
        if not on_postgres:
            src = connect(data.db_path, migrate=False)
            dst = sqlite3.connect(db_copy)
            with dst:
                src.backup(dst)
            dst.close()
            src.close()
        version = data.current()
        info = {
            "format": FORMAT,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "version": version,
            "database": "postgresql: not in this archive (pg_dump)" if on_postgres else "sqlite",
        }
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, "backup.json", json.dumps(info).encode())
            if not on_postgres:
                tar.add(db_copy, arcname=DB_NAME)
            if version:
                tar.add(data.version_path(version), arcname=f"versions/{version}")
                for name in ("studykb.toml",):
                    if (data.root / name).is_file():
                        tar.add(data.root / name, arcname=name)
        os.replace(partial, archive)
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(payload)
    member.mtime = int(time.time())
    tar.addfile(member, io.BytesIO(payload))


def restore(archive: Path, data_dir: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore `archive` into `data_dir` after verifying it; the old contents are kept aside.

    Refuses a non-empty data dir unless `force`; refuses while an ingest holds the lock. The
    archive is unpacked and checked (`verify_version`) in a temporary folder first, so a bad archive
    changes nothing.
    """
    from search.snapshot import verify_version

    data = DataDir(data_dir)
    if data.root.exists() and any(data.root.iterdir()) and not force:
        raise StudyKBError(f"{data.root} is not empty: pass --force to replace its contents")
    data.root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data.root.parent))
    try:
        with tarfile.open(archive, "r") as tar:
            tar.extractall(staging, filter="data")  # refuses absolute paths, .. and links outside
        info = json.loads((staging / "backup.json").read_text(encoding="utf-8"))
        if info.get("format") != FORMAT:
            raise StudyKBError(f"{archive} is not a studykb backup (format {info.get('format')!r})")
        (staging / "backup.json").unlink()
        if database_url() is not None and (staging / DB_NAME).exists():
            raise StudyKBError(
                f"{archive} holds a SQLite database but $STUDYKB_DATABASE_URL is set: restore it without "
                "the URL, then move it with `studykb db copy`"
            )
        staged = DataDir(staging)
        if info.get("version"):
            staged.publish(info["version"])
        conn = connect(staged.db_path)  # applies newer migrations to an older backup
        problems = verify_version(staged, conn, info.get("version")) if info.get("version") else []
        conn.close()
        if problems:
            raise IndexCorruptError(f"{archive} does not verify: " + "; ".join(problems))
        if data.root.exists():
            with IngestLock(data.lock_path):
                aside = data.root.with_name(data.root.name + f".before-restore-{int(time.time())}")
                os.rename(data.root, aside)
                info["previous_contents"] = str(aside)
        os.rename(staging, data.root)
        (data.root / "ingest.lock").unlink(missing_ok=True)
        return info
    except (tarfile.TarError, KeyError, json.JSONDecodeError, FileNotFoundError) as exc:
        raise StudyKBError(f"{archive}: not a readable studykb backup ({exc})") from exc
    except LockedError:
        raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
