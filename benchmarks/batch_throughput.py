"""Batch throughput and the cost of running each article through a notebook.

Measures, on the demo corpus with the offline provider:

1. per-row time of ``wb.write`` + ``wb.analyze`` in-process (the floor);
2. per-row time of the same row as a notebook on a kernel reused across rows (what the
   batch runner does) and through ``papermill.execute_notebook`` with a new kernel per
   row; overhead = notebook time minus in-process time (target: < 3 s per row);
3. wall time of ``wb.batch`` over ``--count`` topics for each ``--workers`` value.

    .venv/bin/python benchmarks/batch_throughput.py [--count 50] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from aiwriter_kernel import Workbench
from aiwriter_kernel.batch.layout import row_files
from aiwriter_kernel.batch.models import RowTask
from aiwriter_kernel.batch.notebook_runner import NotebookWorker, run_with_papermill
from aiwriter_kernel.batch.runner import DEFAULT_TEMPLATE

CORPUS = Path(__file__).resolve().parent.parent / "data" / "demo_corpus"
# Subjects the demo corpus covers under every angle below: since the planner refuses a
# topic the knowledge base does not cover, an uncovered one would fail its row.
SUBJECTS = [
    "readable headlines",
    "short paragraphs",
    "active voice",
    "meta descriptions",
    "citing sources",
    "brand voice",
    "email newsletters",
    "content calendars",
    "readability formulas",
    "seo basics",
]
ANGLES = [
    "a beginner's guide to",
    "common mistakes with",
    "a checklist for",
    "why teams skip",
    "measuring",
]


def topics(count: int) -> list[str]:
    pairs = [f"{angle} {subject}" for angle in ANGLES for subject in SUBJECTS]
    return [
        pairs[i % len(pairs)].capitalize() + ("" if i < len(pairs) else f" ({i})")
        for i in range(count)
    ]


def in_process(home: Path, titles: list[str]) -> list[float]:
    times = []
    with Workbench.open(home=home) as wb:
        wb.write("Writing readable headlines", keywords=("readability",))
        for title in titles:
            start = time.perf_counter()
            result = wb.write(title, keywords=("readability",))
            wb.analyze(result.markdown, keyword="readability", draft=result)
            times.append(time.perf_counter() - start)
    return times


def task(home: Path, title: str, key: str) -> RowTask:
    files = row_files(home / "batches" / "bench", key)
    return RowTask(
        run_name="bench",
        row_key=key,
        topic=title,
        params={"keywords": ["readability"]},
        home=str(home),
        template=str(DEFAULT_TEMPLATE),
        **files.task_paths(),
        env={"AIWRITER_HOME": str(home)},
    )


def reused_kernel(home: Path, titles: list[str]) -> list[float]:
    worker = NotebookWorker()
    try:
        worker.run(task(home, "Writing short paragraphs", "warm"))
        outcomes = [worker.run(task(home, t, f"reuse{i}")) for i, t in enumerate(titles)]
    finally:
        worker.close()
    assert all(o.status == "done" for o in outcomes), outcomes
    return [o.seconds for o in outcomes]


def fresh_kernels(home: Path, titles: list[str]) -> list[float]:
    outcomes = [run_with_papermill(task(home, t, f"fresh{i}")) for i, t in enumerate(titles)]
    assert all(o.status == "done" for o in outcomes), outcomes
    return [o.seconds for o in outcomes]


def throughput(snapshot: Path, scratch: Path, count: int, workers: int) -> float:
    home = scratch / f"workers-{workers}"
    shutil.copytree(snapshot, home)
    path = scratch / f"topics-{workers}.csv"
    path.write_text("topic,keywords\n" + "".join(f"{t},readability\n" for t in topics(count)))
    with Workbench.open(home=home) as wb:
        start = time.perf_counter()
        report = wb.batch(path, workers=workers)
        elapsed = time.perf_counter() - start
    assert report.totals["done"] == count, report.totals
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="articles per throughput run")
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--overhead-rows", type=int, default=5, help="rows per overhead sample")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        snapshot = scratch / "snapshot"
        with Workbench.open(home=snapshot) as wb:
            wb.ingest(CORPUS)
        sample = topics(args.overhead_rows)
        floor = statistics.mean(in_process(snapshot, sample))
        reused = statistics.mean(reused_kernel(snapshot, sample))
        fresh = statistics.mean(fresh_kernels(snapshot, sample))
        print(f"per row, in-process write+analyze: {floor:6.2f} s")
        print(
            f"per row, notebook, reused kernel: {reused:6.2f} s (overhead {reused - floor:+.2f} s)"
        )
        print(
            f"per row, papermill, new kernel:    {fresh:6.2f} s (overhead {fresh - floor:+.2f} s)"
        )
        for workers in (int(w) for w in args.workers.split(",")):
            elapsed = throughput(snapshot, scratch, args.count, workers)
            print(
                f"{args.count} articles, workers={workers}: {elapsed:7.1f} s wall "
                f"({elapsed / args.count:.2f} s/article, {60 * args.count / elapsed:.1f}/min)"
            )


if __name__ == "__main__":
    main()
