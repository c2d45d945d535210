"""JSON export/import of reading lists (round trip, validation messages, all-or-nothing) and the CLI."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from lists_samples import document, passage

from lists import store
from lists.io import FORMAT, dumps, export_lists, import_lists, parse
from lists.records import ListDraft
from studykb import auth
from studykb.auth import User
from studykb.db import connect
from studykb.errors import PermissionDenied, ValidationError
from studykb_cli.main import cli


def _sample(conn: sqlite3.Connection, org: User) -> int:
    lst = store.create_list(conn, org, "五月主题学习", description="读原著\n学原文", audience="第一支部",
                            period_start="2024-05-01", period_end="2024-05-31")
    store.add_item(conn, org, lst.id, passage(1), note="重点")
    store.add_item(conn, org, lst.id, document())
    store.publish(conn, org, lst.id, store.get_list(conn, org, lst.id).revision)
    return lst.id


def _content(conn: sqlite3.Connection, user: User) -> list[tuple[Any, ...]]:
    out = []
    for lst in store.lists_for(conn, user):
        items = [(i.position, i.note, i.anchor.kind, i.anchor.doc_path, i.anchor.doc_title, i.anchor.text,
                  i.anchor.text_hash, i.anchor.page, i.anchor.heading_path)
                 for i in store.items(conn, user, lst.id)]
        out.append((lst.title, lst.description, lst.audience, lst.period, lst.status, items))
    return out


def test_round_trip_between_installations(conn: sqlite3.Connection, people: dict[str, User],
                                          tmp_path: Path) -> None:
    _sample(conn, people["organiser"])
    text = dumps(export_lists(conn, people["organiser"]))
    payload = json.loads(text)
    assert (payload["format"], payload["version"]) == (FORMAT, 1) and "重点" in text  # readable UTF-8
    other = connect(tmp_path / "other.db")
    chen = auth.add_user(other, "chenjing", None, "organiser", display_name="陈静")
    created = import_lists(other, chen, text)
    assert [(x.owner_name, x.status, x.n_items) for x in created] == [("陈静", "published", 2)]
    assert _content(other, chen) == _content(conn, people["organiser"])
    again = import_lists(other, chen, text, as_draft=True)
    assert again[0].status == "draft"


def _valid() -> dict[str, Any]:
    return {"format": FORMAT, "version": 1, "lists": [
        {"title": "一", "items": [{"kind": "document", "document": {"path": "a.txt", "title": "A"}}]},
        {"title": "二", "status": "published", "items": [
            {"kind": "passage", "note": "n",
             "document": {"path": "b.txt", "title": "B", "date": "2023-01-01"},
             "passage": {"text": "一段文字。", "page": 2, "heading_path": ["一、"]}},
            {"kind": "document", "document": {"path": "c.txt", "title": "C"}},
        ]},
    ]}


def _broken(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(_valid())
    target: Any = data
    keys = path.split("/")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "message"), [
    ("format", "something-else", "format: not a studykb reading-list export"),
    ("version", 2, "version: the file has format version 2"),
    ("version", "1", "version: must be a whole number"),
    ("lists", {}, "lists: must be a list"),
    ("lists/0", "一", "lists[0]: must be an object"),
    ("lists/0/title", "", "lists[0].title: must not be empty"),
    ("lists/0/title", 5, "lists[0].title: must be text"),
    ("lists/0/titel", "x", "lists[0].titel: unknown field"),
    ("lists/1/status", "archived", "lists[1].status: must be 'draft' or 'published'"),
    ("lists/1/period_start", "2024-02-30", "lists[1].period_start: must be a date"),
    ("lists/1/items", [], "lists[1].status: an empty list cannot be published"),
    ("lists/1/items/0/kind", "chapter", "lists[1].items[0].kind: must be 'document' or 'passage'"),
    ("lists/1/items/0/document/path", "", "lists[1].items[0].document.path: must not be empty"),
    ("lists/1/items/0/document", _DELETE, "lists[1].items[0].document: must be an object"),
    ("lists/1/items/0/passage", _DELETE, "lists[1].items[0].passage: a passage item needs"),
    ("lists/1/items/0/passage/text", " ", "lists[1].items[0].passage.text: must be the passage's"),
    ("lists/1/items/0/passage/page", -1, "lists[1].items[0].passage.page: must be a whole number"),
    ("lists/1/items/0/passage/heading_path", "一", "lists[1].items[0].passage.heading_path: must be a"),
    ("lists/1/items/0/note", "注" * 5001, "lists[1].items[0].note: at most 5000 characters"),
    ("lists/1/items/1/document/path", "b.txt", None),  # still valid: a different kind than items[0]
    ("lists/0/items/0/passage", {"text": "x"}, "lists[0].items[0].passage: a document item has no passage"),
], ids=lambda v: v if isinstance(v, str) and "/" in v else None)
def test_invalid_files_name_the_place_and_import_nothing(conn: sqlite3.Connection, people: dict[str, User],
                                                       path: str, value: Any, message: str | None) -> None:
    data = _broken(path, value)
    if message is None:
        assert len(import_lists(conn, people["organiser"], data)) == 2
        return
    with pytest.raises(ValidationError) as exc:
        import_lists(conn, people["organiser"], data)
    assert message in str(exc.value)
    assert store.lists_for(conn, people["organiser"]) == []


def test_all_problems_are_reported_at_once(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    data = _valid()
    data["lists"][0]["title"] = ""
    data["lists"][1]["items"][1]["kind"] = "chapter"
    data["lists"][1]["items"].append(copy.deepcopy(data["lists"][1]["items"][0]))
    with pytest.raises(ValidationError) as exc:
        parse(json.dumps(data))
    text = str(exc.value)
    assert "3 problem(s); nothing was imported" in text
    assert "lists[0].title" in text and "lists[1].items[1].kind" in text
    assert "lists[1].items[2]: repeats items[0]" in text


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[]"], ids=["broken-json", "binary", "array"])
def test_files_that_are_not_exports(raw: bytes) -> None:
    with pytest.raises(ValidationError, match="JSON|format"):
        parse(raw)


def test_a_database_failure_midway_leaves_nothing(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    good = parse(_valid())
    bad = ListDraft("坏", status="archived")  # passes no validation: the database CHECK refuses it
    with pytest.raises(sqlite3.IntegrityError):
        store.insert_lists(conn, people["organiser"], [*good, bad])
    assert store.lists_for(conn, people["organiser"]) == []


def test_members_cannot_import(conn: sqlite3.Connection, people: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        import_lists(conn, people["member"], _valid())
    assert store.lists_for(conn, people["organiser"]) == []


# -- CLI --------------------------------------------------------------------------------------------

@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    conn = connect(data / "studykb.db")
    _sample(conn, auth.add_user(conn, "wangfang", None, "organiser", display_name="王芳"))
    auth.add_user(conn, "lihua", None, "member")
    conn.close()
    return data


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_list_show_export_import(data_dir: Path, tmp_path: Path) -> None:
    d = ["--data-dir", str(data_dir)]
    listed = _run("lists", "list", *d)
    assert listed.exit_code == 0 and "五月主题学习" in listed.output and "已发布" in listed.output
    shown = _run("lists", "show", "1", *d)
    assert "MISSING" in shown.output and "2 item(s) can no longer be found" in shown.output  # no index here
    out = tmp_path / "backup.json"
    assert _run("lists", "export", "-o", str(out), *d).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["lists"][0]["title"] == "五月主题学习"
    imported = _run("lists", "import", str(out), "--as", "wangfang", "--draft", *d)
    assert "imported 2: 五月主题学习 (2 items, 草稿)" in imported.output
    md = _run("lists", "export", "--list", "1", "--format", "md", *d)
    assert md.output.startswith("# 五月主题学习") and "重点" in md.output
    booklet = tmp_path / "b.docx"
    assert _run("lists", "export", "--list", "2", "--format", "docx", "-o", str(booklet), *d).exit_code == 0
    assert docx.Document(str(booklet)).paragraphs[0].text == "五月主题学习"


def test_cli_errors_are_clear(data_dir: Path, tmp_path: Path) -> None:
    d = ["--data-dir", str(data_dir)]
    both = CliRunner().invoke(cli, ["lists", "export", "--format", "docx", *d])
    assert both.exit_code == 2 and "exactly one --list ID" in both.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": FORMAT, "version": 1, "lists": [{"title": ""}]}), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"lists\[0\].title: must not be empty"):
        _run("lists", "import", str(bad), *d)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_valid()), encoding="utf-8")
    with pytest.raises(PermissionDenied, match="lihua"):
        _run("lists", "import", str(good), "--as", "lihua", *d)
    with pytest.raises(Exception, match="no user 'nobody'"):
        _run("lists", "import", str(good), "--as", "nobody", *d)
    after = _run("lists", "list", *d).output
    assert "五月主题学习" in after and "  一" not in after  # the refused imports added nothing


def test_every_lists_command_has_an_example() -> None:
    from studykb_cli.lists import lists

    for name, command in lists.commands.items():
        assert "Example: studykb lists " + name in (command.help or ""), name


def test_oversized_import_is_refused_before_parsing() -> None:
    from lists.io import MAX_IMPORT_BYTES, parse
    from studykb.errors import ValidationError

    with pytest.raises(ValidationError, match="at most 5 MB"):
        parse(b" " * (MAX_IMPORT_BYTES + 1))


def _deep_json(levels: int) -> str:
    """A valid export whose first list's description is an array nested `levels` deep."""
    text = json.dumps(_valid(), ensure_ascii=False)
    nested = "[" * levels + "]" * levels
    return text.replace('{"title": "一"', '{"description": ' + nested + ', "title": "一"', 1)


def _huge_number() -> str:
    return json.dumps(_broken("lists/1/items/0/passage/page", 10**30), ensure_ascii=False)


def test_the_cli_rejects_deep_nesting_and_huge_numbers_naming_the_file(
    data_dir: Path, tmp_path: Path
) -> None:
    d = ["--data-dir", str(data_dir)]
    deep = tmp_path / "deep.json"
    deep.write_text(_deep_json(100_000), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"deep\.json: .*nested too deeply"):
        _run("lists", "import", str(deep), *d)
    huge = tmp_path / "huge.json"
    huge.write_text(_huge_number(), encoding="utf-8")
    where = r"lists\[1\]\.items\[0\]\.passage\.page"
    with pytest.raises(ValidationError, match=r"(?s)huge\.json: .*" + where + ": must be"):
        _run("lists", "import", str(huge), *d)
    assert "  一" not in _run("lists", "list", *d).output  # nothing was imported


def test_moderate_nesting_in_a_field_is_a_field_error(
    conn: sqlite3.Connection, people: dict[str, User]
) -> None:
    with pytest.raises(ValidationError, match=r"(?s)upload\.json: .*lists\[0\]\.description: must be text"):
        import_lists(conn, people["organiser"], _deep_json(500), source="upload.json")


def test_the_web_importer_rejects_them_with_a_message(
    workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    data = workspace[1]
    monkeypatch.setenv("STUDYKB_DATA_DIR", str(data))
    org = auth.add_user(connect(data / "studykb.db"), "wangfang", None, "organiser")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "ui" / "app.py"), default_timeout=120)
    at.session_state["user"] = org
    at.run()
    at.switch_page("views/lists.py").run()
    for name, text, expected in (("deep.json", _deep_json(100_000), "nested too deeply"),
                                 ("huge.json", _huge_number(), "passage.page: must be")):
        at.get("file_uploader")[0].set_value((name, text.encode("utf-8"), "application/json"))
        at.run()
        at.button(key="rl-import").click().run()
        assert not at.exception, [e.value for e in at.exception]
        shown = " ".join(e.value for e in at.error)
        assert name in shown and expected in shown, shown
    assert store.lists_for(connect(data / "studykb.db"), org) == []


def test_an_imported_list_says_where_it_came_from(conn: sqlite3.Connection, people: dict[str, User],
                                                  tmp_path: Path) -> None:
    """An imported copy used to look identical to its original (same title, same facts)."""
    from click.testing import CliRunner

    from studykb_cli.main import cli

    _sample(conn, people["organiser"])
    original = store.lists_for(conn, people["organiser"])[0]
    assert original.imported_from is None
    copy = import_lists(conn, people["organiser"], dumps(export_lists(conn, people["organiser"])),
                        source="五月清单.json")[0]
    assert copy.title == original.title and copy.imported_from is not None
    assert copy.imported_from.startswith("五月清单.json，20")
    assert store.get_list(conn, people["organiser"], copy.id).imported_from == copy.imported_from

    data = tmp_path / "data"
    data.mkdir()
    (data / "lists.json").write_text(dumps(export_lists(conn, people["organiser"])), encoding="utf-8")
    runner = CliRunner()
    auth.add_user(connect(data / "studykb.db"), "chenjing", None, "organiser")
    made = runner.invoke(cli, ["lists", "import", str(data / "lists.json"), "--as", "chenjing",
                               "--data-dir", str(data)])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(cli, ["lists", "list", "--data-dir", str(data)]).output
    assert listed.count("导入自 lists.json") == 2, listed
