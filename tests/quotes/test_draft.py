"""Bad drafts get a clear Chinese message naming the file; nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotes import QuoteChecker, read_draft, read_upload
from studykb.errors import ExtractionError, QueryError


@pytest.mark.parametrize("text", ["", "  \n\u3000 "], ids=["empty", "blank"])
def test_empty_text(checker: QuoteChecker, text: str) -> None:
    with pytest.raises(QueryError, match="文稿是空的"):
        checker.check(text)


def test_five_megabyte_paste_is_refused(checker: QuoteChecker, sample_data: Path) -> None:
    before = (sample_data / "studykb.db").stat().st_mtime_ns
    with pytest.raises(QueryError, match="文稿太长"):
        checker.check("学" * (5 * 1024 * 1024 // 3))
    assert (sample_data / "studykb.db").stat().st_mtime_ns == before


def test_binary_renamed_docx(tmp_path: Path) -> None:
    bad = tmp_path / "讲稿.docx"
    bad.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ExtractionError, match="不是有效的Word") as err:
        read_draft(bad)
    assert err.value.path == str(bad)
    with pytest.raises(ExtractionError, match="不是有效的Word") as err:
        read_upload("上传.docx", bytes(range(256)) * 40)
    assert err.value.path == "上传.docx"


@pytest.mark.parametrize(("name", "data", "match"), [
    ("空.txt", b"", "文稿是空的"),
    ("图片.png", b"\x89PNG", "不支持的文稿格式"),
], ids=["empty-file", "unsupported"])
def test_bad_files(tmp_path: Path, name: str, data: bytes, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ExtractionError, match=match):
        read_draft(path)


def test_gbk_text_and_docx_drafts(tmp_path: Path) -> None:
    import docx

    (tmp_path / "a.txt").write_bytes("他指出：“城市属于人民。”".encode("gb18030"))
    assert read_draft(tmp_path / "a.txt") == "他指出：“城市属于人民。”"
    document = docx.Document()
    document.add_paragraph("他指出：“城市属于人民。”")
    document.save(str(tmp_path / "b.docx"))
    assert "“城市属于人民。”" in read_draft(tmp_path / "b.docx")
