"""Accounts: password strength, sessions that end when the account changes, the atomic login limit."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lists import progress, store
from sites.store import add_site
from studykb import auth
from studykb.db import MIGRATIONS, connect
from studykb.errors import PermissionDenied, StudyKBError
from studykb_cli.main import cli

STRONG = "correct-horse-42"
SITE = {"id": "zj-test-hall", "name": "测试纪念馆", "type": "纪念馆", "province": "浙江省", "city": "嘉兴市",
        "lat": "30.7515", "lon": "120.7625"}


@pytest.fixture
def conn(db_target: Path | str) -> Iterator[sqlite3.Connection]:
    """A new, migrated database, on SQLite and on PostgreSQL."""
    conn = connect(db_target)
    yield conn
    conn.close()


# --- password strength ----------------------------------------------------------------------

WEAK = ["          ", "aaaaaaaaaa", "1234567890", "qwertyuiop", "password123", "wangfang2024"]


@pytest.mark.parametrize("password", WEAK,
                         ids=["spaces", "repeat", "digits", "keyboard", "common", "own-name"])
def test_weak_passwords_are_refused_with_the_reason(conn: sqlite3.Connection, password: str) -> None:
    with pytest.raises(StudyKBError, match="密码太弱") as caught:
        auth.add_user(conn, "wangfang", password, "organiser")
    assert "：" in str(caught.value) and "。" in str(caught.value)  # a reason, then the advice
    assert auth.get_user(conn, "wangfang") is None
    auth.add_user(conn, "wangfang", STRONG, "organiser")
    with pytest.raises(StudyKBError, match="密码太弱"):
        auth.set_password(conn, "wangfang", password)
    assert auth.authenticate(conn, "wangfang", STRONG).username == "wangfang"  # old password still works


def test_the_reasons_say_why_in_chinese(conn: sqlite3.Connection) -> None:
    reasons = {
        "aaaaaaaaaa": "重复", "1234567890": "常见密码", "mnbvcxzlkjhg": "键盘", "abcdefghijkl": "连续",
        "short": "少于 10 个字符",
    }
    for password, reason in reasons.items():
        with pytest.raises(StudyKBError, match=reason):
            auth.add_user(conn, "lihua", password)


def test_the_users_cli_refuses_a_weak_password(tmp_path: Path) -> None:
    runner = CliRunner()
    weak = runner.invoke(cli, ["users", "add", "wangfang", "--password", "1234567890",
                                "--data-dir", str(tmp_path)])
    assert weak.exit_code == 1 and "密码太弱" in weak.output and "Traceback" not in weak.output
    ok = runner.invoke(cli, ["users", "add", "wangfang", "--password", STRONG, "--data-dir", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(cli, ["users", "set-password", "wangfang", "--password", "aaaaaaaaaa",
                                 "--data-dir", str(tmp_path)])
    assert again.exit_code == 1 and "密码太弱" in again.output


# --- sessions end when the account changes --------------------------------------------------


def _stale_organiser(conn: sqlite3.Connection, change: str) -> auth.User:
    """An organiser as a browser session remembers them, after `change` was made to the account."""
    seen = auth.add_user(conn, "wangfang", STRONG, "organiser")
    if change == "set-role":
        auth.set_role(conn, "wangfang", "member")
    elif change == "set-password":
        auth.set_password(conn, "wangfang", "another-horse-73")
    elif change == "remove":
        auth.remove_user(conn, "wangfang")
    return seen


@pytest.mark.parametrize("change", ["set-role", "set-password", "remove"])
def test_a_stale_session_cannot_write_lists_or_sites(conn: sqlite3.Connection, change: str) -> None:
    stale = _stale_organiser(conn, change)
    with pytest.raises(PermissionDenied):
        store.create_list(conn, stale, "五月主题学习")
    with pytest.raises(PermissionDenied):
        add_site(conn, stale, SITE)
    assert conn.execute("SELECT count(*) FROM reading_lists").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 0


def test_a_stale_session_cannot_edit_an_existing_list_or_mark_progress(conn: sqlite3.Connection) -> None:
    org = auth.add_user(conn, "wangfang", STRONG, "organiser")
    member = auth.add_user(conn, "lihua", STRONG, "member")
    lst = store.create_list(conn, org, "清单")
    auth.set_role(conn, "wangfang", "organiser")  # even an unchanged role ends the old sessions
    with pytest.raises(PermissionDenied):
        store.update_list(conn, org, lst.id, lst.revision, title="改过的标题")
    fresh = auth.get_user(conn, "wangfang")
    assert fresh is not None
    store.update_list(conn, fresh, lst.id, lst.revision, title="改过的标题")  # logging in again works
    auth.set_password(conn, "lihua", "another-horse-73")
    with pytest.raises(PermissionDenied):
        progress.mark_read(conn, member, 1)


def test_current_gives_the_account_as_it_is_now(conn: sqlite3.Connection) -> None:
    seen = auth.add_user(conn, "wangfang", STRONG, "organiser")
    assert auth.current(conn, seen) == seen
    auth.set_role(conn, "wangfang", "maintainer")
    assert auth.current(conn, seen) is None
    again = auth.authenticate(conn, "wangfang", STRONG)
    assert again.role == "maintainer" and auth.current(conn, again) == again
    auth.remove_user(conn, "wangfang")
    auth.add_user(conn, "wangfang", STRONG, "organiser")  # a new account of the same name is not the old one
    assert auth.current(conn, again) is None


# --- the login rate limit is atomic ---------------------------------------------------------


def test_parallel_wrong_passwords_get_at_most_the_limit_of_tries(tmp_path: Path) -> None:
    conn = connect(tmp_path / "studykb.db")
    auth.add_user(conn, "wangfang", STRONG, "organiser")
    threads = 12
    start = threading.Barrier(threads)
    outcomes: list[str] = []

    def attempt() -> None:
        own = connect(tmp_path / "studykb.db")  # one connection per browser session, as in the app
        start.wait()
        try:
            auth.authenticate(own, "wangfang", "wrong-password-1")
        except PermissionDenied as exc:
            outcomes.append(type(exc).__name__ + ":" + str(exc))

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    verified = [o for o in outcomes if "wrong user name or password" in o]
    assert len(outcomes) == threads
    assert len(verified) == auth.MAX_FAILURES, outcomes
    with pytest.raises(PermissionDenied, match="too many"):
        auth.authenticate(conn, "wangfang", STRONG)  # even the right password waits out the window


def test_migration_6_keeps_the_accounts_and_starts_their_generation_at_0(tmp_path: Path) -> None:
    path = tmp_path / "studykb.db"
    old = sqlite3.connect(path)
    old.executescript("".join(MIGRATIONS[:5]))
    old.execute("PRAGMA user_version = 5")
    old.execute("INSERT INTO users(username, display_name, role) VALUES ('wangfang', '王芳', 'organiser')")
    old.commit()
    old.close()
    conn = connect(path)
    user = auth.get_user(conn, "wangfang")
    assert user is not None and (user.role, user.display_name, user.generation) == ("organiser", "王芳", 0)
    assert store.create_list(conn, user, "升级后的清单").owner_id == user.id
