"""Concurrent writers: several threads and several processes, each with its own connection (as app
sessions and CLI runs are), edit reading lists at once; no edit may be lost, same-list edits conflict.
Every test runs on SQLite and on PostgreSQL (where the processes stand for replicas on other hosts)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from lists_samples import passage

from lists import store
from studykb import auth
from studykb.auth import User
from studykb.db import connect
from studykb.errors import ConflictError

WRITERS = 4
ITEMS_EACH = 12


def _edit_own_list(db: Path | str, user: User, list_id: int, errors: list[BaseException]) -> None:
    """Add items one by one, each time passing the revision just read (like an editor clicking)."""
    conn = connect(db)
    try:
        for n in range(ITEMS_EACH):
            rev = store.get_list(conn, user, list_id).revision
            store.add_item(conn, user, list_id, passage(n), note=f"第{n}条", revision=rev)
            rev = store.get_list(conn, user, list_id).revision
            store.set_note(conn, user, store.items(conn, user, list_id)[-1].id, rev, f"改后第{n}条")
    except BaseException as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        conn.close()


def _setup(db: Path | str, writers: int) -> tuple[list[User], list[int]]:
    conn = connect(db)
    users = [auth.add_user(conn, f"org{i}", None, "organiser") for i in range(writers)]
    ids = [store.create_list(conn, u, f"清单{i}").id for i, u in enumerate(users)]
    conn.close()
    return users, ids


def _check(db: Path | str, users: list[User], ids: list[int]) -> None:
    conn = connect(db)
    for user, list_id in zip(users, ids, strict=True):
        got = store.items(conn, user, list_id)
        assert [i.position for i in got] == list(range(ITEMS_EACH))
        assert [i.note for i in got] == [f"改后第{n}条" for n in range(ITEMS_EACH)]
        assert store.get_list(conn, user, list_id).revision == 1 + 2 * ITEMS_EACH


def test_threads_editing_different_lists_lose_nothing(db_target: Path | str) -> None:
    db = db_target
    users, ids = _setup(db, WRITERS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_edit_own_list, args=(db, u, i, errors))
               for u, i in zip(users, ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _check(db, users, ids)


def _process_worker(db: str, user: User, list_id: int) -> None:
    errors: list[BaseException] = []
    _edit_own_list(db, user, list_id, errors)
    if errors:
        raise errors[0]


def test_processes_editing_different_lists_lose_nothing(db_target: Path | str) -> None:
    db = db_target
    users, ids = _setup(db, WRITERS)
    ctx = multiprocessing.get_context("spawn")  # no fork of a parent holding threads and open databases
    procs = [ctx.Process(target=_process_worker, args=(str(db), u, i))
             for u, i in zip(users, ids, strict=True)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    _check(db, users, ids)


def test_threads_appending_to_one_list_lose_nothing(db_target: Path | str) -> None:
    """Appends from search (revision=None) commute: all land, in some order, with unique positions."""
    db = db_target
    users, ids = _setup(db, WRITERS)
    errors: list[BaseException] = []

    def append(user: User, offset: int) -> None:
        conn = connect(db)
        try:
            for n in range(ITEMS_EACH):
                store.add_item(conn, user, ids[0], passage(offset + n))
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=append, args=(u, 100 * k)) for k, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conn = connect(db)
    got = store.items(conn, users[0], ids[0])
    assert sorted(i.position for i in got) == list(range(WRITERS * ITEMS_EACH))
    assert {i.anchor.text_hash for i in got} == {passage(100 * k + n).text_hash
                                                 for k in range(WRITERS) for n in range(ITEMS_EACH)}


def test_two_editors_of_one_list_exactly_one_wins(db_target: Path | str) -> None:
    """Both read the same revision, then write at the same moment: one succeeds, one gets a conflict."""
    db = db_target
    users, ids = _setup(db, 2)
    conn = connect(db)
    item = store.add_item(conn, users[0], ids[0], passage(1))
    opened = store.get_list(conn, users[0], ids[0]).revision
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(name: str, user: User) -> None:
        own = connect(db)
        barrier.wait()
        try:
            store.set_note(own, user, item.id, opened, f"{name}的按语")
            outcomes[name] = "saved"
        except ConflictError:
            outcomes[name] = "conflict"
        finally:
            own.close()

    threads = [threading.Thread(target=edit, args=(n, u)) for n, u in zip(("甲", "乙"), users, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(n for n, o in outcomes.items() if o == "saved")
    assert store.items(conn, users[0], ids[0])[0].note == f"{winner}的按语"
