"""Tests for `studykb sites import` and `studykb sites export` (click commands on a tmp data dir)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from sites import COLUMNS, parse_sites
from sites.store import get_site
from studykb.db import connect
from studykb_cli.main import cli

Row = Callable[..., dict[str, str]]
WriteCsv = Callable[..., Path]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_then_reimport_reports_counts(tmp_path: Path, row: Row, write_csv: WriteCsv) -> None:
    path = write_csv([row(), row(id="sh-test", province="上海市", city="上海市", lat="31.22", lon="121.47")])
    data = str(tmp_path / "data")
    assert run("sites", "import", str(path), "--data-dir", data)[:2] == (
        0, "sites.csv: 2 sites — 2 added, 0 updated, 0 unchanged\n")
    assert run("sites", "import", str(path), "--data-dir", data)[1] == \
        "sites.csv: 2 sites — 0 added, 0 updated, 2 unchanged\n"
    stored = get_site(connect(tmp_path / "data" / "studykb.db"), "zj-test-hall")
    assert stored is not None and stored.updated_by.startswith("cli:")


def test_a_bad_file_exits_non_zero_listing_every_bad_row(
    tmp_path: Path, row: Row, write_csv: WriteCsv
) -> None:
    rows = [row(), row(id="zj-b", type="博物馆"), row(id="zj-c", url="javascript:alert(1)")]
    path = write_csv(rows, name="bad.csv")
    code, out, err = run("sites", "import", str(path), "--data-dir", str(tmp_path / "data"))
    assert code == 1 and out == ""
    assert "bad.csv line 3, field type: unknown type '博物馆'" in err
    assert "bad.csv line 4, field url:" in err
    assert "Nothing was imported" in err
    conn = connect(tmp_path / "data" / "studykb.db")
    assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 0


def test_export_filters_and_round_trips(tmp_path: Path, row: Row, write_csv: WriteCsv) -> None:
    data = str(tmp_path / "data")
    shanghai = row(id="sh-test", province="上海市", city="上海市", lat="31.22", lon="121.47")
    run("sites", "import", str(write_csv([row(), shanghai])), "--data-dir", data)
    code, out, _ = run("sites", "export", "--data-dir", data, "--province", "浙江省")
    assert code == 0 and [site.id for site in parse_sites(out)] == ["zj-test-hall"]
    target = tmp_path / "all.csv"
    code, _, err = run("sites", "export", "--data-dir", data, "-o", str(target))
    assert code == 0 and "wrote 2 sites" in err
    exported = parse_sites(target.read_text(encoding="utf-8"))
    assert [site.id for site in exported] == ["sh-test", "zj-test-hall"]


def test_export_on_a_fresh_data_dir_shows_the_shipped_sites(tmp_path: Path) -> None:
    code, out, _ = run("sites", "export", "--data-dir", str(tmp_path / "fresh"), "--city", "嘉兴市")
    assert code == 0
    assert {site.city for site in parse_sites(out)} == {"嘉兴市"} and len(parse_sites(out)) >= 2


def test_every_sites_command_documents_an_example() -> None:
    from studykb_cli.sites import sites

    for name, command in sites.commands.items():
        assert "Example: studykb sites " + name in (command.help or ""), name


FORMULAS = {"name": '=HYPERLINK("http://evil.example","点我")纪念馆', "address": "+cmd|' /C calc'!A0",
            "district": "-2+3", "hours": "@SUM(A1:A9)", "booking": "\t=1+2", "description": "'=1+2 写成文字",
            "related_queries": "=1+2;红船精神"}


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_export_neutralises_formulas_and_the_import_reads_them_back(
    tmp_path: Path, row: Row, write_csv: WriteCsv
) -> None:
    data = str(tmp_path / "data")
    assert run("sites", "import", str(write_csv([row(**FORMULAS)])), "--data-dir", data)[0] == 0
    stored = get_site(connect(tmp_path / "data" / "studykb.db"), "zj-test-hall")
    assert stored is not None
    assert stored.site.booking == "\t=1+2"  # the leading tab is kept: trimming it would make a formula
    assert stored.site.name == FORMULAS["name"]
    assert stored.site.description == "=1+2 写成文字"  # a quote before a formula marks text, as typed

    target = tmp_path / "export.csv"
    assert run("sites", "export", "--data-dir", data, "--city", "嘉兴市", "-o", str(target))[0] == 0
    text = target.read_text(encoding="utf-8")
    for cells in _cells(text):
        risky = [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert not risky, cells
    assert "'=HYPERLINK(" in text and "'@SUM(A1:A9)" in text
    assert "'\t=1+2" in text and "'=1+2 写成文字" in text
    [again] = [s for s in parse_sites(text) if s.id == "zj-test-hall"]
    assert again == stored.site
    code, out, _ = run("sites", "import", str(target), "--data-dir", data)
    assert code == 0 and " 0 updated" in out  # re-importing our own export changes nothing


def test_a_quoted_cell_with_a_carriage_return_is_accepted_and_kept(
    tmp_path: Path, row: Row
) -> None:
    data = str(tmp_path / "data")
    path = tmp_path / "cr.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # quotes the cell holding "\r", as spreadsheets do
    writer.writerow(COLUMNS)
    writer.writerow([row(description="第一行\r第二行")[name] if name in row() else "" for name in COLUMNS])
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    code, out, err = run("sites", "import", str(path), "--data-dir", data)
    assert code == 0, err
    stored = get_site(connect(tmp_path / "data" / "studykb.db"), "zj-test-hall")
    assert stored is not None and stored.site.description == "第一行\r第二行"
    target = tmp_path / "export.csv"
    assert run("sites", "export", "--data-dir", data, "--city", "嘉兴市", "-o", str(target))[0] == 0
    code, out, err = run("sites", "import", str(target), "--data-dir", data)
    assert code == 0 and " 0 updated" in out, err
