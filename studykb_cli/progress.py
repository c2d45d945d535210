"""Terminal output for the CLI: a rich progress bar for ingest, and report/hit printing."""

from __future__ import annotations

from typing import Any

from ingest.pipeline import Progress
from ingest.report import IngestReport
from ingest.scan import SUPPORTED

__all__ = ["RichProgress", "print_hits", "print_report", "text_console"]


class RichProgress(Progress):
    """Progress bars on a terminal (files, embedding batches); silent when output is not a terminal.

    rich is imported when the first stage starts: a run with nothing to do never pays for it.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bars: Any = None
        self._task: Any = None

    def _started(self) -> Any:
        if self._bars is None:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bars

            console = text_console(stderr=True)  # file names in the details are printed literally
            self._bars = Bars(
                TextColumn("{task.description:<12}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[detail]}", markup=False),
                console=console,
                disable=not (self.enabled and console.is_terminal),
                transient=False,
            )
            self._bars.__enter__()
        return self._bars

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bars is not None:
            self._bars.__exit__(None, None, None)

    def stage(self, name: str, total: int) -> None:
        self._task = self._started().add_task(name, total=total, detail="")

    def advance(self, steps: int = 1, detail: str = "") -> None:
        if self._task is not None:
            self._started().update(self._task, advance=steps, detail=detail[-40:])

    def note(self, message: str) -> None:
        if self.enabled:
            from rich.text import Text

            self._started().console.print(Text.assemble(("Note:", "yellow"), " ", message))


def print_report(report: IngestReport) -> None:
    """The human summary of an ingest run (click styles: no rich import for a run with nothing to do)."""
    from click import echo, style

    counts = ", ".join(
        f"{report.count(s)} {s}" for s in ("added", "updated", "unchanged", "removed", "failed", "skipped")
    )
    echo(f"{style('Files:', bold=True)} {counts}")
    for o in report.outcomes:
        if o.status == "failed":
            kept = " (previous version kept)" if o.kept_previous else ""
            echo(f"  {style('failed', fg='red')}  {o.path}: {o.reason}{kept}")
        elif o.status == "skipped":
            echo(f"  {style('skipped', dim=True)} {o.path}: {o.reason}")
    if report.ocr_summary():
        echo(report.ocr_summary())
    for warning in report.warnings:
        echo(f"  {style('warning', fg='yellow')} {warning}")
    if report.model_note:
        echo(f"{style('Model:', fg='yellow')} {report.model_note}")
    if report.scope:
        echo(f"{style('Scope:', bold=True)} {', '.join(report.scope)} of {report.root} (the other documents "
             "were kept as they were)")
    if report.version is None:
        why = (f"none of the {len(report.failed)} document(s) could be indexed" if report.failed
               else f"the corpus {report.root} has no documents to index (supported: "
                    f"{' '.join(sorted(SUPPORTED))})")
        echo(f"{style('Index:', bold=True)} none published — {why}")
        return
    action = "unchanged" if not report.changed and report.version == report.previous_version else "published"
    echo(
        f"{style('Index:', bold=True)} {report.version} {action} — {report.n_documents} documents, "
        f"{report.n_chunks} passages, {report.embedded} newly embedded, model {report.model}, "
        f"{report.seconds.get('total', 0):.1f} s"
    )


def text_console(stderr: bool = False) -> Any:
    """A rich Console for document text: no emoji codes (":x:" stays ":x:") and no highlighting.

    Print document text as `rich.text.Text` (styled spans, never markup) so "[bold]" in a passage
    stays literal.
    """
    from rich.console import Console

    return Console(stderr=stderr, emoji=False, highlight=False)


def print_hits(result: Any) -> None:
    """Print search hits with citations and highlighted snippets, every document text literally."""
    from rich.text import Text

    console = text_console()
    for note in result.notes:
        console.print(Text(note, style="dim"))
    console.print(Text.assemble((str(result.relevant), "bold"),
                                f" relevant passages ({result.total} found) for {result.query} "
                                f"({result.seconds * 1000:.0f} ms)"))
    if result.hits and result.hits[0].weak:
        console.print(Text("未找到高度相关的内容", style="yellow"))
    for i, hit in enumerate(result.hits, start=1):
        if hit.weak and (i == 1 or not result.hits[i - 2].weak):
            console.print()
            console.print(Text("—— 以下结果相关度较低 ——", style="dim"))
        snippet, pos = hit.snippet.replace("\n", " "), 0
        line = Text("   ")
        for s, e in hit.snippet_spans:
            line.append(snippet[pos:s])
            line.append(snippet[s:e], style="bold red")
            pos = e
        line.append(snippet[pos:])
        where = " > ".join(hit.heading_path)
        console.print()
        console.print(Text.assemble((f"{i}. {hit.citation}", "bold"), "  ",
                                    (f"{hit.document.path} · {where} · {'+'.join(hit.legs)} {hit.score:.4f}",
                                     "dim")))
        console.print(line)
        for loc in hit.also_in:
            console.print(Text(f"   also in 《{loc.title}》 {loc.path} p{loc.page or '-'}", style="dim"))
