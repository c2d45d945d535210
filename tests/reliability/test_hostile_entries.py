"""Hostile corpus entries: links out of the corpus are never followed, and a broken link or a file name
that is not UTF-8 is reported while the rest of the batch is indexed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from search.engine import Engine

OPTS = IngestOptions(model="minilm", max_chars=120, overlap=20)
SECRET = "root:x:0:0:绝密口令资料:/root:/bin/bash"


@pytest.fixture
def hostile_corpus(workspace: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """The workspace corpus plus a link to a file outside it, a broken link, a non-UTF-8 file name and a
    good new document."""
    corpus, data = workspace
    secret = tmp_path / "etc" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n", encoding="utf-8")
    (corpus / "passwd.txt").symlink_to(secret)
    (corpus / "gone.md").symlink_to(tmp_path / "never-there.md")
    with open(os.fsencode(corpus) + b"/\xff\xfe.txt", "wb") as fh:
        fh.write("文件名不是 UTF-8。".encode())
    (corpus / "good.md").write_text("# 好文件\n\n下姜村是乡村振兴的样板。\n", encoding="utf-8")
    return corpus, data


def test_bad_entries_are_reported_and_the_rest_is_indexed(hostile_corpus: tuple[Path, Path]) -> None:
    corpus, data = hostile_corpus
    report = ingest([corpus], data, OPTS)
    outcome = {o.path: o for o in report.outcomes}
    assert outcome["good.md"].status == "added"
    assert outcome["passwd.txt"].status == "skipped" and "outside the corpus" in outcome["passwd.txt"].reason
    assert outcome["gone.md"].status == "skipped" and "broken" in outcome["gone.md"].reason
    assert outcome["\\xff\\xfe.txt"].status == "failed" and "UTF-8" in outcome["\\xff\\xfe.txt"].reason
    assert report.exit_code == 3 and report.n_documents == 6
    json.dumps(report.to_json(), ensure_ascii=False).encode("utf-8")  # the --json report is printable
    engine = Engine.open(data)
    assert engine.search("下姜村").hits[0].document.path == "good.md"
    assert all("passwd" not in h.document.path for h in engine.search("绝密口令资料 root", k=20).hits)


def test_the_cli_reports_bad_entries_without_a_traceback(hostile_corpus: tuple[Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from studykb_cli.main import main

    corpus, data = hostile_corpus
    monkeypatch.setattr(sys, "argv", ["studykb", "ingest", str(corpus), "--data-dir", str(data), "--json"])
    with pytest.raises(SystemExit) as exit_:
        main()
    out = capsys.readouterr()
    assert exit_.value.code == 3 and "Traceback" not in out.err
    report = json.loads(out.out)
    assert report["summary"]["added"] == 1 and report["summary"]["skipped"] == 2
    assert {o["path"] for o in report["outcomes"] if o["status"] == "failed"} == {"\\xff\\xfe.txt"}
