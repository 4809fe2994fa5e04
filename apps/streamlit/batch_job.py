"""A batch run started from the app, executed in a background thread while the page polls
its report from the store. (The page keeps the uploaded CSV with ``wb.save_topics_upload``:
under the home, named by its content, never by a path the user gave.)

One process runs a given file at most once at a time, whichever session started it: the
registry below is checked, under its lock, before the kernel is even asked to register the
rows, because registering a run that is executing would put its running rows back to pending.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from aiwriter_kernel.batch.models import BatchReport
    from aiwriter_kernel.workbench import Workbench


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


class AlreadyRunning(Exception):
    """The file's run is executing in this process already; ``job`` is that run."""

    def __init__(self, job: BatchJob) -> None:
        super().__init__(f"run {job.name} is already running; it was left as it is")
        self.job = job


@dataclass
class JobRegistry:
    """Jobs of this process by the CSV they run, and the lock every start takes."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_path: dict[str, BatchJob] = field(default_factory=dict)

    def named(self, name: str) -> BatchJob | None:
        """The latest job of the run called ``name`` (what the page monitors)."""
        found = [job for job in self.by_path.values() if job.name == name]
        return found[-1] if found else None


@st.cache_resource(show_spinner=False)
def registry() -> JobRegistry:
    """The process's one registry, shared by every session."""
    return JobRegistry()


def start(wb: Workbench, csv_path: Path, *, workers: int) -> BatchJob:
    """Register the CSV's rows (errors in the file are raised here, at once), then run
    what is left in a background thread. ``AlreadyRunning`` when this file runs here now:
    the running job is not touched at all."""
    jobs = registry()
    key = str(csv_path.resolve())
    with jobs.lock:
        job = jobs.by_path.get(key)
        if job is not None and job.running:
            raise AlreadyRunning(job)
        registered: BatchReport = wb.batch(csv_path, limit=0)
        job = BatchJob(run_id=registered.run_id, name=registered.name)
        job.thread = threading.Thread(
            target=_run, args=(wb, csv_path, workers, job), name=f"batch {job.name}", daemon=True
        )
        jobs.by_path[key] = job
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
