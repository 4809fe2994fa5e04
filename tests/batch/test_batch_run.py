"""Batch runs end to end on real Jupyter kernels, offline: outputs, statuses, re-runs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest

from aiwriter_kernel.batch.runner import DEFAULT_TEMPLATE
from aiwriter_kernel.workbench import Workbench

pytestmark = pytest.mark.slow


def test_a_small_batch_writes_stores_and_summarises(corpus_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "topics.csv"
    path.write_text(
        "id,topic,keywords,words,persona\n"
        "head,Readable headlines,readability;headlines,300,\n"
        "para,Short paragraphs,readability,,\n"
        "ghost,Plain language,,,nobody\n"
        "cold,How to brew cold brew coffee,,,\n"  # nothing in the corpus is about it
        "blank,,,,\n",
        encoding="utf-8",
    )
    seen: list[tuple[str, str]] = []
    with Workbench.open(home=corpus_home) as wb:
        report = wb.batch(path, on_progress=lambda p: seen.append((p.row.row_key, p.row.status)))
        rows = {row.row_key: row for row in report.rows}
        assert {key: row.status for key, row in rows.items()} == {
            "head": "done",
            "para": "done",
            "ghost": "failed",
            "cold": "failed",
            "blank": "failed",
        }
        assert sorted(seen) == sorted((key, row.status) for key, row in rows.items())
        assert report.totals == {"pending": 0, "running": 0, "done": 2, "failed": 3, "skipped": 0}
        # the notebook's exception, in one line, not a traceback
        assert rows["ghost"].error.startswith("ValidationError: unknown persona 'nobody'")
        assert "\n" not in rows["ghost"].error and "Traceback" not in rows["ghost"].error
        assert rows["blank"].error == "the topic is empty"
        assert rows["cold"].error.startswith(
            "TopicNotCoveredError: the knowledge base has no sources on 'How to brew cold brew"
        )

        drafts = wb.drafts()
        assert sorted(d.id for d in drafts) == sorted(
            [rows["head"].draft_id, rows["para"].draft_id]
        )
        assert {d.topic for d in drafts} == {"Readable headlines", "Short paragraphs"}

        folder = Path(report.output_dir)
        assert folder == corpus_home / "batches" / report.name
        notebook = nbformat.read(rows["head"].output_path, as_version=4)
        injected = [
            c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])
        ]
        assert "Readable headlines" in injected[0].source
        outputs = "".join(
            o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
        )
        assert f'"draft_id": {rows["head"].draft_id}' in outputs
        markdown = (folder / "head.md").read_text(encoding="utf-8")
        assert markdown == wb.version(rows["head"].draft_id).content
        analysis = json.loads((folder / "head.analysis.json").read_text(encoding="utf-8"))
        assert analysis["seo"]["keyword"] == "readability"
        failed_notebook = nbformat.read(rows["ghost"].output_path, as_version=4)
        assert any(
            o.get("ename") == "ValidationError"
            for c in failed_notebook.cells
            if c.cell_type == "code"
            for o in c.outputs
        )

        with open(report.summary_csv, encoding="utf-8") as handle:
            summary = {row["row_key"]: row for row in csv.DictReader(handle)}
        assert set(summary) == {"head", "para", "ghost", "cold", "blank"}
        assert int(summary["head"]["word_count"]) == analysis["readability"]["word_count"]
        assert summary["ghost"]["status"] == "failed"
        page = Path(report.summary_html).read_text(encoding="utf-8")
        assert "Rows per status" in page and "SEO score per article" in page and "para" in page

        again = wb.batch(path)
        assert again.run_id == report.run_id
        again_rows = {row.row_key: row for row in again.rows}
        assert again_rows["head"].status == again_rows["para"].status == "skipped"
        assert again_rows["head"].note == "finished by an earlier run"
        assert again_rows["head"].draft_id == rows["head"].draft_id
        assert len(wb.drafts()) == 2
        # the monitor's view: stored statuses, not this call's
        assert wb.batch_report(report.run_id).totals["done"] == 2


def test_a_row_that_kills_the_kernel_fails_and_the_next_row_gets_a_new_one(
    corpus_home: Path, tmp_path: Path
) -> None:
    template = nbformat.read(DEFAULT_TEMPLATE, as_version=4)
    crash = nbformat.v4.new_code_cell('import os\n\nif topic.startswith("Crash"):\n    os._exit(1)')
    template.cells.insert(3, crash)
    template_path = tmp_path / "crashing.ipynb"
    nbformat.write(template, template_path)
    path = tmp_path / "crash.csv"
    path.write_text("topic\nCrash the kernel\nShort paragraphs\n", encoding="utf-8")
    with Workbench.open(home=corpus_home) as wb:
        report = wb.batch(path, template=template_path, workers=1)
    first, second = report.rows
    assert first.status == "failed" and first.error.startswith("DeadKernelError")
    assert second.status == "done" and second.draft_id is not None


def test_a_row_that_kills_its_worker_process_fails_and_a_new_pool_runs_the_rest(
    corpus_home: Path, tmp_path: Path
) -> None:
    template = nbformat.read(DEFAULT_TEMPLATE, as_version=4)
    kill = nbformat.v4.new_code_cell(
        'import os\nimport signal\n\nif topic.startswith("Kill"):\n'
        "    os.kill(os.getppid(), signal.SIGKILL)  # the kernel's parent: the pool worker"
    )
    template.cells.insert(3, kill)
    template_path = tmp_path / "killing.ipynb"
    nbformat.write(template, template_path)
    path = tmp_path / "kill.csv"
    path.write_text("topic\nKill the worker\nShort paragraphs\n", encoding="utf-8")
    with Workbench.open(home=corpus_home) as wb:
        report = wb.batch(path, template=template_path, workers=1)
        first, second = report.rows
        assert first.status == "failed" and first.error.startswith("BrokenProcessPool")
        assert second.status == "done" and len(wb.drafts()) == 1
