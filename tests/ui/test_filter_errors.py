"""AppTest of the search page's filter errors: filters that can match nothing are explained in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"


def test_a_reversed_date_range_is_explained_in_chinese(ui_index: tuple[Path, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(ui_index[1]))
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.sidebar.text_input(key="f_from").input("2024-01-05").run()
    at.sidebar.text_input(key="f_to").input("2022年10月16日").run()
    at.text_input(key="q").input("学习").run()
    assert not at.exception
    assert any("日期范围颠倒" in w.value for w in at.warning)
