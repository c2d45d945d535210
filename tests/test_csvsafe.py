"""studykb.csvsafe: formula-leading cells are neutral in exports and read back to the same text."""

from __future__ import annotations

import csv
import io

import pytest

from studykb.csvsafe import FORMULA_START, neutralise, read_cell, restore, write_csv

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+2", "\r=1+2", "'=1+2", "''", "'", "'普通文字", "普通文字", "", "a=b", "1,2", "多行\n文字",
           "回车\r文字"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_written_cells_never_start_like_a_formula_and_read_back_equal(value: str) -> None:
    text = write_csv(["name", "other"], [[value, "x"]])
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["name", "other"]
    assert not row[0].startswith(FORMULA_START)
    assert restore(row[0]) == value
    assert read_cell(row[0]) == value.strip() if not value.startswith(("\t", "\r")) else value


def test_only_risky_cells_change() -> None:
    assert neutralise("=1+2") == "'=1+2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-5") == "'-5"  # OWASP: every cell, numbers included (a spreadsheet shows it as text)
    assert neutralise("中共一大纪念馆") == "中共一大纪念馆"
    assert neutralise("'abc") == "''abc"  # escaped too, so that the import's unquoting is lossless


def test_a_file_from_elsewhere_reads_as_before() -> None:
    assert restore("'abc") == "'abc"  # a quote before plain text is the text itself
    assert restore("'=1") == "=1"  # as a spreadsheet reads what a person typed


def test_the_import_keeps_a_leading_tab_that_hides_a_formula() -> None:
    assert read_cell("\t=1+2") == "\t=1+2"
    assert read_cell("  \t=1+2 \n") == "\t=1+2"
    assert read_cell("  浙江省 ") == "浙江省"


def test_a_lone_carriage_return_is_quoted() -> None:
    text = write_csv(["a", "b"], [["x\ry", "z"]])
    assert text == 'a,b\n"x\ry",z\n'
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == ["x\ry", "z"]
