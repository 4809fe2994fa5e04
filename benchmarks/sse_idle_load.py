"""Database load of one idle job event stream: SQL statements a minute.

A running job that emits nothing (a long model call, a queue) is streamed through the real
app (TestClient, SQLite home in a temporary directory, dispatcher stopped so nothing else
touches the database); after its first events have arrived, every statement the store runs
during ``--seconds`` of wall time is counted with a SQLAlchemy listener. The count, not the
time, is the figure, so machine load barely moves it.

    .venv/bin/python benchmarks/sse_idle_load.py --seconds 30

To measure an older version, run the same script with that version's ``apps`` and
``aiwriter_kernel`` first on ``PYTHONPATH`` (e.g. from ``git archive``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from aiwriter_apps.api import jobs_runtime
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient
from sqlalchemy import event

from aiwriter_kernel.workbench import Workbench


def idle_statements(seconds: float) -> int:
    """Statements run while one stream of a silent running job stays open ``seconds``."""
    with (
        tempfile.TemporaryDirectory() as scratch,
        Workbench.open(home=Path(scratch) / "home") as wb,
    ):
        user = wb.db.accounts.create_user("bench")
        _, key = wb.db.accounts.create_api_key("bench")
        job = wb.db.jobs.create("article", {"topic": "idle"}, user.id)
        app = create_app(wb, api_settings=ApiSettings(_env_file=None))
        with TestClient(app) as client:
            jobs_runtime.stop(app)
            assert wb.db.jobs.claim(job.id, "bench") is not None  # events 1 and 2
            headers = {"Authorization": f"Bearer {key}"}
            with client.stream("GET", f"/api/jobs/{job.id}/events", headers=headers) as stream:
                ids = (line for line in stream.iter_lines() if line.startswith("id:"))
                next(ids), next(ids)
                return _count_statements(wb, seconds)


def _count_statements(wb: Workbench, seconds: float) -> int:
    seen: list[Any] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(wb.db.engine, "before_cursor_execute", count)
    try:
        time.sleep(seconds)
    finally:
        event.remove(wb.db.engine, "before_cursor_execute", count)
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    statements = idle_statements(args.seconds)
    per_minute = statements * 60 / args.seconds
    print(f"{statements} statements in {args.seconds:g} s idle: {per_minute:.0f} a minute")


if __name__ == "__main__":
    main()
