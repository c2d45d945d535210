"""A browser session ends when its account changes: after `users set-role`, `set-password` or `remove`
the open page can no longer write, and the sidebar no longer claims the old role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lists import store
from studykb import auth
from studykb.db import connect
from studykb.layout import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
PASSWORD = "correct-horse-42"

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _sidebar_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption) + " ".join(w.value for w in at.sidebar.warning)


@pytest.mark.parametrize("change", ["set-role", "set-password", "remove"])
def test_a_changed_account_loses_its_open_session(
    workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    data = workspace[1]
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    conn = connect(data / "studykb.db")
    auth.add_user(conn, "wangfang", PASSWORD, "organiser", display_name="王芳")
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/lists.py").run()
    at.text_input(key="login_name").set_value("wangfang")
    at.text_input(key="login_password").set_value(PASSWORD)
    next(b for b in at.button if b.label == "登录").click().run()
    assert "已登录：王芳（组织员）" in _sidebar_text(at)

    if change == "set-role":
        auth.set_role(conn, "wangfang", "member")
    elif change == "set-password":
        auth.set_password(conn, "wangfang", "another-horse-73")
    else:
        auth.remove_user(conn, "wangfang")
    title = [t for t in at.text_input if t.label == "标题"]
    if title:  # the page drawn before the change still shows the form: its submit must do nothing
        title[0].set_value("五月主题学习")
        next(b for b in at.button if b.label == "创建清单").click()
    at.run()
    assert not at.exception
    assert conn.execute("SELECT count(*) FROM reading_lists").fetchone()[0] == 0
    sidebar = _sidebar_text(at)
    assert "组织员）" not in sidebar and "登录已失效" in sidebar
    assert "user" not in at.session_state
    assert not [t for t in at.text_input if t.label == "标题"]  # no editing controls any more
    assert store.lists_for(conn, None) == []
