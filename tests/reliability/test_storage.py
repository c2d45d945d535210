"""Read-only storage and a full disk, for real: the data dir is bind-mounted read-only, or copied onto
a tiny tmpfs, inside a private mount namespace (`unshare -m`), so that even root gets EROFS/ENOSPC.

Read commands work on a read-only data dir; write commands fail with one line; a full disk stops
ingest with one line and the published index stays valid. Skipped where mount namespaces are not
allowed (the modes of a folder do not stop root, so chmod cannot stand in for them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PY = sys.executable
CLI = [PY, "-m", "studykb_cli"]
ROOT = Path(__file__).resolve().parents[2]


def _namespaces_work() -> bool:
    if not (shutil.which("unshare") and shutil.which("mount")):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="needs mount namespaces (unshare -m)")


def in_namespace(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run a shell `script` (positional args $1…) in a private mount namespace."""
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *map(str, args)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)


def read_only(data: Path, *command: str | Path) -> subprocess.CompletedProcess[str]:
    """`command` with `data` bind-mounted read-only over itself."""
    return in_namespace('mount --bind -o ro "$1" "$1" && shift && exec "$@"', data, *command)


def one_line_error(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), out.stderr
    return lines[0]


READS = {
    "search": ["search", "浦江经验", "-k", "2", "--json"],
    "status": ["status", "--json"],
    "verify": ["verify"],
    "lists-list": ["lists", "list"],
    "sites-export": ["sites", "export"],
    "users-list": ["users", "list"],
}


@pytest.mark.parametrize("command", READS.values(), ids=READS.keys())
def test_read_commands_work_on_a_read_only_data_dir(workspace: tuple[Path, Path], command: list[str]) -> None:
    _, data = workspace
    assert read_only(data, "touch", data / "probe").returncode != 0, "the bind mount must be read-only"
    out = read_only(data, *CLI, *command, "--data-dir", data)
    assert out.returncode == 0, out.stderr
    if command[0] == "search":
        assert json.loads(out.stdout)["hits"][0]["document"]["path"] == "zhejiang.txt"
    if command[0] == "sites":
        assert out.stdout.startswith("id,name,")


def test_backup_works_on_a_read_only_data_dir(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    _, data = workspace
    out = read_only(data, *CLI, "backup", "-o", tmp_path / "b.tar", "--data-dir", data)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "b.tar").stat().st_size > 0


WRITES = {
    "ingest": ["ingest", "{corpus}"],
    "users-add": ["users", "add", "li_lei", "--role", "member", "--email", "li@example.org", "--password",
                  "Zhejiang-Jiaxing-1921"],
    "sites-import": ["sites", "import", str(ROOT / "corpus" / "sites.csv")],
}


@pytest.mark.parametrize("command", WRITES.values(), ids=WRITES.keys())
def test_write_commands_fail_with_one_line_on_a_read_only_data_dir(
    workspace: tuple[Path, Path], command: list[str]
) -> None:
    corpus, data = workspace
    args = [a.replace("{corpus}", str(corpus)) for a in command]
    out = read_only(data, *CLI, *args, "--data-dir", data)
    assert "read-only storage" in one_line_error(out)


def test_a_full_disk_stops_ingest_with_one_line_and_the_index_stays_valid(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, data = workspace
    used = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    line = "坚持以学促干，在推动高质量发展上取得新成效，务求实效。"
    text = "# 大量新增材料\n\n" + "".join(f"第{i}条：{line}" for i in range(4000))
    (corpus / "long.md").write_text(text, encoding="utf-8")
    mnt = tmp_path / "small"
    mnt.mkdir()
    script = (
        'mount -t tmpfs -o size="$1" tmpfs "$2" && cp -a "$3"/. "$2"/ && '
        '{ "$5" -m studykb_cli ingest "$4" --data-dir "$2" 2>"$6/ingest.err"; echo $? >"$6/ingest.rc"; } ; '
        '"$5" -m studykb_cli verify --data-dir "$2" >"$6/verify.out"; echo $? >"$6/verify.rc"; '
        '"$5" -m studykb_cli search 浦江经验 -k 1 --json --data-dir "$2" >"$6/search.out"'
    )
    out = in_namespace(script, f"{used // 1024 + 160}k", mnt, data, corpus, PY, tmp_path)
    assert out.returncode == 0, out.stderr
    rc = int((tmp_path / "ingest.rc").read_text())
    err = (tmp_path / "ingest.err").read_text()
    assert rc == 2, err
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert "Traceback" not in err and len(errors) == 1, err
    assert "disk is full" in errors[0], err
    assert (tmp_path / "verify.rc").read_text().strip() == "0", (tmp_path / "verify.out").read_text()
    assert json.loads((tmp_path / "search.out").read_text())["hits"]


APP_ON_READ_ONLY = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=180)
at.run()
at.text_input(key="q").input("浦江经验").run()
shown = [m.value for m in at.markdown]
print(json.dumps({"exceptions": [str(e.value) for e in at.exception], "errors": [e.value for e in at.error],
                  "found": any("浙江基层治理经验" in text for text in shown)}))
"""


def test_the_app_searches_a_read_only_data_dir(workspace: tuple[Path, Path]) -> None:
    _, data = workspace
    out = in_namespace('mount --bind -o ro "$1" "$1" && STUDYKB_DATA_DIR="$1" exec "$2" -c "$3" "$4"',
                       data, PY, APP_ON_READ_ONLY, ROOT / "ui" / "app.py")
    assert out.returncode == 0, out.stderr
    page = json.loads(out.stdout.strip().splitlines()[-1])
    assert page == {"exceptions": [], "errors": [], "found": True}
