"""Starts and stops the job dispatcher with the app.

Each API process runs one dispatcher thread with ``job_workers`` worker processes (the
batch executors' spawn pool); claims are atomic in the database, so several API workers
share the queue. On start, queued jobs (also those submitted while no server ran) are
picked up, and jobs a killed server left running are retried once their heartbeat is
stale. On stop, jobs in flight are killed and put back in the queue for the next start.
"""

from __future__ import annotations

from fastapi import FastAPI

from aiwriter_kernel.jobs.dispatcher import JobDispatcher


def start(app: FastAPI) -> None:
    """Begin running queued jobs (and jobs a restart interrupted)."""
    settings = app.state.api_settings
    dispatcher = JobDispatcher.for_workbench(
        app.state.workbench,
        workers=settings.job_workers,
        executor=settings.job_executor,
        scheduler=settings.job_scheduler,
    )
    dispatcher.start()
    app.state.jobs = dispatcher


def stop(app: FastAPI) -> None:
    """Stop taking jobs; running ones are put back in the queue for the next start."""
    dispatcher = getattr(app.state, "jobs", None)
    if dispatcher is not None:
        dispatcher.stop()
        app.state.jobs = None
