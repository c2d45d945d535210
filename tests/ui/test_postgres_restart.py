"""The app over PostgreSQL while the database restarts: the page of that moment says 数据库暂时无法连接…
in one message (no traceback), and the next run of the same session works without restarting studykb."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studykb.layout import DATA_DIR_ENV
from studykb.pg import DATABASE_URL_ENV, UNAVAILABLE_ZH
from tests.pg_server import PgServer, move_to_postgres

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def test_a_page_during_a_database_restart_says_so_and_the_next_run_works(
    workspace: tuple[Path, Path], pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = workspace[1]
    monkeypatch.setenv(DATABASE_URL_ENV, move_to_postgres(data, pg_server))
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.switch_page("views/sites.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    pg_server.stop()
    try:
        at.run()
        assert not at.exception
        assert [e.value for e in at.error if e.value.startswith(UNAVAILABLE_ZH)], [e.value for e in at.error]
    finally:
        pg_server.start()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(m.value.startswith("共找到") for m in at.markdown)
    assert not list(data.glob("studykb.db*"))
