"""The app's job dispatcher: runs the home's queued jobs (the Batch page submits them).

The app starts a batch as a job, exactly as the API does (``Workbench.submit_batch``), so one
rule decides whether a file may start (not while a job over it is queued or running) and one
mechanism runs it, in worker processes that survive a page being closed. Like each API
process, the app process runs one dispatcher; claims are atomic in the database, so an API
serving the same home never runs a job twice alongside it.
"""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit.session import shared_workbench

from aiwriter_kernel.config import Settings
from aiwriter_kernel.jobs.dispatcher import JobDispatcher

JOB_WORKERS = 1  # jobs at the same time, as the API's default; each batch has its own row workers


@st.cache_resource(show_spinner=False, on_release=lambda dispatcher: dispatcher.stop())
def _dispatcher(home: str) -> JobDispatcher:
    dispatcher = JobDispatcher.for_workbench(shared_workbench(home), workers=JOB_WORKERS)
    dispatcher.start()
    return dispatcher


def start_dispatcher() -> JobDispatcher:
    """The process's dispatcher for the home named by ``AIWRITER_HOME``, started once."""
    return _dispatcher(str(Settings().home))
