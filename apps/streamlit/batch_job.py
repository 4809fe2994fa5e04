"""A batch run started from the app: the uploaded CSV saved under the home, and the run
executed in a background thread while the page polls its report from the store.

The CSV is written to ``<home>/uploads/batch/`` under a name made from its own content, never
a path the user gave, so an upload cannot write anywhere else or replace another run's input.
One process runs a given run at most once at a time (the registry below), whichever session
started it.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from aiwriter_kernel.batch.models import BatchReport
    from aiwriter_kernel.workbench import Workbench

UPLOADS = Path("uploads") / "batch"
UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class BatchJob:
    """One run executing in this process: its thread and, once it stopped, how it ended."""

    run_id: int
    name: str
    thread: threading.Thread | None = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        return not self.finished.is_set()


@st.cache_resource(show_spinner=False)
def running_jobs() -> dict[str, BatchJob]:
    """Jobs of this process by run name, shared by every session."""
    return {}


def save_upload(home: Path, filename: str, data: bytes) -> Path:
    """Keep the uploaded CSV as ``<home>/uploads/batch/<safe stem>-<content hash>.csv``."""
    stem = UNSAFE.sub("-", Path(filename).stem).strip("-")[:60] or "topics"
    digest = hashlib.sha256(data).hexdigest()[:10]
    folder = home / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}-{digest}.csv"
    path.write_bytes(data)
    return path


def start(wb: Workbench, csv_path: Path, *, workers: int) -> BatchJob:
    """Register the CSV's rows (errors in the file are raised here, at once), then run
    what is left in a background thread; a run already running here is not started twice."""
    registered: BatchReport = wb.batch(csv_path, limit=0)
    jobs = running_jobs()
    job = jobs.get(registered.name)
    if job is not None and job.running:
        return job
    job = BatchJob(run_id=registered.run_id, name=registered.name)
    job.thread = threading.Thread(
        target=_run, args=(wb, csv_path, workers, job), name=f"batch {job.name}", daemon=True
    )
    jobs[job.name] = job
    job.thread.start()
    return job


def _run(wb: Workbench, csv_path: Path, workers: int, job: BatchJob) -> None:
    from apps.streamlit.session import one_line

    try:
        wb.batch(csv_path, workers=workers)
    except Exception as error:  # shown on the page; the rows' own errors are in the report
        job.error = one_line(error)
    finally:
        job.finished.set()
