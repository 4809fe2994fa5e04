"""Batch monitor: a run's progress, read by polling ``Workbench.batch_report`` in a thread
until the run finishes or the user presses Stop. The batch itself runs elsewhere (the CLI,
another notebook); this panel only watches the store."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from aiwriter_widgets.panel import Panel
from aiwriter_widgets.render import escape, table

from aiwriter_kernel.errors import ValidationError, one_line

if TYPE_CHECKING:
    from aiwriter_kernel.batch.models import BatchReport
    from aiwriter_kernel.workbench import Workbench

FINISHED_ROW = ("done", "failed", "skipped")


class BatchMonitor(Panel):
    """Pick a run, press Watch: totals, a progress bar and the rows, refreshed every
    ``interval`` seconds."""

    def __init__(self, workbench: Workbench, *, interval: float = 2.0, **kwargs: Any) -> None:
        super().__init__(workbench, **kwargs)
        self.interval = interval
        self.runs = w.Dropdown(description="Run")
        self.bar = w.IntProgress(value=0, min=0, max=1, description="Rows")
        self.totals = w.HTML()
        self.rows_html = w.HTML()
        self.rows_html.add_class("aiw-batch-rows")
        self.report: BatchReport | None = None
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.stop_button = w.Button(description="Stop", disabled=True)
        self.stop_button.add_class("aiw-batch-stop")
        self.stop_button.on_click(lambda _: self.stop())
        self.refresh_button = self.button("Refresh runs", self.refresh_runs, "aiw-batch-refresh")
        self.watch_button = self.button("Watch", self.start, "aiw-batch-watch")
        self.children = (
            w.HTML("<h3>Batch runs</h3>"),
            w.HBox(
                [
                    self.runs,
                    self.refresh_button,
                    self.watch_button,
                    self.stop_button,
                ]
            ),
            self.status,
            self.bar,
            self.totals,
            self.rows_html,
        )
        self._guarded(self.refresh_runs)

    def refresh_runs(self) -> None:
        runs = self.wb.batch_runs()
        self.runs.options = [(f"{r.id}: {r.name} ({r.status})", r.id) for r in runs]
        self.runs.value = runs[0].id if runs else None  # the newest run
        if not runs:
            self.status.value = "<i>No batch run yet: run <code>aiwriter batch</code></i>"

    # -- polling ------------------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        return self._poller is not None and self._poller.is_alive()

    def start(self) -> None:
        """Watch the chosen run until it finishes or Stop is pressed."""
        if self.runs.value is None:
            raise ValidationError("choose a batch run to watch")
        if self.polling:
            raise ValidationError("already watching; press Stop first")
        self._stop.clear()
        self.stop_button.disabled = False
        self._poller = threading.Thread(
            target=self._poll, args=(self.runs.value,), name="BatchMonitor poller", daemon=True
        )
        self._poller.start()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the poller has stopped (the run finished, or Stop was pressed)."""
        super().wait(timeout)
        if self._poller is not None:
            self._poller.join(timeout)
            if self._poller.is_alive():
                raise TimeoutError("the batch monitor is still watching")

    def _poll(self, run_id: int) -> None:
        try:
            while True:
                self.show(self.wb.batch_report(run_id))
                if self.report is not None and self.report.status != "running":
                    self.show_done(f"run {self.report.name} finished: {self.report.status}")
                    return
                self.progress(f"watching run {run_id}")
                if self._stop.wait(self.interval):
                    self.show_done("stopped watching (the run goes on)")
                    return
        except Exception as error:
            self.show_error(one_line(error))
        finally:
            self.stop_button.disabled = True

    def show(self, report: BatchReport) -> None:
        """Draw one report: progress of finished rows, totals and the row table."""
        self.report = report
        finished = sum(report.totals.get(status, 0) for status in FINISHED_ROW)
        self.bar.max = max(1, len(report.rows))
        self.bar.value = finished
        self.bar.bar_style = "danger" if report.totals.get("failed") else "success"
        self.totals.value = escape(
            f"{report.name}: {report.status}; "
            + ", ".join(f"{n} {status}" for status, n in report.totals.items() if n)
        )
        self.rows_html.value = table(
            ("row", "topic", "status", "draft", "error"),
            (
                (r.row_key, r.topic, r.status, r.draft_id or "", r.error or r.note or "")
                for r in report.rows
            ),
        )
