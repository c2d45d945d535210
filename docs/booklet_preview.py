"""Render the README picture of a booklet (docs/booklet.png): a reading list over the sample corpus written
as DOCX, converted to PDF by LibreOffice and four pages (cover, 目录, a passage, a whole document) drawn.

LibreOffice draws with the fonts it has: where 仿宋/楷体/黑体/宋体 are not installed this maps them to free
stand-ins for the picture only (AR PL UMing for 仿宋, AR PL UKai for 楷体, Noto Sans/Serif CJK for 黑体/宋体:
apt-get install libreoffice-writer-nogui fonts-arphic-uming fonts-arphic-ukai fonts-noto-cjk).

Example: python docs/booklet_preview.py --out docs/booklet.png
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus"
STAND_INS = {"仿宋": "AR PL UMing CN", "楷体": "AR PL UKai CN", "黑体": "Noto Sans CJK SC",
             "宋体": "Noto Serif CJK SC"}


def booklet(work: Path) -> Path:
    """Index three sample documents, make a list of a PDF passage and two whole documents, write its DOCX."""
    from ingest.pipeline import IngestOptions, ingest
    from lists import store
    from lists.export import booklet_docx
    from lists.records import anchor_for_document, anchor_for_hit
    from lists.resolve import resolve
    from search.engine import Engine
    from studykb import auth
    from studykb.db import connect
    from studykb.layout import DataDir

    corpus, data = work / "corpus", work / "data"
    corpus.mkdir()
    for name in ("instructions.pdf", "study-plan.md", "party-lecture.docx", "catalog.toml"):
        shutil.copy(CORPUS / name, corpus / name)
    ingest([corpus], data, IngestOptions(model="minilm"))
    conn = connect(data / "studykb.db")
    org = auth.add_user(conn, "wangfang", None, "organiser", display_name="王芳")
    engine = Engine.open(data)
    hit = next(h for h in engine.search('"检视整改"', k=10).hits if h.document.path == "instructions.pdf")
    docs = {d.path: d for d in engine.documents()}
    lst = store.create_list(conn, org, "2024年9月主题教育必读篇目", audience="第三党支部",
                            description="本月集中学习以下篇目，每周三下午集体研讨。",
                            period_start="2024-09-01", period_end="2024-09-30")
    store.add_item(conn, org, lst.id, anchor_for_hit(hit), note="请结合本支部实际写心得。")
    store.add_item(conn, org, lst.id, anchor_for_document(docs["study-plan.md"]))
    lecture = anchor_for_document(docs["party-lecture.docx"])
    store.add_item(conn, org, lst.id, lecture, note="重点读第二部分。")
    lst = store.get_list(conn, org, lst.id)
    resolved = resolve(conn, store.items(conn, org, lst.id), DataDir(data).current())
    out = work / "booklet.docx"
    out.write_bytes(booklet_docx(lst, resolved, generated="2024-08-28"))
    return out


def to_pdf(docx: Path) -> Path:
    """Convert with LibreOffice, standing in free fonts for the Windows ones it lacks."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("no soffice on PATH: apt-get install libreoffice-writer-nogui")
    conf = docx.parent / "fonts.conf"
    aliases = "".join(f"<alias binding='same'><family>{k}</family><prefer><family>{v}</family></prefer>"
                      "</alias>" for k, v in STAND_INS.items())
    conf.write_text(f"<?xml version='1.0'?><fontconfig><include ignore_missing='yes'>/etc/fonts/fonts.conf"
                    f"</include>{aliases}</fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(docx.parent)}
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
                   check=True, env=env, capture_output=True, timeout=300)
    return docx.with_suffix(".pdf")


def picture(pdf_path: Path, out: Path) -> None:
    """Cover, 目录, the first item and the first page of the last item, side by side in two rows."""
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(str(pdf_path))
    last = max(i for i in range(len(pdf)) if "3. 《" in pdf[i].get_textpage().get_text_range())
    pages = [pdf[i].render(scale=1.0).to_pil().convert("RGB") for i in (0, 1, 2, last)]
    w, h = pages[0].size
    sheet = Image.new("RGB", (w * 2 + 12, h * 2 + 12), "#888888")
    for k, page in enumerate(pages):
        sheet.paste(page, ((k % 2) * (w + 12), (k // 2) * (h + 12)))
    sheet.save(out, optimize=True)


def main() -> None:
    """Write the picture (and keep the DOCX and PDF beside it with --keep)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "booklet.png")
    parser.add_argument("--keep", action="store_true", help="also copy booklet.docx and .pdf beside it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docx = booklet(Path(tmp))
        pdf = to_pdf(docx)
        picture(pdf, args.out)
        if args.keep:
            for f in (docx, pdf):
                shutil.copy(f, args.out.parent / f.name)
    print(args.out)


if __name__ == "__main__":
    main()
