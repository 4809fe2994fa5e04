"""Batch: upload a topics CSV, run an article per row in the background, watch the rows
finish, download the summary and the articles."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import streamlit as st

from aiwriter_kernel.batch.models import BatchReport
from aiwriter_kernel.errors import AIWriterError, one_line
from aiwriter_kernel.redaction import hide_paths
from apps.streamlit import batch_job
from apps.streamlit.safe_markdown import escape_html
from apps.streamlit.session import model_choice, page_header

FINISHED_ROW = ("done", "failed", "skipped")
POLL_SECONDS = 2.0
CHOSEN_RUN = "batch_run_id"


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

    with st.form("batch_start"):
        upload = st.file_uploader("Topics CSV", type=["csv"])
        workers = st.number_input("Workers", min_value=1, max_value=4, value=1)
        start = st.form_submit_button("Start the batch")
    if start:
        if upload is None:
            st.error("Choose a topics CSV first.")
        else:
            try:
                path = wb.save_topics_upload(upload.getvalue(), upload.name)
                job = batch_job.start(wb, path, workers=int(workers))
            except batch_job.AlreadyRunning as running:
                st.session_state[CHOSEN_RUN] = running.job.run_id
                st.warning(
                    escape_html(
                        f"Run {running.job.name} is already running: it was left as it is. "
                        "Its progress is shown below."
                    )
                )
            except AIWriterError as error:
                st.error(escape_html(f"{upload.name}: {hide_paths(one_line(error), home)}"))
            else:
                st.session_state[CHOSEN_RUN] = job.run_id
                st.success(escape_html(f"Run {job.name} started."))

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

    runs = wb.batch_runs()
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
    job = batch_job.registry().named(by_id[run_id].name)
    polling = job is not None and job.running

    @st.fragment(run_every=POLL_SECONDS if polling else None)
    def monitor() -> None:
        """Redrawn every few seconds while this process runs the batch; once it has stopped,
        the whole page is redrawn once (so polling stops and the downloads appear)."""
        report = wb.batch_report(run_id)
        show_report(report)
        if polling and not job.running:
            st.rerun()
        if job is not None and job.error:
            st.error(escape_html(f"The batch stopped: {hide_paths(job.error, home)}"))
        if not (job is not None and job.running):
            offer_downloads(report)

    monitor()


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
