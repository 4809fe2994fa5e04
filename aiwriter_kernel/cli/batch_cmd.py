"""``aiwriter batch``: an article per row of a topics CSV, through the notebook template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from aiwriter_kernel.cli.output import emit, stderr
from aiwriter_kernel.cli.workbench_loader import open_workbench


def batch(
    csv_path: Annotated[Path, typer.Argument(help="Topics CSV (columns: topic, id, ...).")],
    template: Annotated[
        Path | None, typer.Option(help="Notebook template (default: the article one).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes, one kernel each.")] = 1,
    executor: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Run name (default: CSV name + content hash).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Execute at most N rows now (0: only register them).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Write an article per CSV row; re-run the same file to resume where it stopped."""
    from tqdm import tqdm

    from aiwriter_kernel.batch import BatchProgress

    with (
        open_workbench() as workbench,
        tqdm(desc="batch", unit="row", file=stderr.file, disable=None) as bar,
    ):

        def on_progress(progress: BatchProgress) -> None:
            bar.total = progress.total
            bar.set_postfix_str(f"{progress.row.row_key}: {progress.row.status}"[:40])
            bar.update(1)

        report = workbench.batch(
            csv_path,
            name=name,
            template=template,
            workers=workers,
            executor=executor,
            scheduler=scheduler,
            on_progress=on_progress,
            limit=limit,
        )

    def render(console: Console) -> None:
        console.print(f"[bold]batch run {report.name}[/bold] (id {report.run_id})")
        for row in report.rows:
            detail = row.error or row.note or (f"draft {row.draft_id}" if row.draft_id else "")
            console.print(f"  {row.status:8} {row.row_key}: {row.topic}  {detail}", markup=False)
        totals = ", ".join(f"{status} {count}" for status, count in report.totals.items() if count)
        console.print(f"totals: {totals}\nfolder: {report.output_dir}")
        if report.summary_html:
            console.print(f"summary: {report.summary_csv}\n         {report.summary_html}")

    emit(report, as_json=json_output, render=render)
