"""Hostile and broken files: each is reported with a one-line reason and the batch goes on.

Every file is generated here. Extraction runs in a worker process with a time limit and a memory
cap (tight ones in this test), so bombs and endless parses cost a worker, never the batch.
"""

from __future__ import annotations

import io
import os
import sqlite3
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from search.engine import Engine
from tests.pdfs import raw_pdf

OPTS = IngestOptions(model="minilm", max_chars=200, overlap=0, timeout_s=12, memory_mb=768)
TEXT = "Study notes on grassroots governance in Zhejiang: the Fengqiao experience settles disputes locally."


def simple_pdf(text: str = TEXT, pages: int = 1) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for i in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"{text} Page {i + 1}. " * 8)
    return bytes(pdf.output())


def bomb_pdf() -> bytes:
    stream = zlib.compress(b"0 0 m " * (300 * 1024 * 1024 // 6), 9)  # ~300 MB inflated
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        ]
    )


def nested_pdf(depth: int = 200_000) -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots "
            + b"[" * depth
            + b"]" * depth
            + b" >>",
        ]
    )


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(simple_pdf())))
    writer.encrypt(user_password="unknown-secret", owner_password="owner-secret", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def many_pages_pdf(pages: int = 20_000) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def broken_xref_pdf() -> bytes:
    data = simple_pdf()
    start = data.rindex(b"\nxref\n") + 1
    table = data[start : data.index(b"trailer", start)]
    assert b"0000" in table
    return data[:start] + table.replace(b"0000", b"9999") + data[start + len(table) :]


def docx_zip_bomb(path: Path) -> None:
    """A real DOCX whose document.xml inflates to 1.2 GB (valid XML padded with whitespace)."""
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("zip bomb")
    document.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in src.infolist():
            payload = src.read(item.filename)
            if item.filename != "word/document.xml":
                z.writestr(item, payload)
                continue
            cut = payload.index(b"<w:body>") + len(b"<w:body>")
            with z.open("word/document.xml", "w", force_zip64=True) as fh:
                fh.write(payload[:cut])
                chunk = b" " * (1 << 20)
                for _ in range(1200):
                    fh.write(chunk)
                fh.write(payload[cut:])


HOSTILE = {
    "truncated.pdf": lambda: simple_pdf(pages=3)[:1500],
    "broken-xref.pdf": broken_xref_pdf,
    "bomb.pdf": bomb_pdf,
    "nested.pdf": nested_pdf,
    "encrypted.pdf": encrypted_pdf,
    "many-pages.pdf": many_pages_pdf,
    "random.pdf": lambda: os.urandom(4096),
    "empty.txt": lambda: b"",
    "zero.docx": lambda: b"",
}

GOOD_TEXTS = {
    "gb18030-nobom.txt": ("千万工程从浙江的乡村整治起步，二十年间改变了万千村庄的面貌。", "gb18030"),
    "big5-nobom.txt": ("楓橋經驗強調依靠群眾就地化解矛盾，小事不出村，大事不出鎮。", "big5"),
    "utf16-nobom.txt": ("浦江经验是领导干部下访接待群众、把矛盾化解在基层的做法。", "utf-16-le"),
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("hostile")
    corpus, data = root / "corpus", root / "data"
    corpus.mkdir()
    for name, make in HOSTILE.items():
        (corpus / name).write_bytes(make())
    docx_zip_bomb(corpus / "zip-bomb.docx")
    for name, (text, encoding) in GOOD_TEXTS.items():
        (corpus / name).write_bytes(text.encode(encoding))
    (corpus / "good.md").write_text(
        "# 学习笔记\n\n主题教育要求学思想、强党性、重实践、建新功。\n", encoding="utf-8"
    )
    # a slow file first, and two files that change under the run while it is extracting
    (corpus / "a-slow.pdf").write_bytes(simple_pdf(pages=120))
    (corpus / "z-vanishes.md").write_text(
        "# 会消失的文件\n\n这份文件在导入过程中被删除。\n", encoding="utf-8"
    )

    def saboteur() -> None:
        db = data / "studykb.db"
        for _ in range(600):
            try:
                if sqlite3.connect(db).execute("SELECT 1 FROM ingest_runs WHERE status='running'").fetchone():
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.05)
        time.sleep(0.3)
        (corpus / "z-vanishes.md").unlink()
        with open(corpus / "a-slow.pdf", "ab") as fh:
            fh.write(b"\n% appended while being read\n")

    thread = threading.Thread(target=saboteur, daemon=True)
    thread.start()
    t = time.perf_counter()
    report = ingest([corpus], data, OPTS)
    thread.join(5)
    return report, data, time.perf_counter() - t


def test_every_hostile_file_gets_a_one_line_reason(hostile_run) -> None:  # type: ignore[no-untyped-def]
    report, _, seconds = hostile_run
    outcome = {o.path: o for o in report.outcomes}
    for name in [*HOSTILE, "zip-bomb.docx", "z-vanishes.md", "a-slow.pdf"]:
        o = outcome[name]
        if name == "broken-xref.pdf" and o.status == "added":
            continue  # pypdf rebuilt the xref table: the file was read, which is fine
        assert o.status == "failed", f"{name}: {o}"
        assert o.reason and "\n" not in o.reason, name
    assert "password" in outcome["encrypted.pdf"].reason
    assert "empty" in outcome["empty.txt"].reason
    assert "disappeared" in outcome["z-vanishes.md"].reason
    assert "changed" in outcome["a-slow.pdf"].reason or outcome["a-slow.pdf"].status == "failed"
    print(f"\nhostile batch: {len(report.failed)} failed with reasons in {seconds:.0f} s:")
    for o in report.failed:
        print(f"  {o.path}: {o.reason}")


def test_good_files_in_the_same_batch_are_indexed(hostile_run) -> None:  # type: ignore[no-untyped-def]
    report, data, _ = hostile_run
    outcome = {o.path: o.status for o in report.outcomes}
    assert all(outcome[name] == "added" for name in [*GOOD_TEXTS, "good.md"])
    engine = Engine.open(data)
    assert engine.search("千万工程", k=1).hits[0].document.path == "gb18030-nobom.txt"
    assert engine.search("枫桥经验", k=1).hits[0].document.path == "big5-nobom.txt"
    assert engine.search("浦江经验", k=1).hits[0].document.path == "utf16-nobom.txt"
