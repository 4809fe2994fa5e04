"""Batch: upload a topics CSV, run an article per row in the background, watch the rows
finish, download the summary and the articles.

The upload becomes a batch job, as in the API (``Workbench.submit_batch``), run by the app's
job dispatcher; the page polls the job and the run's report, as an API client would.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import streamlit as st
from aiwriter_apps.streamlit.jobs import start_dispatcher
from aiwriter_apps.streamlit.safe_markdown import escape_html
from aiwriter_apps.streamlit.session import model_choice, page_header

from aiwriter_kernel.batch.models import BatchReport
from aiwriter_kernel.errors import AIWriterError, NotFoundError, one_line
from aiwriter_kernel.records import BatchRunRecord, JobRecord
from aiwriter_kernel.redaction import hide_paths
from aiwriter_kernel.workbench import Workbench

FINISHED_ROW = ("done", "failed", "skipped")
POLL_SECONDS = 2.0
CHOSEN_RUN = "batch_run_id"
CHOSEN_JOB = "batch_job_id"  # session_state: the job this session started last
STOPPED_JOB = ("failed", "cancelled")


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header(
        "Batch",
        "Upload a CSV with a 'topic' column (optional: keywords, audience, tone, persona...); "
        "one article is written per row. Running the same file again resumes it.",
    )

    home = wb.settings.home  # never shown: errors name its files as <home>/...
    choice = model_choice()
    if choice is not None and choice.api_key is not None:
        st.warning(
            "Batch rows run in notebook kernels, which never receive a key typed in Settings: "
            f"they use {choice.provider} only with a key from the server's own environment."
        )

    dispatcher = start_dispatcher()
    with st.form("batch_start"):
        upload = st.file_uploader("Topics CSV", type=["csv"])
        workers = st.number_input("Workers", min_value=1, max_value=4, value=1)
        start = st.form_submit_button("Start the batch")
    if start:
        if upload is None:
            st.error("Choose a topics CSV first.")
        else:
            try:
                job = wb.submit_batch(upload.getvalue(), upload.name, workers=int(workers))
            except AIWriterError as error:
                st.error(escape_html(f"{upload.name}: {hide_paths(one_line(error), home)}"))
            else:
                dispatcher.wake()
                st.session_state[CHOSEN_JOB] = job.id
                st.session_state.pop(CHOSEN_RUN, None)
                st.success(escape_html(f"Batch of {upload.name} started (job {job.id})."))

    def show_report(report: BatchReport) -> None:
        """Progress, totals and rows of one run."""
        finished = sum(report.totals.get(status, 0) for status in FINISHED_ROW)
        total = max(1, len(report.rows))
        st.progress(finished / total, text=f"{finished} of {len(report.rows)} rows finished")
        st.markdown(
            escape_html(
                f"**{report.name}**: {report.status}; "
                + ", ".join(f"{n} {status}" for status, n in report.totals.items() if n)
            )
        )
        st.dataframe(
            [
                {
                    "row": r.row_key,
                    "topic": r.topic,
                    "status": r.status,
                    "draft": r.draft_id,
                    "note": hide_paths(r.error or r.note or "", home),
                }
                for r in report.rows
            ],
            hide_index=True,
        )

    def offer_downloads(report: BatchReport) -> None:
        """The run's summary files and a zip of every written article's Markdown."""
        columns = st.columns(3)
        if report.summary_csv and Path(report.summary_csv).exists():
            columns[0].download_button(
                "Summary (CSV)",
                Path(report.summary_csv).read_bytes(),
                file_name=f"{report.name}-summary.csv",
                mime="text/csv",
            )
        if report.summary_html and Path(report.summary_html).exists():
            columns[1].download_button(
                "Summary (HTML)",
                Path(report.summary_html).read_bytes(),
                file_name=f"{report.name}-summary.html",
                mime="text/html",
            )
        drafts = [r.draft_id for r in report.rows if r.status == "done" and r.draft_id]
        if drafts:
            columns[2].download_button(
                f"Articles ({len(drafts)} Markdown files, zip)",
                articles_zip(drafts),
                file_name=f"{report.name}-articles.zip",
                mime="application/zip",
            )

    def articles_zip(draft_ids: list[int]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for draft_id in draft_ids:
                exported = wb.export(draft_id, "md")
                archive.writestr(exported.filename, exported.content)
        return buffer.getvalue()

    def show_stopped(job: JobRecord | None) -> None:
        """Why the latest job stopped short, when it did (rows' own errors are in the table)."""
        if job is not None and job.status in STOPPED_JOB:
            reason = hide_paths(job.error or job.status, home)
            st.error(escape_html(f"The batch stopped: {reason}"))

    def wait_for_run(job: JobRecord) -> None:
        """The job is queued: redraw the page once a worker has registered its run."""

        @st.fragment(run_every=POLL_SECONDS)
        def waiting() -> None:
            current = wb.job(job.id)
            if current.finished or run_of(current, wb.batch_runs()) is not None:
                st.rerun()
            st.info(f"Job {job.id} is {current.status}: its run shows here once it starts.")

        waiting()
        st.stop()

    runs = wb.batch_runs()
    started = session_job(wb)
    if started is not None:
        own_run = run_of(started, runs)
        if own_run is None and not started.finished:
            wait_for_run(started)
        if own_run is None:
            show_stopped(started)
        elif st.session_state.get(CHOSEN_RUN) is None:
            st.session_state[CHOSEN_RUN] = own_run.id
    if not runs:
        st.info("No batch run yet: upload a topics CSV above.")
        st.stop()
    by_id = {r.id: r for r in runs}
    chosen = st.session_state.get(CHOSEN_RUN)
    run_id = st.selectbox(
        "Run",
        list(by_id),
        index=list(by_id).index(chosen) if chosen in by_id else 0,
        format_func=lambda i: f"{i}: {by_id[i].name} ({by_id[i].status})",
    )
    polling = not finished(latest_job(wb, by_id[run_id]))

    @st.fragment(run_every=POLL_SECONDS if polling else None)
    def monitor() -> None:
        """Redrawn every few seconds while a job runs the batch; once it has stopped, the
        whole page is redrawn once (so polling stops and the downloads appear)."""
        report = wb.batch_report(run_id)
        show_report(report)
        job = latest_job(wb, by_id[run_id])
        if polling and finished(job):
            st.rerun()
        show_stopped(job)
        if finished(job):
            offer_downloads(report)

    monitor()


def session_job(wb: Workbench) -> JobRecord | None:
    """The batch job this session started last, as stored now (None once it is gone)."""
    job_id = st.session_state.get(CHOSEN_JOB)
    if job_id is None:
        return None
    try:
        return wb.job(job_id)
    except NotFoundError:
        return None


def run_of(job: JobRecord, runs: list[BatchRunRecord]) -> BatchRunRecord | None:
    """The run a batch job registered (the run keeps the uploaded file's path), if any yet."""
    path = str(Path(job.request.get("csv_path", "")).resolve())
    return next((run for run in runs if run.input_path == path), None)


def latest_job(wb: Workbench, run: BatchRunRecord) -> JobRecord | None:
    """The newest batch job over the run's file: what the page polls while it is not done."""
    jobs = (job for job in wb.jobs() if job.kind == "batch")
    return next((job for job in jobs if run_of(job, [run]) is not None), None)


def finished(job: JobRecord | None) -> bool:
    return job is None or job.finished


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
