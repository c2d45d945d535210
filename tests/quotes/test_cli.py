"""`studykb quotes FILE --json`: the interface scripts rely on, and exit status 2 for a bad file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.quotes.test_check import DRAFT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from studykb_cli.main import main; main()"
    return subprocess.run([sys.executable, "-c", code, "quotes", *args], capture_output=True, text=True)


def test_json_lists_each_quotation_with_status_and_path(sample_data: Path, tmp_path: Path) -> None:
    draft = tmp_path / "讲稿.md"
    draft.write_text(DRAFT, encoding="utf-8")
    out = _run(str(draft), "--json", "--data-dir", str(sample_data), "--docx", str(tmp_path / "r.docx"))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    got = [(q["status"], q["path"]) for q in data["quotes"]]
    assert got == [("exact", "excerpts-compilation.pdf"), ("exact", "instructions.pdf"),
                   ("near", "sites/zhejiang-bases.txt"), ("not_found", None), ("term", None)]
    assert data["quotes"][0]["text"] == "城市属于人民，城市建设要依靠人民、为了人民。"
    assert data["counts"]["exact"] == 2
    assert (tmp_path / "r.docx").stat().st_size > 0


def test_database_url_reads_the_rows_from_postgres(sample_on_postgres: tuple[Path, str],
                                                   tmp_path: Path) -> None:
    data, url = sample_on_postgres  # the data dir holds only the index files
    draft = tmp_path / "讲稿.md"
    draft.write_text(DRAFT, encoding="utf-8")
    out = _run(str(draft), "--json", "--data-dir", str(data), "--database-url", url)
    assert out.returncode == 0, out.stderr
    statuses = [q["status"] for q in json.loads(out.stdout)["quotes"]]
    assert statuses == ["exact", "exact", "near", "not_found", "term"]
    assert not list(data.glob("studykb.db*"))


def test_binary_renamed_docx_exits_2_naming_the_file(sample_data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(bytes(range(256)) * 20)
    out = _run(str(bad), "--data-dir", str(sample_data))
    assert out.returncode == 2
    assert str(bad) in out.stderr and "不是有效的Word" in out.stderr
