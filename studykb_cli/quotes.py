"""`studykb quotes FILE`: check every quotation of a draft against the library (原文核对)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import data_dir_option, data_path

__all__ = ["quotes"]

_MARK = {"exact": "✓ 一致", "near": "≈ 有出入", "not_found": "✗ 未找到", "term": "· 术语"}


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON (counts and quotes).")
@click.option("--docx", "docx_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the checked draft, quotations marked, as a Word document.")
def quotes(file: Path, data_dir: Path | None, as_json: bool, docx_out: Path | None) -> None:
    """Check every quotation of a TXT, Markdown or DOCX draft against the library.

    Verdicts: exact (verbatim, allowing Traditional script and punctuation variants), near (the
    closest source differs; the difference is shown), not_found. Exit status 2 for a file that
    cannot be read (named in the message).

    Example: studykb quotes 党课讲稿.docx --json --data-dir data
    """
    from quotes import QuoteChecker, read_draft, to_docx
    from quotes.export import describe_diff
    from search.engine import Engine

    text = read_draft(file)
    report = QuoteChecker(Engine.open(data_path(data_dir))).check(text)
    if docx_out is not None:
        docx_out.write_bytes(to_docx(report, title=f"原文核对报告：{file.name}"))
    if as_json:
        click.echo(json.dumps({"file": str(file), **report.to_json()}, ensure_ascii=False))
        return
    c = report.counts
    click.echo(f"{file}: 原文一致 {c['exact']} · 有出入 {c['near']} · "
               f"未找到 {c['not_found']} · 术语 {c['term']}")
    for n, v in enumerate(report.verdicts, start=1):
        click.echo(f"[{n}] {_MARK[v.status]}  {v.quotation.text}")
        if v.source:
            click.echo(f"     出处：{v.source.citation}")
            if v.status == "near":
                click.echo(f"     原文：{v.source.text}")
                click.echo(f"     差异：{describe_diff(v.diff)}")
        elif v.status == "not_found":
            click.echo("     资料库中没有找到足够相近的原文。")
