"""The same rows on a real Dask cluster of two worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiwriter_kernel.workbench import Workbench

pytestmark = pytest.mark.slow


def test_rows_run_on_a_local_dask_cluster(corpus_home: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    path = tmp_path / "topics.csv"
    path.write_text(
        "topic,keywords\nReadable headlines,readability\nShort paragraphs,\nActive voice,\n",
        encoding="utf-8",
    )
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Workbench.open(home=corpus_home) as wb,
    ):
        report = wb.batch(path, executor="dask", scheduler=cluster.scheduler_address)
        assert [row.status for row in report.rows] == ["done", "done", "done"]
        assert len({row.draft_id for row in report.rows}) == 3
        assert len(wb.drafts()) == 3
        assert all(Path(row.output_path).is_file() for row in report.rows)
        assert report.totals["done"] == 3
