"""What a resume decides for rows a killed run left behind (no kernels needed)."""

from __future__ import annotations

import json
from pathlib import Path

from aiwriter_kernel.batch.layout import row_files, run_dir
from aiwriter_kernel.batch.resume import plan_resume
from aiwriter_kernel.batch.scope import BatchScope
from aiwriter_kernel.workbench import Workbench


def _draft(wb: Workbench, topic: str) -> int:
    space = wb.db.workspaces.get_or_create("default")
    draft, _ = wb.db.drafts.create_draft(
        space.id, kind="article", title=topic, topic=topic, content="# outline"
    )
    return draft.id


def test_resume_adopts_finishes_or_reruns_each_row(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "topics.csv"
    path.write_text(
        "id,topic\ndone,Adopted topic\nhalf,Outlined topic\norphan,Orphan topic\n"
        "fresh,Fresh topic\nold,Old topic\n",
        encoding="utf-8",
    )
    with Workbench.open(home=home) as wb:
        old_draft = _draft(wb, "Old topic")  # older than the row's start: never adopted
        report = wb.batch(path, limit=0)
        repo = wb.db.batches
        rows = {row.row_key: row for row in repo.list_rows(report.run_id)}
        for key in ("done", "half", "orphan", "old"):
            repo.set_row_status(rows[key].id, "running")  # then the process is killed
        directory = run_dir(home, report.name)
        finished, outlined = _draft(wb, "Adopted topic"), _draft(wb, "Outlined topic")
        orphan = _draft(wb, "Orphan topic")
        _draft(wb, "Orphan topic")  # a second candidate: only the oldest is taken
        for key, draft_id, state in (("done", finished, "done"), ("half", outlined, "outlined")):
            result = row_files(directory, key).result
            result.write_text(json.dumps({"draft_id": draft_id, "state": state}), encoding="utf-8")

        plan = plan_resume(
            BatchScope.of(wb), repo.list_rows(report.run_id), directory, input_errors=set()
        )

        assert [(a.row.row_key, a.draft_id) for a in plan.adopted] == [("done", finished)]
        to_run = {p.row.row_key: p.draft_id for p in plan.to_run}
        assert to_run == {"half": outlined, "orphan": orphan, "fresh": None, "old": None}
        assert old_draft not in to_run.values()
        statuses = {row.row_key: row.status for row in repo.list_rows(report.run_id)}
        assert set(statuses.values()) == {"pending"}  # no row is left "running"
