"""Several app replicas over one PostgreSQL and one published index: what one writes the others see,
a newly published version is followed by every replica (never one that fails verification), and
concurrent writers on two replicas lose nothing."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from lists import store
from lists.records import Anchor, passage_hash
from search.engine import Engine
from studykb import auth
from studykb.auth import User
from studykb.db import connect
from studykb.pg import DATABASE_URL_ENV
from tests.conftest import MODEL, write_corpus
from tests.pg_server import PgServer, free_port
from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]
WRITERS_PER_REPLICA = 4
EDITS = 8


@pytest.fixture
def shared(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[str, Path]:
    """A PostgreSQL database for this test (as $STUDYKB_DATABASE_URL) and a writer that published v1."""
    url = pg_server.new_database()
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    writer = tmp_path / "writer"
    ingest([write_corpus(tmp_path / "corpus")], writer, IngestOptions(model=MODEL))
    return url, writer


def publish_to(writer: Path, replica: Path) -> None:
    """Copy the writer's published version into a replica's volume, then switch its pointer."""
    name = (writer / "CURRENT").read_text(encoding="utf-8").strip()
    (replica / "versions").mkdir(parents=True, exist_ok=True)
    if not (replica / "versions" / name).exists():
        shutil.copytree(writer / "versions" / name, replica / "versions" / name)
    shutil.copy2(writer / "CURRENT", replica / ".CURRENT.tmp")
    os.replace(replica / ".CURRENT.tmp", replica / "CURRENT")


def _healthy(url: str, proc: subprocess.Popen[bytes], body: bytes | None = None,
             seconds: float = 180) -> None:
    """Wait until `url` (a health endpoint of `proc`) answers 200, with `body` when given."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args!r} exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200 and (body is None or resp.read() == body):
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds:.0f} s")


@pytest.fixture
def two_servers(shared: tuple[str, Path], tmp_path: Path) -> Iterator[list[Path]]:
    """Two `studykb serve` processes, on their own ports and data dirs holding only index files."""
    _url, writer = shared
    replicas = [tmp_path / "replica-a", tmp_path / "replica-b"]
    procs = []
    try:
        for replica in replicas:
            publish_to(writer, replica)
            port = free_port()
            log = (replica.parent / f"{replica.name}.log").open("wb")
            proc = subprocess.Popen([sys.executable, "-m", "studykb_cli", "serve", "--data-dir", str(replica),
                                     "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            procs.append((proc, port))
        for proc, port in procs:
            _healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, b"ok")
        yield replicas
    finally:
        for proc, _port in procs:
            stop(proc)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "studykb_cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_two_replicas_see_each_others_writes_and_follow_a_new_version(
    shared: tuple[str, Path], two_servers: list[Path], tmp_path: Path
) -> None:
    url, writer = shared
    a, b = two_servers
    engines = [Engine.open(a), Engine.open(b)]
    assert [e.snapshot().name for e in engines] == ["v000001", "v000001"]
    assert not list(a.glob("*.db")) and not list(b.glob("*.db"))

    # A list written on replica A is read on replica B.
    conn_a = connect(a / "studykb.db")
    organiser = auth.add_user(conn_a, "wangfang", None, "organiser")
    made = store.create_list(conn_a, organiser, "主题党日学习清单")
    store.add_item(conn_a, organiser, made.id, _anchor(1))
    shown = cli("lists", "show", str(made.id), "--data-dir", str(b))
    assert shown.returncode == 0, shown.stderr
    assert "主题党日学习清单" in shown.stdout or "第1段" in shown.stdout

    # The writer publishes v2; both replicas' volumes receive it; both follow it without a restart.
    (tmp_path / "corpus" / "new.txt").write_text("新时代枫桥经验：矛盾不上交，就地化解。\n", encoding="utf-8")
    ingest([tmp_path / "corpus"], writer, IngestOptions(model=MODEL))
    for replica in (a, b):
        publish_to(writer, replica)
    assert [e.snapshot().name for e in engines] == ["v000002", "v000002"]
    for e in engines:
        assert any("枫桥" in h.text or "楓橋" in h.text for h in e.search("新时代枫桥经验", k=5).hits)


def test_a_version_that_fails_verification_is_not_switched_to(shared: tuple[str, Path],
                                                              tmp_path: Path) -> None:
    _url, writer = shared
    replica = tmp_path / "replica"
    publish_to(writer, replica)
    engine = Engine.open(replica)
    (tmp_path / "corpus" / "new.txt").write_text("新时代枫桥经验：矛盾不上交，就地化解。\n", encoding="utf-8")
    ingest([tmp_path / "corpus"], writer, IngestOptions(model=MODEL))
    name = (writer / "CURRENT").read_text(encoding="utf-8").strip()
    # The pointer arrives before the whole FAISS file did (a copy under way).
    shutil.copytree(writer / "versions" / name, replica / "versions" / name)
    faiss = replica / "versions" / name / "faiss.index"
    faiss.write_bytes(faiss.read_bytes()[: faiss.stat().st_size // 2])
    publish_to(writer, replica)
    assert engine.snapshot().name == "v000001"
    assert engine.search("两个确立", k=3).hits  # the old version keeps serving
    shutil.copy2(writer / "versions" / name / "faiss.index", faiss)  # the copy completes
    assert engine.snapshot().name == name


def test_a_replica_with_only_version_folders_serves_what_the_database_says_is_published(
    shared: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("studykb.layout.PUBLISHED_TTL_S", 0.0)  # ask the database on every call
    _url, writer = shared
    replica = tmp_path / "replica"
    shutil.copytree(writer / "versions", replica / "versions")  # no CURRENT file
    engine = Engine.open(replica)
    assert engine.snapshot().name == "v000001"
    assert engine.search("两个确立", k=3).hits

    (tmp_path / "corpus" / "new.txt").write_text("新时代枫桥经验：矛盾不上交，就地化解。\n", encoding="utf-8")
    ingest([tmp_path / "corpus"], writer, IngestOptions(model=MODEL))
    assert engine.snapshot().name == "v000001"  # published, but its folder is not here yet
    shutil.copytree(writer / "versions" / "v000002", replica / "versions" / "v000002")
    assert engine.snapshot().name == "v000002"
    assert any("枫桥" in h.text or "楓橋" in h.text for h in engine.search("新时代枫桥经验", k=5).hits)
    assert not (replica / "CURRENT").exists() and not list(replica.glob("*.db"))


def _anchor(n: int) -> Anchor:
    text = f"第{n}段：党员要在学懂弄通做实上下功夫，把学习成果转化为推动工作的实际成效。"
    return Anchor(kind="passage", doc_path="guide.md", doc_title="学习辅导", doc_date="2023-04-10",
                  text_hash=passage_hash(text), text=text, start=10 * n, end=10 * n + len(text), page=n,
                  heading_path=("一、学习要求",))


def _replica_process(url: str, users: list[User], own: list[int], shared_list: int) -> None:
    """One replica: four concurrent writers, each editing its own list with revision checks and
    appending to a list all of them share."""
    os.environ[DATABASE_URL_ENV] = url
    errors: list[BaseException] = []

    def writer(user: User, list_id: int) -> None:
        conn = connect("replica/studykb.db")
        try:
            for n in range(EDITS):
                rev = store.get_list(conn, user, list_id).revision
                store.add_item(conn, user, list_id, _anchor(n), note=f"第{n}条", revision=rev)
                store.add_item(conn, user, shared_list, _anchor(1000 * user.id + n))
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer, args=(u, i)) for u, i in zip(users, own, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_two_replicas_with_four_writers_each_lose_no_update(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    conn = connect(url)
    users = [auth.add_user(conn, f"org{i}", None, "organiser") for i in range(2 * WRITERS_PER_REPLICA)]
    own = [store.create_list(conn, u, f"清单{i}").id for i, u in enumerate(users)]
    shared_list = store.create_list(conn, users[0], "共同清单").id
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_replica_process,
                         args=(url, users[k::2], own[k::2], shared_list)) for k in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]  # no conflict, lock or serialisation error anywhere
    for user, list_id in zip(users, own, strict=True):
        got = store.items(conn, user, list_id)
        assert [i.note for i in got] == [f"第{n}条" for n in range(EDITS)]
        assert store.get_list(conn, user, list_id).revision == 1 + EDITS
    together = store.items(conn, users[0], shared_list)
    assert sorted(i.position for i in together) == list(range(len(users) * EDITS))
    assert len({i.anchor.text_hash for i in together}) == len(users) * EDITS
    conn.close()


def _api(replica: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`studykb api` over `replica` on a free port, once it answers /v1/health."""
    port = free_port()
    log = (replica.parent / f"{replica.name}-api.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "studykb_cli", "api", "--data-dir", str(replica),
                             "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _healthy(url + "/v1/health", proc)
    return proc, url


def test_two_api_processes_over_one_postgres_see_each_others_writes(
    shared: tuple[str, Path], tmp_path: Path
) -> None:
    import httpx

    _url, writer = shared
    replicas = [tmp_path / "api-a", tmp_path / "api-b"]
    for replica in replicas:
        publish_to(writer, replica)
    made = cli("keys", "create", "portal-org", "--role", "organiser", "--json",
               "--data-dir", str(replicas[0]))
    assert made.returncode == 0, made.stderr
    key = {"Authorization": "Bearer " + json.loads(made.stdout)["token"]}
    procs = []
    try:
        procs = [_api(replica) for replica in replicas]
        (_, a), (_, b) = procs
        title = "两个接口进程共用的清单"
        created = httpx.post(a + "/v1/lists", json={"title": title}, headers=key, timeout=30)
        assert created.status_code == 201, created.text
        list_id = created.json()["id"]
        hit = httpx.get(b + "/v1/search", params={"q": "枫桥经验", "k": 1}, timeout=30).json()["hits"][0]
        item = httpx.post(f"{b}/v1/lists/{list_id}/items", json={"passage_id": hit["passage_id"]},
                          headers=key, timeout=30)
        assert item.status_code == 201, item.text
        seen = httpx.get(f"{a}/v1/lists/{list_id}", headers=key, timeout=30)
        assert seen.status_code == 200 and seen.json()["title"] == title
        assert [i["passage_id"] for i in seen.json()["items_detail"]] == [hit["passage_id"]]
        published = httpx.post(f"{b}/v1/lists/{list_id}/publish", headers=key, timeout=30,
                               json={"revision": seen.json()["revision"]})
        assert published.status_code == 200, published.text
        assert list_id in [x["id"] for x in httpx.get(a + "/v1/lists", timeout=30).json()]
        assert not [p for r in replicas for p in r.rglob("*.db")]
    finally:
        for proc, _url in procs:
            stop(proc)
