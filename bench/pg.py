"""PostgreSQL against SQLite: hybrid query latency with the rows from each, and reading-list writes.

1. **Queries.** The synthetic corpus of bench/synth.py (default 100,000 passages) is built in SQLite,
   moved into a fresh PostgreSQL database with `studykb db copy`, and served twice by
   `search.engine.Engine` over the same index files: once reading hits, snippets, filters and
   duplicate collapse from SQLite, once from PostgreSQL (over TCP on 127.0.0.1). Same queries, after
   the same warm-up, each query asked of both engines in turn (alternating which goes first), so the
   load of other jobs falls on both alike; p50/p95 wall and CPU. Goal: PostgreSQL p95 ≤ 1.3 × SQLite.
2. **Reading-list writes.** 8 writer threads, each with its own connection (as app sessions have),
   each appending items to its own list with the revision it just read (`lists.store.add_item`), for
   a fixed number of edits; operations per second on each engine.

The server is a temporary cluster of Debian's PostgreSQL binaries (tests/pg_server.py), fsync on
(as in production). Usage: python bench/pg.py [--size 100000] [--queries 200] [--edits 40] [--json f]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import emit, percentile, timed_cpu

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WRITERS = 8
GOAL_RATIO = 1.3


def _query_figures(sqlite_dir: Path, pg_dir: Path, url: str,
                   queries: list[str]) -> dict[str, dict[str, float]]:
    """p50/p95 wall and CPU per engine. The two engines answer the same query one after the other
    (in alternating order), so load from other jobs on a shared machine hits both alike."""
    from search.engine import Engine
    from studykb.pg import DATABASE_URL_ENV

    def on(engine: str) -> None:  # every connection an engine opens (per thread) follows the variable
        if engine == "postgres":
            os.environ[DATABASE_URL_ENV] = url
        else:
            os.environ.pop(DATABASE_URL_ENV, None)

    engines = {}
    for name, folder in (("sqlite", sqlite_dir), ("postgres", pg_dir)):
        on(name)
        engines[name] = Engine.open(folder)
        for q in ("学习贯彻", "推进基层治理", "预热查询", *queries[:20]):
            engines[name].search(q, k=10)
    wall: dict[str, list[float]] = {"sqlite": [], "postgres": []}
    cpu: dict[str, list[float]] = {"sqlite": [], "postgres": []}
    for i, q in enumerate(queries):
        for name in (("sqlite", "postgres") if i % 2 == 0 else ("postgres", "sqlite")):
            on(name)
            _, w, c = timed_cpu(lambda q=q, name=name: engines[name].search(q, k=10))
            wall[name].append(w)
            cpu[name].append(c)
    os.environ.pop(DATABASE_URL_ENV, None)
    return {name: {
        "p50_ms": percentile(wall[name], 50) * 1000, "p95_ms": percentile(wall[name], 95) * 1000,
        "cpu_p50_ms": percentile(cpu[name], 50) * 1000, "cpu_p95_ms": percentile(cpu[name], 95) * 1000,
    } for name in wall}


def _list_ops_per_s(target: Path | str, edits: int) -> float:
    from lists import store
    from lists.records import Anchor, passage_hash
    from studykb import auth
    from studykb.db import connect

    conn = connect(target)
    users = [auth.add_user(conn, f"bench{i}", None, "organiser") for i in range(WRITERS)]
    own = [store.create_list(conn, u, f"清单{i}").id for i, u in enumerate(users)]
    conn.close()
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS + 1)

    def writer(user: auth.User, list_id: int) -> None:
        c = connect(target)
        barrier.wait()
        try:
            for n in range(edits):
                text = f"第{n}段：把学习成果转化为推动工作的实际成效。"
                anchor = Anchor(kind="passage", doc_path="guide.md", doc_title="学习辅导",
                                text_hash=passage_hash(text), text=text, start=n, end=n + len(text))
                rev = store.get_list(c, user, list_id).revision
                store.add_item(c, user, list_id, anchor, revision=rev)
        except BaseException as exc:
            errors.append(exc)
        finally:
            c.close()

    threads = [threading.Thread(target=writer, args=(u, i)) for u, i in zip(users, own, strict=True)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return WRITERS * edits / elapsed


def _database_mb(sqlite_file: Path, url: str) -> dict[str, float]:
    """The rows' size in each engine (MB): the SQLite file, and the PostgreSQL database after VACUUM."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        pg_bytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"sqlite_db_mb": sqlite_file.stat().st_size / 1e6, "postgres_db_mb": pg_bytes / 1e6}


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--edits", type=int, default=40, help="edits per writer")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from latency import data_dir_for
    from synth import build_version, query_texts

    from studykb.db_copy import copy_to_postgres
    from studykb.pg import DATABASE_URL_ENV
    from tests.pg_server import PgServer, bin_dir

    found = bin_dir()
    if found is None:
        sys.exit("PostgreSQL server binaries not installed (apt-get install postgresql)")
    os.environ.pop(DATABASE_URL_ENV, None)
    sqlite_dir = data_dir_for(args.size)
    build_version(sqlite_dir, args.size, args.seed)
    queries = [q for _, q in query_texts(args.queries, args.seed)]
    server = PgServer.start_new(found, fsync=True)
    try:
        url = server.new_database()
        t0 = time.perf_counter()
        copy_to_postgres(sqlite_dir / "studykb.db", url)
        copy_s = time.perf_counter() - t0
        sizes = _database_mb(sqlite_dir / "studykb.db", url)
        with tempfile.TemporaryDirectory() as tmp:
            pg_dir = Path(tmp) / "replica"
            (pg_dir / "versions").mkdir(parents=True)
            name = (sqlite_dir / "CURRENT").read_text(encoding="utf-8").strip()
            # A replica's own copy of the version (hard links where they can be made); a symlink out of
            # versions/ would be refused as a damaged pointer.
            shutil.copytree(sqlite_dir / "versions" / name, pg_dir / "versions" / name, copy_function=_link)
            (pg_dir / "CURRENT").write_text(name + "\n", encoding="utf-8")

            both = _query_figures(sqlite_dir, pg_dir, url, queries)
            sqlite_q, pg_q = both["sqlite"], both["postgres"]

            sqlite_ops = _list_ops_per_s(Path(tmp) / "lists.db", args.edits)
            pg_ops = _list_ops_per_s(server.new_database(), args.edits)
    finally:
        server.destroy()

    figures: dict[str, Any] = {"passages": args.size, "queries": len(queries), "db_copy_s": copy_s}
    figures |= sizes
    figures |= {f"sqlite_{k}": v for k, v in sqlite_q.items()}
    figures |= {f"postgres_{k}": v for k, v in pg_q.items()}
    figures["p95_ratio"] = pg_q["p95_ms"] / sqlite_q["p95_ms"]
    figures["cpu_p95_ratio"] = pg_q["cpu_p95_ms"] / sqlite_q["cpu_p95_ms"]
    figures["goal_ratio"] = GOAL_RATIO
    figures["meets_goal"] = figures["p95_ratio"] <= GOAL_RATIO
    figures["list_writers"] = WRITERS
    figures["sqlite_list_ops_per_s"] = sqlite_ops
    figures["postgres_list_ops_per_s"] = pg_ops
    emit(f"PostgreSQL vs SQLite at {args.size:,} passages", figures, args.json)


if __name__ == "__main__":
    main()
