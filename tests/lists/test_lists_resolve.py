"""Items keep pointing at the right text across re-ingestion, and are flagged (never dropped) when it goes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from ingest.report import IngestReport
from lists import store
from lists.records import Anchor, Item, anchor_for_document, anchor_for_hit, passage_hash
from lists.resolve import resolve
from search.engine import Engine
from search.records import Hit
from studykb import auth
from studykb.db import connect
from studykb.layout import DataDir

OPTS = IngestOptions(model="minilm", max_chars=120, overlap=20)
KEPT = "深刻领悟“两个确立”的决定性意义，是开展主题教育的首要任务。"
EDITED = "二十届三中全会对进一步全面深化改革作出部署。"
REPLACEMENT = "各地要结合实际抓好落实，坚决防止学习走过场。"


def passage_with(engine: Engine, conn: sqlite3.Connection, path: str, needle: str) -> Hit:
    """The current passage of document `path` that contains `needle`."""
    name = DataDir(engine.data.root).current()
    row = conn.execute(
        "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id "
        "JOIN version_documents v ON v.document_id = d.id JOIN index_versions iv ON iv.id = v.version_id "
        "WHERE iv.name = ? AND d.path = ? AND instr(c.text, ?) > 0 ORDER BY c.ordinal LIMIT 1",
        (name, path, needle),
    ).fetchone()
    assert row is not None, f"no passage of {path} contains {needle}"
    return engine.passage(row["id"])


def reingest(corpus: Path, data: Path) -> IngestReport:
    report = ingest([corpus], data, OPTS)
    assert report.exit_code == 0
    return report


def test_items_survive_an_edit_elsewhere_and_are_flagged_when_their_text_goes(
        workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    conn = connect(data / "studykb.db")
    org = auth.add_user(conn, "wangfang", None, "organiser")
    engine = Engine.open(data)
    hit = passage_with(engine, conn, "guide.md", "两个确立")
    reprint = passage_with(engine, conn, "compilation.txt", "读原著、学原文")
    lst = store.create_list(conn, org, "五月学习")
    store.add_item(conn, org, lst.id, anchor_for_hit(hit), note="重点")
    store.add_item(conn, org, lst.id, anchor_for_document(hit.document))
    store.add_item(conn, org, lst.id, anchor_for_hit(reprint))
    before = resolve(conn, store.items(conn, org, lst.id), DataDir(data).current())
    assert [r.status for r in before] == ["found"] * 3
    assert before[0].chunk_id == hit.chunk_id and before[2].document.path == "compilation.txt"

    guide = corpus / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace(EDITED, REPLACEMENT), encoding="utf-8")
    report = reingest(corpus, data)
    assert {o.path: o.status for o in report.outcomes}["guide.md"] == "updated"
    after = resolve(conn, store.items(conn, org, lst.id), DataDir(data).current())
    assert [r.status for r in after] in (["found"] * 3, ["relocated", "found", "found"])
    assert KEPT in after[0].text and after[0].document.id != hit.document.id
    assert REPLACEMENT in after[1].text and EDITED not in after[1].text
    assert after[2].document.path == "compilation.txt"
    reopened = Engine.open(data).passage(after[0].chunk_id)  # the reader can open it
    assert KEPT in reopened.text and reopened.document.path == "guide.md"

    guide.write_text(guide.read_text(encoding="utf-8").replace(KEPT, ""), encoding="utf-8")
    reingest(corpus, data)
    gone = resolve(conn, store.items(conn, org, lst.id), DataDir(data).current())
    assert [r.status for r in gone] == ["missing", "found", "found"]
    assert gone[0].text == hit.text and gone[0].chunk_id is None and gone[0].item.note == "重点"
    assert "changed or removed" in gone[0].reason and gone[0].title == hit.document.title
    assert KEPT not in gone[1].text


def test_removed_documents_flag_their_items(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace
    conn = connect(data / "studykb.db")
    org = auth.add_user(conn, "wangfang", None, "organiser")
    hit = passage_with(Engine.open(data), conn, "zhejiang.txt", "浦江经验")
    lst = store.create_list(conn, org, "清单")
    store.add_item(conn, org, lst.id, anchor_for_hit(hit))
    store.add_item(conn, org, lst.id, anchor_for_document(hit.document))
    (corpus / "zhejiang.txt").unlink()
    reingest(corpus, data)
    gone = resolve(conn, store.items(conn, org, lst.id), DataDir(data).current())
    assert [r.status for r in gone] == ["missing", "missing"]
    assert all("no longer in the library" in r.reason for r in gone)
    assert gone[0].text == hit.text and gone[1].title == hit.document.title


def _item(anchor: Anchor) -> Item:
    return Item(id=1, list_id=1, position=0, anchor=anchor)


def test_a_passage_whose_boundaries_moved_is_relocated(built: tuple[Path, Path, IngestReport]) -> None:
    _, data, _ = built
    conn = connect(data / "studykb.db", migrate=False)
    hit = passage_with(Engine.open(data), conn, "zhejiang.txt", "千万工程")
    sentence = "持续改善农村人居环境，造就了万千美丽乡村。"
    assert sentence in hit.text and sentence != hit.text
    anchor = Anchor(kind="passage", doc_path="zhejiang.txt", doc_title="旧标题", text=sentence,
                    text_hash=passage_hash(sentence), start=hit.start)
    r = resolve(conn, [_item(anchor)], DataDir(data).current())[0]
    assert (r.status, r.chunk_id, r.text) == ("relocated", hit.chunk_id, sentence)
    assert r.title == "浙江基层治理经验"  # the current title, not the saved one


@pytest.mark.parametrize("version", [None, "v999999"], ids=["no-index", "unknown-version"])
def test_without_a_published_index_everything_is_missing(built: tuple[Path, Path, IngestReport],
                                                         version: str | None) -> None:
    conn = connect(built[1] / "studykb.db", migrate=False)
    anchor = Anchor(kind="passage", doc_path="guide.md", doc_title="辅导", text="文字",
                    text_hash=passage_hash("文字"))
    r = resolve(conn, [_item(anchor)], version)[0]
    assert (r.status, r.text, r.citation) == ("missing", "文字", "《辅导》")
