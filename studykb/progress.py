"""Terminal output for the CLI: a rich progress bar for ingest, and report/hit printing."""

from __future__ import annotations

from typing import Any

from ingest.pipeline import Progress
from ingest.report import IngestReport

__all__ = ["RichProgress", "print_hits", "print_report"]


class RichProgress(Progress):
    """Progress bars on a terminal (files, embedding batches); silent when output is not a terminal."""

    def __init__(self, enabled: bool = True) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import (
            Progress as Bars,
        )

        self.console = Console(stderr=True)
        self.enabled = enabled
        self._bars = Bars(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[detail]}"),
            console=self.console,
            disable=not (enabled and self.console.is_terminal),
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> RichProgress:
        self._bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.__exit__(None, None, None)

    def stage(self, name: str, total: int) -> None:
        self._task = self._bars.add_task(name, total=total, detail="")

    def advance(self, steps: int = 1, detail: str = "") -> None:
        if self._task is not None:
            self._bars.update(self._task, advance=steps, detail=detail[-40:])

    def note(self, message: str) -> None:
        if self.enabled:
            self.console.print(f"[yellow]Note:[/] {message}")


def print_report(report: IngestReport) -> None:
    """The human summary of an ingest run."""
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    counts = ", ".join(
        f"{report.count(s)} {s}" for s in ("added", "updated", "unchanged", "removed", "failed", "skipped")
    )
    console.print(f"[bold]Files:[/] {counts}")
    for o in report.outcomes:
        if o.status == "failed":
            kept = " (previous version kept)" if o.kept_previous else ""
            console.print(f"  [red]failed[/]  {escape(o.path)}: {escape(o.reason)}{kept}")
        elif o.status == "skipped":
            console.print(f"  [dim]skipped[/] {escape(o.path)}: {escape(o.reason)}")
    if report.ocr_summary():
        console.print(escape(report.ocr_summary()))
    for warning in report.warnings:
        console.print(f"  [yellow]warning[/] {escape(warning)}")
    if report.model_note:
        console.print(f"[yellow]Model:[/] {escape(report.model_note)}")
    action = "unchanged" if not report.changed and report.version == report.previous_version else "published"
    console.print(
        f"[bold]Index:[/] {report.version} {action} — {report.n_documents} documents, "
        f"{report.n_chunks} passages, {report.embedded} newly embedded, model {report.model}, "
        f"{report.seconds.get('total', 0):.1f} s"
    )


def print_hits(result: Any) -> None:
    """Print search hits with citations and highlighted snippets."""
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    for note in result.notes:
        console.print(f"[dim]{escape(note)}[/]")
    console.print(
        f"[bold]{result.total}[/] passages for {escape(result.query)!s} ({result.seconds * 1000:.0f} ms)"
    )
    for i, hit in enumerate(result.hits, start=1):
        snippet, pos, parts = hit.snippet, 0, []
        for s, e in hit.snippet_spans:
            parts.append(escape(snippet[pos:s]) + f"[bold red]{escape(snippet[s:e])}[/]")
            pos = e
        parts.append(escape(snippet[pos:]))
        where = " > ".join(hit.heading_path)
        console.print(
            f"\n[bold]{i}. {escape(hit.citation)}[/]  [dim]{escape(hit.document.path)} · "
            f"{escape(where)} · {'+'.join(hit.legs)} {hit.score:.4f}[/]"
        )
        console.print("   " + "".join(parts).replace("\n", " "))
        for loc in hit.also_in:
            console.print(f"   [dim]also in 《{escape(loc.title)}》 {escape(loc.path)} p{loc.page or '-'}[/]")
