"""A real PostgreSQL server for the tests: Debian's binaries, a temp cluster on 127.0.0.1, a free port.

`PgServer.start_new()` runs initdb (trust authentication, UTF-8) and pg_ctl in a temp dir (owned by the
`postgres` user when the tests run as root, as PostgreSQL refuses to run as root) and takes about a
second. Each test gets its own database (`new_database`), so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"),
            *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


def bin_dir() -> Path | None:
    """The folder of initdb/pg_ctl, or None when no PostgreSQL server is installed."""
    for d in BIN_DIRS:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """One running test cluster."""

    bindir: Path
    root: Path
    port: int
    fsync: bool = False  # off for tests (a crashed test cluster is thrown away); on for benchmarks
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "cluster"

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    @classmethod
    def start_new(cls, bindir: Path, *, fsync: bool = False) -> PgServer:
        root = Path(tempfile.mkdtemp(prefix="studykb-pg-"))
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
        server = cls(bindir, root, free_port(), fsync)
        server._run("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--locale=C.UTF-8")
        server.start()
        return server

    def start(self) -> None:
        opts = (f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync={'on' if self.fsync else 'off'} "
                "-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        name = f"t{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def move_to_postgres(data: Path, server: PgServer) -> str:
    """Move the rows of the data dir `data` into a new database of `server` with `studykb db copy`'s
    function, and delete its SQLite files (so nothing can read them by mistake); return the URL."""
    from studykb.db_copy import copy_to_postgres

    url = server.new_database()
    copy_to_postgres(data / "studykb.db", url)
    for leftover in data.glob("studykb.db*"):
        leftover.unlink()
    return url
