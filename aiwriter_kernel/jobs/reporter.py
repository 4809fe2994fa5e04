"""A running job's voice: pipeline events, batch progress and checkpoints become job events.

Every event is written only while this worker still holds the job; when it does not (the
job was cancelled, or handed to another worker after a stall) ``JobAbandoned`` stops the
pipeline at that point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiwriter_kernel.batch.models import BatchProgress
    from aiwriter_kernel.pipelines.article_models import PipelineEvent
    from aiwriter_kernel.store import Database


class JobAbandoned(Exception):
    """The job is no longer this worker's: stop without storing anything more."""


class JobReporter:
    """Appends the events of one attempt at one job."""

    def __init__(self, db: Database, job_id: str, worker: str) -> None:
        self.db, self.job_id, self.worker = db, job_id, worker

    def event(self, type_: str, data: dict[str, Any]) -> None:
        if self.db.jobs.add_event(self.job_id, type_, data, worker=self.worker) is None:
            raise JobAbandoned(f"job {self.job_id} was cancelled or taken over")

    def on_event(self, event: PipelineEvent) -> None:
        """A pipeline's ``on_event``: a "stage" event, and a "text" event for generated text."""
        self.event(
            "stage", {"stage": event.stage, "message": event.message, "section": event.section}
        )
        if event.text:
            self.event("text", {"stage": event.stage, "section": event.section, "text": event.text})

    def on_progress(self, progress: BatchProgress) -> None:
        """A batch's ``on_progress``: one "progress" event per finished row."""
        self.event(
            "progress",
            {
                "finished": progress.finished,
                "total": progress.total,
                "row": progress.row.model_dump(mode="json"),
            },
        )

    def save_checkpoint(self, **values: Any) -> None:
        """Remember how far the job got, for an attempt after an interruption."""
        self.event("checkpoint", values)

    def checkpoint(self, name: str) -> Any:
        """The latest value saved as ``name`` by any attempt at this job, or None."""
        found = None
        for event in self.db.jobs.events(self.job_id):
            if event.type == "checkpoint" and name in event.data:
                found = event.data[name]
        return found
