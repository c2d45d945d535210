"""Tests for `studykb sites import` and `studykb sites export` (click commands on a tmp data dir)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from sites import parse_sites
from sites.store import get_site
from studykb.cli import cli
from studykb.db import connect

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
    from studykb.sites_cli import sites

    for name, command in sites.commands.items():
        assert "Example: studykb sites " + name in (command.help or ""), name
